"""From a domain event to deliveries: one per active endpoint that wants its type and whose API key reaches the
booking (hotelbooking.permissions.key_reach: a partner key only the bookings it made, unless hotel-wide).

`fan_out` is subscribed to the events of catalog.EVENT_TYPES (WebhooksConfig.ready) and runs in the transaction
bookings.events.event_deliver opens for it; the sends are queued after that commit, so no HTTP happens inside it.
A booking's first payment is recorded before the booking is confirmed: every payment made by the time of the
confirmation is sent by the reservation.created fan-out, right after it; only later ones go on their own.
"""

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects

from bookings import events
from bookings.models import OutboxEvent, Reservation, Status
from hotelbooking.permissions import FRONTDESK, PARTNER, key_reach

from .catalog import TYPE_OF_EVENT
from .models import WebhookDelivery, WebhookEndpoint
from .payloads import booking_shown, event_body

_NEVER_CONFIRMED = (Status.PENDING, Status.EXPIRED)
_PAYMENTS = (events.PAYMENT_SUCCEEDED, events.PAYMENT_REFUNDED)


def fan_out(event: OutboxEvent) -> None:
    event_type = TYPE_OF_EVENT.get(event.name)
    if event_type is None or event.reservation_id is None:
        return
    reservation = Reservation.objects.with_details().filter(pk=event.reservation_id).first()
    if reservation is None or reservation.status in _NEVER_CONFIRMED or _taken_along(event):
        return
    prefetch_related_objects([reservation], "nights", "status_changes__api_key", "payments")
    endpoints = endpoints_reaching(reservation)
    pairs = [(event, event.created_at)]
    if event.name == events.RESERVATION_CONFIRMED:
        held = OutboxEvent.objects.filter(reservation=reservation, name__in=_PAYMENTS,
                                          created_at__lte=event.created_at).order_by("created_at")
        pairs += [(payment, event.created_at) for payment in held]
    created = []
    shown: dict[int, dict] = {}
    for each, occurred_at in pairs:
        each_type = TYPE_OF_EVENT[each.name]
        for endpoint in endpoints:
            if not endpoint.wants(each_type):
                continue
            if endpoint.owner_id not in shown:
                shown[endpoint.owner_id] = booking_shown(reservation, endpoint.owner)
            delivery = _delivery_create(endpoint, each, each_type, reservation, occurred_at,
                                        booking=shown[endpoint.owner_id])
            if delivery is not None:
                created.append(delivery.pk)
    if created:
        from .sending import deliveries_queue

        transaction.on_commit(lambda: deliveries_queue(created))


def endpoints_reaching(reservation: Reservation) -> list[WebhookEndpoint]:
    """The active endpoints whose (valid) API key may read this booking."""
    candidates = (WebhookEndpoint.objects.filter(active=True, owner__revoked=False, owner__hotels=reservation.hotel_id,
                                                 owner__scope__in=(PARTNER, FRONTDESK))
                  .select_related("owner").distinct().order_by("id"))
    reached = []
    for endpoint in candidates:
        key = endpoint.owner
        reach = key_reach(key)
        if key.has_expired or (reach.made_by_key is not None and reservation.created_by_key_id != reach.made_by_key):
            continue
        reached.append(endpoint)
    return reached


def _taken_along(event: OutboxEvent) -> bool:
    """A payment made by the time its booking was confirmed: sent with reservation.created, just after it."""
    if event.name not in _PAYMENTS:
        return False
    return OutboxEvent.objects.filter(reservation=event.reservation_id, name=events.RESERVATION_CONFIRMED,
                                      created_at__gte=event.created_at).exists()


def _delivery_create(endpoint, event, event_type, reservation, occurred_at, *, booking) -> WebhookDelivery | None:
    """The delivery of `event` to `endpoint`, unless it exists already (an event fanned out twice)."""
    if WebhookDelivery.objects.filter(endpoint=endpoint, outbox_event=event, replay_of__isnull=True).exists():
        return None
    delivery = WebhookDelivery(endpoint=endpoint, outbox_event=event, type=event_type, reservation=reservation,
                               occurred_at=occurred_at, payload={})
    delivery.payload = event_body(event_id=delivery.event_id, event_type=event_type, event=event, booking=booking)
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:  # fanned out at the same moment elsewhere
        return None
    return delivery
