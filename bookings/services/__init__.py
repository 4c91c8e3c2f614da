"""Booking use cases, one module per concern. Each runs in short transactions: inventory, money and state change
together or not at all, and no gateway call runs while a row lock is held (see bookings/payments/attempts.py).

Other apps import these names from `bookings.services`.
"""

from .add_room import booking_room_add
from .balance import balance_at_check_in, balance_charge, balance_due, balances_charge_due
from .confirm import (
    PendingPayment,
    booking_payment_confirm,
    booking_payment_pending,
    booking_payment_token,
    booking_payment_token_read,
)
from .create import (
    BOOKING_ATTEMPTS,
    MAX_ROOMS,
    BookingQuote,
    BookingRequest,
    GuestDetails,
    RoomQuote,
    RoomRequest,
    booking_create,
    booking_payment_attempt,
    booking_quote,
    booking_quote_rooms,
    confirmation_number_next,
    quote_payload,
    quote_totals,
    rate_plan_open_check,
)
from .expiry import reservations_expire_pending
from .ledger import amount_paid_net
from .lifecycle import reservation_save, transition
from .override import PriceOverride
from .reading import (
    amount_paid,
    card_on_file,
    payment_summary,
    reservation_detail_get,
    reservation_get,
    reservation_lock,
)

__all__ = [
    "amount_paid", "amount_paid_net", "balance_at_check_in", "balance_charge", "balance_due",
    "balances_charge_due", "BOOKING_ATTEMPTS", "booking_create", "booking_payment_attempt",
    "booking_payment_confirm", "booking_payment_pending", "booking_payment_token", "booking_payment_token_read",
    "booking_quote", "booking_quote_rooms", "booking_room_add", "BookingQuote", "BookingRequest", "card_on_file",
    "confirmation_number_next", "GuestDetails", "MAX_ROOMS", "payment_summary", "PendingPayment", "PriceOverride",
    "quote_payload", "quote_totals", "rate_plan_open_check", "reservation_detail_get", "reservation_get",
    "reservation_lock", "reservation_save",
    "reservations_expire_pending", "RoomQuote", "RoomRequest", "transition",
]
