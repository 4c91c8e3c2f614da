"""Use cases of partner webhooks: register and change endpoints, enable and disable them, replay events.

The API and the admin call these; sends are always queued after the commit (sending.deliveries_queue).
"""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from hotelbooking.errors import UnknownWebhookEventType, WebhookEndpointDisabled

from .catalog import EVENT_TYPES
from .models import WebhookDelivery, WebhookEndpoint
from .sending import deliveries_queue
from .url_guard import url_check

State = WebhookDelivery.State


def _types_check(event_types) -> list[str]:
    unknown = [t for t in event_types if t not in EVENT_TYPES]
    if unknown:
        raise UnknownWebhookEventType(f"Unknown event type {unknown[0]}. Known: {', '.join(EVENT_TYPES)}.",
                                      field="event_types", known=list(EVENT_TYPES))
    return list(dict.fromkeys(event_types))


def endpoint_create(*, owner, url: str, event_types, contact_email: str, description: str = "") -> WebhookEndpoint:
    """A new endpoint of `owner` (an API key), with a new secret. The URL must pass the SSRF guard."""
    url_check(url)
    return WebhookEndpoint.objects.create(owner=owner, url=url, event_types=_types_check(event_types),
                                          contact_email=contact_email, description=description)


def endpoint_update(*, endpoint: WebhookEndpoint, **changes) -> WebhookEndpoint:
    """Change the URL, event types, contact or description; `active` True enables, False disables.

    The new URL is checked (a DNS lookup) before the endpoint's row is locked, never under the lock."""
    if "url" in changes:
        url_check(changes["url"])
    if "event_types" in changes:
        changes["event_types"] = _types_check(changes["event_types"])
    active = changes.pop("active", None)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        endpoint.save()
        if active is True and not endpoint.active:
            endpoint_enable(endpoint=endpoint)
        elif active is False and endpoint.active:
            endpoint_disable(endpoint=endpoint, reason="Disabled by its owner.")
    endpoint.refresh_from_db()
    return endpoint


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Active again: its pending deliveries are tried at once (one attempt more for those past their 3 days)."""
    now = timezone.now()
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True, disabled_at=None, disabled_reason="",
                                                              failing_since=None)
        pending = WebhookDelivery.objects.filter(endpoint=endpoint.pk, state=State.PENDING)
        pending.update(next_attempt_at=now, claimed_until=None)
        ids = list(pending.order_by("occurred_at", "id").values_list("pk", flat=True))
        transaction.on_commit(lambda: deliveries_queue(ids))
    endpoint.refresh_from_db()
    return endpoint


def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str, notify: bool = False) -> None:
    """No more attempts until enabled again; deliveries are kept. With `notify`, its contact is emailed."""
    changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
        active=False, disabled_at=timezone.now(), disabled_reason=reason[:300])
    endpoint.refresh_from_db()
    if changed and notify and endpoint.contact_email:
        transaction.on_commit(lambda: _disabled_notice(endpoint))


def _disabled_notice(endpoint: WebhookEndpoint) -> None:
    pending = endpoint.deliveries.filter(state=State.PENDING).count()
    send_mail(
        subject=f"Webhook endpoint disabled: {endpoint.url}",
        message=(f"We have stopped sending events to {endpoint.url} ({endpoint.description or 'no description'}).\n\n"
                 f"{endpoint.disabled_reason}\n\n"
                 f"{pending} event(s) are kept and will be sent once the endpoint is enabled again (PATCH "
                 f"/api/v1/webhooks/endpoints/{endpoint.pk} with {{\"active\": true}}, or ask the hotel). "
                 f"Events can also be replayed.\n"),
        from_email=None, recipient_list=[endpoint.contact_email])


def _replay_of(original: WebhookDelivery) -> WebhookDelivery:
    return WebhookDelivery(event_id=original.event_id, endpoint_id=original.endpoint_id,
                           outbox_event_id=original.outbox_event_id, type=original.type,
                           reservation_id=original.reservation_id, payload=original.payload,
                           occurred_at=original.occurred_at, replay_of=original)


def delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send this event again (same event id, same body): a new delivery, replay_of the original."""
    if not delivery.endpoint.active:
        raise WebhookEndpointDisabled()
    original = delivery.replay_of or delivery
    with transaction.atomic():
        replay = _replay_of(original)
        replay.save()
        transaction.on_commit(lambda: deliveries_queue([replay.pk]))
    return replay


def endpoint_replay_since(*, endpoint: WebhookEndpoint, since) -> list[WebhookDelivery]:
    """Send again every event this endpoint was sent (or was to be sent) that happened at or after `since`."""
    if not endpoint.active:
        raise WebhookEndpointDisabled()
    originals = (WebhookDelivery.objects.filter(endpoint=endpoint, replay_of__isnull=True, occurred_at__gte=since)
                 .order_by("occurred_at", "id"))
    with transaction.atomic():
        replays = WebhookDelivery.objects.bulk_create([_replay_of(o) for o in originals])
        ids = [r.pk for r in replays]
        transaction.on_commit(lambda: deliveries_queue(ids))
    return replays
