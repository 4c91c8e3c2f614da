"""Sending a delivery: a signed POST, outside any transaction and with no row locked while it is in flight.

A 2xx answer delivers it. Anything else is retried with exponential backoff (BACKOFF, then every THEN_EVERY)
until RETRY_FOR after its first attempt, then it is FAILED. Deliveries of one reservation to one endpoint go in
the order the events happened: a later one waits while an earlier one is pending. An endpoint whose attempts
have failed without a success for DISABLE_AFTER is disabled (its deliveries are kept) and its contact is told.
"""

import hashlib
import hmac
import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hotelbooking.errors import WebhookUrlNotAllowed

from .models import EXCERPT_CHARS, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .payloads import body_bytes
from .url_guard import url_check

logger = logging.getLogger(__name__)

State = WebhookDelivery.State
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=5))
THEN_EVERY = timedelta(hours=10)
RETRY_FOR = timedelta(days=3)
DISABLE_AFTER = timedelta(hours=24)
# A sender owns a delivery this long (well past the HTTP timeout), so two workers never post it at once.
CLAIM_FOR = timedelta(minutes=2)
SIGNATURE_HEADER = "Hotel-Signature"
USER_AGENT = "HotelBooking-Webhooks/1.0"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256 of "<timestamp>.<body>" under the endpoint's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    return BACKOFF[attempts - 1] if attempts <= len(BACKOFF) else THEN_EVERY


def deliveries_queue(ids) -> None:
    """Hand deliveries to Celery (after the commit that made them)."""
    from .tasks import send_delivery

    for delivery_id in ids:
        try:
            send_delivery.delay(delivery_id)
        except Exception:  # broker down: the periodic task sends what is due
            logger.warning("Could not queue webhook delivery %s; the periodic task will send it", delivery_id,
                           exc_info=True)


def _earlier_pending():
    """An earlier delivery of the same reservation to the same endpoint, still pending (for Exists)."""
    return WebhookDelivery.objects.filter(
        endpoint=OuterRef("endpoint"), reservation=OuterRef("reservation"), state=State.PENDING,
    ).filter(Q(occurred_at__lt=OuterRef("occurred_at")) | Q(occurred_at=OuterRef("occurred_at"), pk__lt=OuterRef("pk")))


def due_deliveries(now=None):
    """Pending deliveries whose time has come, at active endpoints, not waiting for an earlier one."""
    now = now or timezone.now()
    return (WebhookDelivery.objects.filter(state=State.PENDING, endpoint__active=True, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .exclude(Exists(_earlier_pending().filter(reservation__isnull=False)))
            .order_by("occurred_at", "id"))


def deliveries_send_due(*, batch: int = 500) -> int:
    """Queue every due delivery (the periodic task). Returns how many were queued."""
    ids = list(due_deliveries().values_list("pk", flat=True)[:batch])
    deliveries_queue(ids)
    return len(ids)


def delivery_send(delivery_id: int) -> WebhookAttempt | None:
    """Attempt this delivery now if it is due and may go; None when it may not (yet).

    Called by the Celery task only, after the commit that queued it: no transaction is open and no row locked
    while the POST is in flight (the claim is a timestamp, not a lock)."""
    now = timezone.now()
    delivery = due_deliveries(now).filter(pk=delivery_id).select_related("endpoint").first()
    if delivery is None:
        return None
    claimed = (WebhookDelivery.objects.filter(pk=delivery.pk, state=State.PENDING)
               .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
               .update(claimed_until=now + CLAIM_FOR))
    if not claimed:
        return None
    started_at = timezone.now()
    status, excerpt, error, latency = _post(delivery.endpoint, delivery)
    return _record(delivery.pk, at=started_at, status=status, excerpt=excerpt, error=error, latency=latency)


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str, int]:
    body = body_bytes(delivery.payload)
    headers = {
        "Content-Type": "application/json", "User-Agent": USER_AGENT,
        "Hotel-Event-Id": str(delivery.event_id), "Hotel-Event-Type": delivery.type,
        SIGNATURE_HEADER: signature_header(endpoint.secret, int(time.time()), body),
    }
    started = time.perf_counter()
    try:
        url_check(endpoint.url)  # again: the name may resolve elsewhere since it was registered
        with requests.post(endpoint.url, data=body, headers=headers, timeout=_timeout(), allow_redirects=False,
                           stream=True) as response:
            raw = next(response.iter_content(EXCERPT_CHARS * 4), b"")
            excerpt = raw.decode(response.encoding or "utf-8", errors="replace")[:EXCERPT_CHARS]
            return response.status_code, excerpt, "", _ms(started)
    except WebhookUrlNotAllowed as exc:
        return None, "", f"Refused: {exc.message}"[:300], _ms(started)
    except requests.RequestException as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:300], _ms(started)


def _timeout() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


def _record(delivery_id: int, *, at, status, excerpt, error, latency) -> WebhookAttempt:
    """The attempt, and what follows from it, in one short transaction (nothing remote inside)."""
    succeeded = status is not None and 200 <= status < 300
    if status is not None and not succeeded and not error:
        error = f"HTTP {status}"
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(of=("self",)).select_related("endpoint")
                    .get(pk=delivery_id))
        attempt = WebhookAttempt.objects.create(delivery=delivery, at=at, status_code=status, latency_ms=latency,
                                                response_excerpt=excerpt, error=error)
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or at
        delivery.claimed_until = None
        endpoint = delivery.endpoint
        if succeeded:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = State.SUCCEEDED, timezone.now(), None
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        else:
            deadline = delivery.first_attempt_at + RETRY_FOR
            if at >= deadline:
                delivery.state, delivery.next_attempt_at = State.FAILED, None
            else:
                delivery.next_attempt_at = min(at + retry_delay(delivery.attempts), deadline)
            _failure_count(endpoint, at)
        delivery.save()
        if delivery.state != State.PENDING and delivery.reservation_id is not None:
            transaction.on_commit(lambda: _next_of_reservation(delivery))
    return attempt


def _failure_count(endpoint: WebhookEndpoint, at) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=at)
    endpoint.refresh_from_db(fields=["failing_since", "active"])
    if endpoint.active and at - endpoint.failing_since >= DISABLE_AFTER:
        from .services import endpoint_disable

        endpoint_disable(endpoint=endpoint, notify=True, reason=(
            f"Every delivery attempt failed since {endpoint.failing_since:%Y-%m-%d %H:%M} UTC "
            f"(last: {at:%Y-%m-%d %H:%M} UTC)."))


def _next_of_reservation(done: WebhookDelivery) -> None:
    """The delivery that waited for `done` goes now, if its time has come."""
    waiting = (due_deliveries().filter(endpoint=done.endpoint_id, reservation=done.reservation_id)
               .values_list("pk", flat=True).first())
    if waiting is not None:
        deliveries_queue([waiting])
