"""The money steps after booking (modifications, cancellations, check-out, no-shows), as PaymentAttempts.

Each flow decides its step in one short transaction, with the reservation row locked, and records the attempts
there with these helpers; after the commit it sends them with `attempts_send` (no transaction open, nothing
locked: bookings/payments/attempts.py). What the provider answers is recorded by the attempt itself, the
Payment ledger row with it, so the money recorded is always the money moved.

- `charge_on_file_open`: a charge of the card on file (the card saved as a guarantee counts).
- `refunds_open`: a refund spread over the reservation's charges, newest first. What a charge has given back,
  or is already recorded to give back (a refund being sent, queued, or waiting for a person), is never promised
  twice.
- `amount_paid_net`: what the guest has paid once the refunds already promised are made: what a new decision
  (a cancellation's refund, a modification's difference) starts from.
- `claimed`: while a caller waits on a charge to apply its step itself, that step's finisher leaves the
  attempt alone. A charge settled with nobody waiting (the caller gave up on a lost answer, or the process
  died) is left to the finisher, which gives the money back when the step was never applied.
- `compensation_open`: the refund that undoes a charge whose step could not be applied.
- `refund_status`: REFUNDED, PENDING or NOT_APPLICABLE for a step's refunds.
"""

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.db import transaction

from hotelbooking.money import ZERO, round_money

from ..models import Payment, PaymentAttempt, Reservation
from ..payments import PaymentGateway
from ..payments.attempts import attempt_open, attempt_send
from .reading import amount_paid, card_on_file

logger = logging.getLogger(__name__)

Op = PaymentAttempt.Operation
State = PaymentAttempt.State
OPEN_STATES = (State.RECORDED, State.UNKNOWN, State.REQUIRES_ACTION)

REFUNDED = "REFUNDED"
PENDING = "PENDING"
NOT_APPLICABLE = "NOT_APPLICABLE"


# --- what is promised ---------------------------------------------------------------------------------------

def _promised_refunds(reservation: Reservation):
    """Refund attempts recorded but not made: open (being sent or queued) or refused and waiting for a person."""
    return (PaymentAttempt.objects.filter(reservation=reservation, operation=Op.REFUND)
            .exclude(state=State.SUCCEEDED).exclude(state=State.FAILED, needs_attention=False))


def refunds_promised(reservation: Reservation) -> Decimal:
    total = sum((a.amount or ZERO for a in _promised_refunds(reservation)), ZERO)
    return round_money(total, reservation.currency)


def amount_paid_net(reservation: Reservation) -> Decimal:
    """Charges minus refunds that succeeded, minus the refunds already recorded and not made yet."""
    return round_money(amount_paid(reservation) - refunds_promised(reservation), reservation.currency)


# --- recording (inside the deciding transaction) --------------------------------------------------------------

def charge_on_file_open(*, reservation: Reservation, step: str, amount: Decimal,
                        gateway: PaymentGateway | str) -> PaymentAttempt | None:
    """Record a charge of `amount` to the card on file for this step. None when there is no card on file."""
    on_file = card_on_file(reservation)
    if on_file is None:
        return None
    attempt = attempt_open(reservation=reservation, step=step, operation=Op.CHARGE_SAVED, gateway=gateway,
                           amount=round_money(amount, reservation.currency), currency=reservation.currency,
                           payment_method=on_file.card_token)
    if not attempt.last_four and on_file.last_four:  # shown on the ledger row even if the provider omits it
        attempt.card_brand, attempt.last_four = on_file.card_brand, on_file.last_four
        PaymentAttempt.objects.filter(pk=attempt.pk).update(card_brand=on_file.card_brand,
                                                            last_four=on_file.last_four)
    return attempt


