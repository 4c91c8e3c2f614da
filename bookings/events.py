"""Domain events through the outbox (decision 5).

`event_record` writes the event in the caller's transaction and hands it to Celery after commit.
Other apps subscribe handlers by dotted path from their AppConfig.ready(); bookings never imports them.
Every handler runs at most once per event (HandledEvent), so delivering an event twice harms nothing.
"""

import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import HandledEvent, OutboxEvent

logger = logging.getLogger(__name__)

RESERVATION_CONFIRMED = "ReservationConfirmed"
RESERVATION_MODIFIED = "ReservationModified"
RESERVATION_CANCELLED = "ReservationCancelled"
RESERVATION_EXPIRED = "ReservationExpired"
RESERVATION_NO_SHOW = "ReservationNoShow"
GUEST_CHECKED_IN = "GuestCheckedIn"
GUEST_CHECKED_OUT = "GuestCheckedOut"
# Money moved: a succeeded Payment row was written (bookings/payments/ledger_events.py records both).
PAYMENT_SUCCEEDED = "PaymentSucceeded"
PAYMENT_REFUNDED = "PaymentRefunded"
# Not a reservation event: inventory or rates changed for (room type, dates), e.g. a rate edit.
INVENTORY_CHANGED = "InventoryChanged"

_subscribers: dict[str, list[str]] = defaultdict(list)


def subscribe(event_name: str, handler_path: str) -> None:
    """Register `handler_path` (a function taking the OutboxEvent) for `event_name`. Idempotent."""
    if handler_path not in _subscribers[event_name]:
        _subscribers[event_name].append(handler_path)


def subscribers(event_name: str) -> list[str]:
    return list(_subscribers.get(event_name, ()))


def event_record(name: str, *, reservation=None, payload: dict | None = None) -> OutboxEvent:
    """Write the event now (same transaction as the change); queue its delivery after commit."""
    payload = dict(payload or {})
    if reservation is not None:
        payload.setdefault("confirmation_number", reservation.confirmation_number)
        payload.setdefault("hotel", reservation.hotel.code)
        payload.setdefault("room_type", reservation.room_type.code)
        payload.setdefault("room_type_id", reservation.room_type_id)
        payload.setdefault("check_in", reservation.check_in.isoformat())
        payload.setdefault("check_out", reservation.check_out.isoformat())
    event = OutboxEvent.objects.create(name=name, reservation=reservation, payload=payload)
    transaction.on_commit(lambda: _enqueue(event.pk))
    return event


def _enqueue(event_id) -> None:
    from .tasks import deliver_event

    try:
        deliver_event.delay(str(event_id))
    except Exception:  # broker down: the periodic re-delivery picks it up
        logger.warning("Could not enqueue event %s; it will be re-delivered", event_id, exc_info=True)


def event_deliver(event_id) -> bool:
    """Run every subscriber not yet run for this event. True when all have succeeded.

    Each handler first claims (event, handler) in HandledEvent inside the transaction it runs in: a second
    delivery at the same moment waits on that row and then skips, and a failed handler leaves no claim, so
    the event is offered again later (tasks.redeliver_outbox).
    """
    event = OutboxEvent.objects.filter(pk=event_id).first()
    if event is None or event.delivered_at is not None:
        return True
    errors = []
    for path in subscribers(event.name):
        if HandledEvent.objects.filter(event_id=event.pk, handler=path).exists():
            continue
        try:
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        HandledEvent.objects.create(event_id=event.pk, handler=path)
                except IntegrityError:
                    continue  # handled by another delivery in the meantime
                import_string(path)(event)
        except Exception as exc:  # a handler failed: keep the event for re-delivery
            logger.exception("Handler %s failed for event %s", path, event.pk)
            errors.append(f"{path}: {exc!r}")
    update = {"attempts": F("attempts") + 1, "last_error": "\n".join(errors)[:5000]}
    if not errors:
        update["delivered_at"] = timezone.now()
    OutboxEvent.objects.filter(pk=event.pk).update(**update)
    return not errors
