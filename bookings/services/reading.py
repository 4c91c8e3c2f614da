"""Reading reservations: by number within what the caller may reach, locked, with their money."""

import logging
from decimal import Decimal

from django.db.models import prefetch_related_objects

from hotelbooking.errors import (
    ConcurrentModification,
    ReservationNotFound,
)
from hotelbooking.money import round_money
from hotelbooking.permissions import Reach

from ..models import Payment, PaymentAttempt, Reservation

logger = logging.getLogger(__name__)

# --- reading ---------------------------------------------------------------------------------------------

def reservation_get(*, confirmation_number: str, hotels=None, for_update: bool = False) -> Reservation:
    """The reservation, if the caller may see it; otherwise RESERVATION_NOT_FOUND. `hotels` limits which:
    hotels, or a hotelbooking.permissions.Reach (hotels, and for a partner key only the bookings it made).

    `for_update` locks its row (see reservation_lock) and returns it as it is once the lock is held.
    """
    qs = Reservation.objects.with_details()
    number = (confirmation_number or "").strip()
    if not number or "\x00" in number:  # PostgreSQL refuses NUL in a query; no number contains one
        raise ReservationNotFound(f"No reservation {number}.")
    qs = qs.filter(confirmation_number__iexact=number)
    if isinstance(hotels, Reach):
        qs = qs.filter(hotel__in=hotels.hotels)
        if hotels.made_by_key is not None:
            qs = qs.filter(created_by_key_id=hotels.made_by_key)
    elif hotels is not None:
        qs = qs.filter(hotel__in=hotels)
    reservation = qs.first()
    if reservation is None:
        raise ReservationNotFound(f"No reservation {confirmation_number}.")
    if for_update:
        reservation = reservation_lock(reservation.pk)
        if reservation is None:  # reservations are never deleted: only a vanished row gets here
            raise ConcurrentModification()
    return reservation


def reservation_lock(pk: int, **conditions) -> Reservation | None:
    """Lock one reservation row by primary key, then read it (with its relations) as the lock holder sees it.

    None if the row does not meet `conditions` (on its own columns, e.g. status) once locked. The lock
    statement has no join: PostgreSQL re-checks a locking query against the row a concurrent transaction just
    committed but with the joined rows as first read, so a join on room_type or rate_plan dropped a booking
    someone had just changed and it was "not found". The read after the lock is a new statement and sees the
    committed row.
    """
    locked = Reservation.objects.select_for_update().filter(pk=pk, **conditions).order_by()
    if not list(locked.values_list("pk", flat=True)):
        return None
    return Reservation.objects.with_details().get(pk=pk)


def reservation_detail_get(*, confirmation_number: str, hotels=None) -> Reservation:
    """The reservation with its nights, status history and payments loaded (a fixed number of queries)."""
    reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    prefetch_related_objects([reservation], "nights", "status_changes__api_key", "payments")
    return reservation


def payment_summary(reservation: Reservation) -> dict:
    """What a guest sees of the money: COMPLETED, REFUNDED, PARTIALLY_REFUNDED or NOT_COLLECTED, the card's
    last four and the amount paid (charges minus refunds)."""
    payments = [p for p in reservation.payments.all() if p.result == Payment.Result.SUCCEEDED]
    charges = [p for p in payments if p.kind == Payment.Kind.CHARGE]
    paid = amount_paid(reservation)
    if not charges:
        status = "NOT_COLLECTED"
    elif paid <= 0:
        status = "REFUNDED"
    elif any(p.kind == Payment.Kind.REFUND for p in payments):
        status = "PARTIALLY_REFUNDED"
    else:
        status = "COMPLETED"
    last = max(charges, key=lambda p: (p.created_at, p.id), default=None)
    return {"status": status, "last_four": last.last_four if last else "", "card_brand": last.card_brand if last
            else "", "amount": paid}


def amount_paid(reservation: Reservation) -> Decimal:
    """Charges minus refunds that succeeded."""
    total = Decimal(0)
    for p in reservation.payments.all():
        if p.result != Payment.Result.SUCCEEDED:
            continue
        total += p.amount if p.kind == Payment.Kind.CHARGE else -p.amount
    return round_money(total, reservation.currency)


def card_on_file(reservation: Reservation) -> Payment | None:
    """The latest successful charge that left a reusable token, or else the card saved as the booking's
    guarantee (a CARD_GUARANTEE booking, charged nothing yet) as an unsaved Payment carrying its token. A room of
    a multi-room booking without either falls back to the lead's card."""
    charge = (reservation.payments.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
              .exclude(card_token="").order_by("-created_at", "-id").first())
    if charge is not None:
        return charge
    saved = (reservation.payment_attempts.filter(operation=PaymentAttempt.Operation.SAVE_CARD,
                                                 state=PaymentAttempt.State.SUCCEEDED)
             .exclude(token="").order_by("-created_at", "-id").first())
    if saved is None:
        # Another room of a multi-room booking pays with the card the booking was made with (the lead's).
        return card_on_file(reservation.lead) if reservation.lead_id else None
    return Payment(reservation=reservation, kind=Payment.Kind.CHARGE, amount=0, currency=reservation.currency,
                   gateway=saved.gateway, card_token=saved.token, card_brand=saved.card_brand,
                   last_four=saved.last_four)