def refunds_open(*, reservation: Reservation, step: str, amount: Decimal,
                 gateway: PaymentGateway | str) -> list[PaymentAttempt]:
    """Record refunds of `amount` against the reservation's charges, newest first, one attempt per charge.

    The first is step `step`, the next `step:2`, `step:3`... Never more than a charge still holds: refunds made
    and refunds already recorded count. Returns the attempts (fewer than `amount` only if the charges hold less).
    """
    currency = reservation.currency
    remaining = round_money(amount, currency)
    if remaining <= 0:
        return []
    name = gateway if isinstance(gateway, str) else gateway.name
    charges = list(reservation.payments.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
                   .order_by("-created_at", "-id"))
    promised: dict[int, Decimal] = {}
    for a in _promised_refunds(reservation).exclude(target=None):
        promised[a.target_id] = promised.get(a.target_id, ZERO) + (a.amount or ZERO)
    attempts: list[PaymentAttempt] = []
    for charge in charges:
        if remaining <= 0:
            break
        returned = sum((r.amount for r in charge.refunds.filter(result=Payment.Result.SUCCEEDED)), ZERO)
        holds = round_money(charge.amount - returned - promised.get(charge.pk, ZERO), currency)
        if holds <= 0:
            continue
        part = min(holds, remaining)
        part_step = step if not attempts else f"{step}:{len(attempts) + 1}"
        attempts.append(attempt_open(reservation=reservation, step=part_step, operation=Op.REFUND,
                                     gateway=name, amount=part,
                                     currency=currency, target=charge))
        remaining -= part
    if remaining > 0:
        logger.error("Reservation %s: %s %s to refund is not held by any charge", reservation.confirmation_number,
                     remaining, currency)
    return attempts


def compensation_open(attempt: PaymentAttempt) -> PaymentAttempt | None:
    """Inside a transaction: record the refund that undoes a charge attempt that moved money (once).

    Only what the charge still holds: a cancellation made meanwhile may have refunded it already (it counted
    the charge as paid), and that money must not go back twice.
    """
    attempt = PaymentAttempt.objects.select_related("payment", "reservation").get(pk=attempt.pk)
    if attempt.payment_id is None:
        return None
    step = f"COMPENSATE:{attempt.pk}"
    existing = PaymentAttempt.objects.filter(reservation=attempt.reservation, step=step, operation=Op.REFUND).first()
    if existing is not None:
        return existing
    holds = round_money(attempt.payment.amount - _given_back(attempt.payment), attempt.currency)
    if holds <= 0:
        return None
    return attempt_open(reservation=attempt.reservation, step=step, operation=Op.REFUND, gateway=attempt.gateway,
                        amount=holds, currency=attempt.currency, target=attempt.payment)


def _given_back(charge: Payment) -> Decimal:
    """What a charge has refunded, or is recorded to refund."""
    made = sum((r.amount for r in charge.refunds.filter(result=Payment.Result.SUCCEEDED)), ZERO)
    promised = sum((a.amount or ZERO for a in _promised_refunds(charge.reservation).filter(target=charge)), ZERO)
    return made + promised


def applied(attempt: PaymentAttempt) -> bool:
    """A modification's charge was applied: its ReservationModified event names it (bookings.modifications)."""
    from .. import events
    from ..models import OutboxEvent

    return OutboxEvent.objects.filter(reservation=attempt.reservation_id, name=events.RESERVATION_MODIFIED,
                                      payload__payment_attempt=attempt.pk).exists()


def compensated(attempt: PaymentAttempt) -> bool:
    return PaymentAttempt.objects.filter(reservation=attempt.reservation_id, step=f"COMPENSATE:{attempt.pk}",
                                         operation=Op.REFUND).exists()


def unapplied_charges(reservation: Reservation, kind: str = "MODIFICATION") -> list[PaymentAttempt]:
    """Charges of changes that went through and were neither applied nor given back (yet): money in the ledger
    that does not pay for the booking. A cancellation or a no-show gives them back rather than counting them."""
    charges = PaymentAttempt.objects.filter(reservation=reservation, operation=Op.CHARGE_SAVED,
                                            step__startswith=f"{kind}:", state=State.SUCCEEDED)
    return [c for c in charges if not applied(c) and not compensated(c)]


