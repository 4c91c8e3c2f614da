"""The events partners may subscribe to, and the domain event each one stands for.

invoice.issued is not offered yet: there is no invoicing app to record it.
"""

from bookings import events

# partner event type -> the bookings domain event behind it
EVENT_TYPES = {
    "reservation.created": events.RESERVATION_CONFIRMED,
    "reservation.modified": events.RESERVATION_MODIFIED,
    "reservation.cancelled": events.RESERVATION_CANCELLED,
    "reservation.checked_in": events.GUEST_CHECKED_IN,
    "reservation.checked_out": events.GUEST_CHECKED_OUT,
    "reservation.no_show": events.RESERVATION_NO_SHOW,
    "payment.succeeded": events.PAYMENT_SUCCEEDED,
    "payment.refunded": events.PAYMENT_REFUNDED,
}
EVENT_TYPE_CHOICES = list(EVENT_TYPES)  # one enum in the OpenAPI schema (ENUM_NAME_OVERRIDES)
TYPE_OF_EVENT = {name: event_type for event_type, name in EVENT_TYPES.items()}
PAYMENT_TYPES = ("payment.succeeded", "payment.refunded")

DESCRIPTIONS = {
    "reservation.created": "A booking was confirmed (each room of a multi-room booking is its own event).",
    "reservation.modified": "A booking's dates, rooms or party changed.",
    "reservation.cancelled": "A booking (or one room of it) was cancelled.",
    "reservation.checked_in": "The guest checked in.",
    "reservation.checked_out": "The guest checked out.",
    "reservation.no_show": "The guest did not arrive; the booking was marked no-show.",
    "payment.succeeded": "Money was taken for a booking (a charge recorded in its ledger).",
    "payment.refunded": "Money was given back for a booking (a refund recorded in its ledger).",
}
API_VERSION = "v1"
