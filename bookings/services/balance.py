"""The balance of a deposit booking, charged to the saved card N days before arrival (in the hotel's time zone) or
at check-in, as the rate plan's guarantee says (Reservation.payment_terms, frozen at booking)."""

import logging
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hotelbooking.money import round_money

from ..models import PaymentAttempt, Reservation, Status
from ..payments import PaymentGateway, default_gateway
from ..payments.attempts import attempt_open, attempt_send, finisher
from .reading import amount_paid, card_on_file, reservation_lock

logger = logging.getLogger(__name__)

BALANCE_STEP = "BALANCE"


def balance_due(reservation: Reservation) -> Decimal:
    """What the booking still owes of its total (never below zero)."""
    owed = round_money(reservation.grand_total, reservation.currency) - amount_paid(reservation)
    return max(owed, Decimal(0))


def _balance_day(reservation: Reservation) -> date | None:
    terms = reservation.payment_terms or {}
    if terms.get("balance_when") != "BEFORE_ARRIVAL" or not terms.get("balance_due_on"):
        return None
    return date.fromisoformat(terms["balance_due_on"])


def balance_charge(*, reservation_id: int, gateway: PaymentGateway) -> PaymentAttempt | None:
    """Charge what the booking still owes to the card on file, once (step BALANCE). None if nothing is owed.

    The attempt is recorded with the reservation row locked and sent after the commit. A decline leaves the
    balance owed and the attempt flagged for the front desk (the admin's "needs a person" list).
    """
    with transaction.atomic():
        reservation = reservation_lock(reservation_id)
        if reservation is None or reservation.status not in (Status.CONFIRMED, Status.CHECKED_IN) \
                or reservation.payment_attempts.filter(step=BALANCE_STEP).exists():
            return None
        owed = balance_due(reservation)
        on_file = card_on_file(reservation)
        if owed <= 0 or on_file is None:
            return None
        attempt = attempt_open(reservation=reservation, step=BALANCE_STEP,
                               operation=PaymentAttempt.Operation.CHARGE_SAVED, gateway=gateway, amount=owed,
                               payment_method=on_file.card_token)
    return attempt_send(attempt, gateway)


@finisher(BALANCE_STEP)
def _balance_finish(attempt: PaymentAttempt) -> None:
    if attempt.state == PaymentAttempt.State.FAILED:
        logger.warning("The balance of reservation %s was declined (%s)", attempt.reservation_id, attempt.error_code)
        PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=True)


def balance_at_check_in(*, reservation_id: int, gateway: PaymentGateway | None = None) -> PaymentAttempt | None:
    """A deposit whose balance is due at check-in: charge it (call once the check-in has committed)."""
    terms = Reservation.objects.filter(pk=reservation_id).values_list("payment_terms", flat=True).first() or {}
    if terms.get("balance_when") != "AT_CHECK_IN":
        return None
    return balance_charge(reservation_id=reservation_id, gateway=gateway or default_gateway())


def balances_charge_due(*, gateway: PaymentGateway, now=None) -> int:
    """Charge every deposit balance whose day has come in its hotel's time zone. Returns how many were charged."""
    now = now or timezone.now()
    candidates = (Reservation.objects.filter(status=Status.CONFIRMED, payment_terms__balance_when="BEFORE_ARRIVAL")
                  .exclude(payment_attempts__step=BALANCE_STEP).select_related("hotel"))
    charged = 0
    for reservation in candidates:
        day = _balance_day(reservation)
        if day is None or timezone.localtime(now, reservation.hotel.tz).date() < day:
            continue
        attempt = balance_charge(reservation_id=reservation.pk, gateway=gateway)
        charged += 1 if attempt is not None and attempt.state == PaymentAttempt.State.SUCCEEDED else 0
    return charged