def compensate(attempt: PaymentAttempt, gateway: PaymentGateway) -> PaymentAttempt | None:
    """Give back the money a charge attempt moved for a step that was not applied; the refund is queued if the
    provider refuses it for now, flagged for a person if it refuses outright. Outside any transaction."""
    with transaction.atomic():
        refund = compensation_open(attempt)
    if refund is not None:
        refund = attempt_send(refund, gateway)
    return refund


def compensation_queue(attempt: PaymentAttempt) -> PaymentAttempt | None:
    """For a finisher, which has no gateway: record the compensating refund, due now; the settle task sends it."""
    from django.utils import timezone

    with transaction.atomic():
        refund = compensation_open(attempt)
        if refund is not None and refund.state == State.RECORDED and refund.next_try_at is None:
            PaymentAttempt.objects.filter(pk=refund.pk).update(next_try_at=timezone.now())
    return refund


# --- sending (after the commit) ------------------------------------------------------------------------------

def attempts_send(attempts: Iterable[PaymentAttempt | None], gateway: PaymentGateway, *,
                  ask_again: bool = False) -> list[PaymentAttempt]:
    """Send each attempt, outside any transaction. With `ask_again` an answer lost on the way (UNKNOWN) is asked
    for once more with the same idempotency key, for a caller that waits on the outcome."""
    sent = []
    for attempt in attempts:
        if attempt is None:
            continue
        attempt = attempt_send(attempt, gateway)
        if ask_again and attempt.state == State.UNKNOWN:
            attempt = attempt_send(attempt, gateway)
        sent.append(attempt)
    return sent


def refund_status(attempts: Iterable[PaymentAttempt]) -> str:
    """REFUNDED when every refund went through, PENDING while one is queued or waits for a person."""
    attempts = [a for a in attempts if a is not None and a.operation == Op.REFUND]
    if not attempts:
        return NOT_APPLICABLE
    return REFUNDED if all(a.state == State.SUCCEEDED for a in attempts) else PENDING


def refunded(attempts: Iterable[PaymentAttempt]) -> list[Payment]:
    """The ledger rows of the refunds that went through."""
    return [a.payment for a in attempts if a is not None and a.operation == Op.REFUND and a.payment_id]


def next_step(reservation: Reservation, kind: str, *, numbered: bool = False) -> str:
    """`kind` (or `kind:1` when `numbered`) for the first step of this kind on the reservation, then `kind:2`,
    `kind:3`...: a step that was declined or has moved money is done, and trying again is a new step with a new
    idempotency key. (Retrying a lost answer is not a new step: it sends the same attempt again.)"""
    taken = PaymentAttempt.objects.filter(reservation=reservation).filter(step__startswith=kind).values_list(
        "step", flat=True)
    numbers = {1 if s == kind else _number(s[len(kind) + 1:]) for s in taken
               if s == kind or s.startswith(kind + ":")}
    numbers.discard(None)
    if not numbers:
        return f"{kind}:1" if numbered else kind
    return f"{kind}:{max(numbers) + 1}"


def _number(tail: str) -> int | None:
    head = tail.split(":", 1)[0]
    return int(head) if head.isdigit() else None


# --- who is waiting on a charge -------------------------------------------------------------------------------

_waiting = threading.local()


@contextmanager
def claimed(attempt: PaymentAttempt | None) -> Iterator[None]:
    """While the block runs, this thread applies the attempt's step itself once it settles: its finisher skips it."""
    if attempt is None:
        yield
        return
    pks = _waiting.__dict__.setdefault("pks", set())
    pks.add(attempt.pk)
    try:
        yield
    finally:
        pks.discard(attempt.pk)


def is_claimed(attempt: PaymentAttempt) -> bool:
    return attempt.pk in getattr(_waiting, "pks", ())
