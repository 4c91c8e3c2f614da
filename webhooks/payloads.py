"""What a delivery's body says: the event, and the booking as GET /api/v1/bookings/{number} shows it to the
endpoint's API key (its figures, statuses, history told relative to that key), plus what is particular to the type.

Only named fields of the outbox payload are passed on: never the guest's email or internal ids.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder

from bookings.api.output import BookingDetailOutput, booking_data
from bookings.models import OutboxEvent, Reservation

from .catalog import API_VERSION

# event type -> (the key of its extra object in `data`, the outbox payload fields it carries)
EXTRAS = {
    "reservation.modified": ("modification", (
        "changes", "previous_check_in", "previous_check_out", "previous_room_type", "previous_total", "new_total",
        "difference", "charged", "refunded", "currency")),
    "reservation.cancelled": ("cancellation", ("reason", "cancelled_at", "penalty", "refund", "currency")),
    "reservation.no_show": ("no_show", ("penalty", "currency")),
    "payment.succeeded": ("payment", ("payment_id", "kind", "amount", "currency", "purpose", "refund_of")),
    "payment.refunded": ("payment", ("payment_id", "kind", "amount", "currency", "purpose", "refund_of")),
}
_RENAMED = {"payment_id": "id"}


def booking_shown(reservation: Reservation, key) -> dict:
    """The booking as its detail endpoint answers `key`, as plain JSON values."""
    return _plain(BookingDetailOutput(booking_data(reservation, history=True, caller=key)).data)


def event_body(*, event_id, event_type: str, event: OutboxEvent, booking: dict | None) -> dict:
    data = {"booking": booking}
    extra = EXTRAS.get(event_type)
    if extra is not None:
        name, fields = extra
        data[name] = {_RENAMED.get(f, f): event.payload.get(f) for f in fields}
    return {"id": str(event_id), "type": event_type, "created": event.created_at.isoformat(),
            "api_version": API_VERSION, "data": data}


def body_bytes(payload: dict) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys in a fixed order."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, cls=DjangoJSONEncoder).encode()


def _plain(data) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))
