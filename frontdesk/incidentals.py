"""The incidentals hold: an amount authorised on the guest's card at check-in, captured at check-out against the
folio's incidental charges (minibar, spa, ...) up to the hold, or released.

`Hotel.incidentals_hold` sets the amount, in the hotel's currency (0: no hold). Every move is a payment attempt
of the step "INCIDENTALS" (bookings/payments/attempts.py), one per operation, so none can happen twice:

- check-in: AUTHORISE the amount on the card on file, after the check-in has committed (a failure leaves the
  check-in standing: the console says "No incidentals hold: <reason>");
- check-out: CAPTURE what the incidentals came to, up to the hold (the capture is a CHARGE on the ledger, so the
  folio's balance, computed after it, is what is left to charge); the provider releases the rest of the hold with
  a partial capture (Stripe's amount_to_capture), so a capture is never followed by a release. No incidentals:
  RELEASE the whole hold;
- a cancellation, a no-show, or a check-out that settled without it: RELEASE.

Gateway calls run with no transaction open. A hold whose answer was lost is settled later (the settle task, the
webhook); the finisher below then releases it if the stay is over, and flags a capture confirmed only after the
stay was settled without it (the guest has a credit on the folio: a person refunds it).
"""

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.db import transaction

from bookings.models import PaymentAttempt, Reservation, Status
from bookings.payments import GatewayResult, PaymentGateway, default_gateway
from bookings.payments.attempts import attempt_answer, attempt_open, attempt_send, finisher
from bookings.services import card_on_file, reservation_lock
from hotelbooking.money import ZERO, fmt, round_money

from .selectors import folio_get

logger = logging.getLogger(__name__)

STEP = "INCIDENTALS"
Op = PaymentAttempt.Operation
State = PaymentAttempt.State


# --- what the folio and the console show ----------------------------------------------------------------------

@dataclass(frozen=True)
class IncidentalsHold:
    """Where a stay's incidentals hold stands.

    state: PENDING (being confirmed with the card's bank), HELD, NOT_HELD (refused, or never asked: `reason`),
    CAPTURED (`captured` taken, the rest released), RELEASED, or SETTLING (a capture or release being confirmed).
    """

    state: str
    amount: Decimal
    currency: str
    captured: Decimal = ZERO
    reason: str = ""
    card: str = ""

    @property
    def label(self) -> str:
        held = fmt(self.amount, self.currency)
        on = f" on {self.card}" if self.card else ""
        if self.state == "NOT_HELD":
            return f"No incidentals hold: {self.reason}"
        if self.state == "PENDING":
            return f"Incidentals hold of {held}{on}: being confirmed with the card's bank"
        if self.state == "HELD":
            return f"Incidentals hold of {held}{on}"
        if self.state == "CAPTURED":
            return (f"Incidentals hold of {held}{on}: {fmt(self.captured, self.currency)} captured for the "
                    "incidentals, the rest released")
        if self.state == "RELEASED":
            return f"Incidentals hold of {held}{on}: released"
        return f"Incidentals hold of {held}{on}: being settled with the card's bank"


def _card(attempt: PaymentAttempt) -> str:
    return f"{attempt.card_brand} ending {attempt.last_four}".strip() if attempt.last_four else ""


def _reason(attempt: PaymentAttempt) -> str:
    if attempt.state == State.REQUIRES_ACTION:
        return "the card's bank wants the guest to authenticate the hold"
    return (attempt.error_message or attempt.error_code or "the card's bank refused it").rstrip(".")


def incidentals_hold(reservation: Reservation, attempts: list[PaymentAttempt] | None = None) -> IncidentalsHold | None:
    """The stay's incidentals hold, or None when none was asked for (one query, none with `attempts` given)."""
    if attempts is None:
        attempts = list(PaymentAttempt.objects.filter(reservation=reservation, step=STEP))
    by_op = {a.operation: a for a in attempts if a.step == STEP}
    auth = by_op.get(Op.AUTHORISE)
    if auth is None:
        return None
    shown = dict(amount=auth.amount or ZERO, currency=auth.currency, card=_card(auth))
    capture, release = by_op.get(Op.CAPTURE), by_op.get(Op.RELEASE)
    if capture is not None and capture.state == State.SUCCEEDED:
        taken = capture.payment.amount if capture.payment_id else capture.amount
        return IncidentalsHold("CAPTURED", captured=taken, **shown)
    if release is not None and release.state == State.SUCCEEDED:
        return IncidentalsHold("RELEASED", **shown)
    if (capture is not None and capture.open) or (release is not None and release.open):
        return IncidentalsHold("SETTLING", **shown)
    if auth.state == State.SUCCEEDED:
        return IncidentalsHold("HELD", **shown)
    if auth.state in (State.RECORDED, State.UNKNOWN):
        return IncidentalsHold("PENDING", **shown)
    return IncidentalsHold("NOT_HELD", reason=_reason(auth), **shown)


# --- check-in: the hold -----------------------------------------------------------------------------------------

def incidentals_hold_at_check_in(*, reservation: Reservation, gateway: PaymentGateway | None = None) -> None:
    """Ask for the hotel's incidentals hold once the check-in has committed (at once if nothing is open)."""
    transaction.on_commit(partial(incidentals_authorise, reservation_id=reservation.pk, gateway=gateway))


def incidentals_authorise(*, reservation_id: int, gateway: PaymentGateway | None = None) -> PaymentAttempt | None:
    """Authorise the hotel's incidentals hold on the card on file of a checked-in stay, once.

    Returns the AUTHORISE attempt (SUCCEEDED: held; FAILED: refused, with the reason; UNKNOWN: being settled), or
    None when the hotel takes no hold. Never inside a transaction: the gateway is called.
    """
    gateway = gateway or default_gateway()
    refusal = None
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.CHECKED_IN)
        if reservation is None:
            return None
        hotel = reservation.hotel
        amount = round_money(hotel.incidentals_hold or ZERO, hotel.currency)
        attempt = reservation.payment_attempts.filter(step=STEP, operation=Op.AUTHORISE).first()
        if attempt is None:
            if amount <= 0:
                return None
            on_file = card_on_file(reservation)
            if reservation.currency != hotel.currency:
                refusal = ("currency_mismatch", f"the booking is in {reservation.currency}, the hold in "
                                                f"{hotel.currency}")
            elif on_file is None or not on_file.card_token:
                refusal = ("no_card_on_file", "there is no card on file")
            elif on_file.gateway != gateway.name:
                refusal = ("card_elsewhere", f"the card on file was taken by {on_file.gateway}, not {gateway.name}")
            attempt = attempt_open(reservation=reservation, step=STEP, operation=Op.AUTHORISE, gateway=gateway,
                                   amount=amount, currency=hotel.currency,
                                   payment_method=on_file.card_token if on_file is not None and not refusal else "")
            if on_file is not None:
                attempt.card_brand, attempt.last_four = on_file.card_brand, on_file.last_four
                attempt.save(update_fields=["card_brand", "last_four"])
    if refusal is not None:  # nothing to send: recorded as refused, so the console can say why
        attempt = attempt_answer(attempt.pk, GatewayResult(False, error_code=refusal[0], message=refusal[1]))
    elif attempt.open and attempt.state != State.REQUIRES_ACTION:
        attempt = attempt_send(attempt, gateway)
    if attempt.state == State.FAILED:
        logger.info("No incidentals hold for %s: %s", reservation.confirmation_number, _reason(attempt))
    return attempt


# --- check-out: capture or release -------------------------------------------------------------------------------

def incidentals_settle(*, reservation: Reservation, gateway: PaymentGateway) -> Decimal:
    """At check-out, before the balance is worked out: capture the incidentals, up to the hold, or release it.

    Returns the amount captured (recorded as a CHARGE payment of purpose INCIDENTALS, so the folio's balance read
    after this already counts it); ZERO when there was no hold, nothing to capture, or the hold's answer is not
    known yet (then the balance charge takes the incidentals, and the hold is released once it settles). Safe to
    call again after a check-out that did not complete: it captures at most once. Never inside a transaction.
    """
    attempts = {a.operation: a for a in PaymentAttempt.objects.filter(reservation_id=reservation.pk, step=STEP)}
    auth = attempts.get(Op.AUTHORISE)
    if auth is None:
        return ZERO
    capture, release = attempts.get(Op.CAPTURE), attempts.get(Op.RELEASE)
    if capture is not None:  # an earlier check-out got this far
        if capture.open:
            capture = attempt_send(capture, gateway)
        return capture.payment.amount if capture.state == State.SUCCEEDED and capture.payment_id else ZERO
    if release is not None:
        if release.open:
            attempt_send(release, gateway)
        return ZERO
    if auth.state in (State.RECORDED, State.UNKNOWN):
        auth = attempt_send(auth, gateway)  # one more try at learning whether the card is held
    if auth.state == State.REQUIRES_ACTION:
        _release_now(auth.reservation_id, gateway)  # never authenticated: nothing is held, the intent is dropped
        return ZERO
    if auth.state != State.SUCCEEDED:
        return ZERO
    with transaction.atomic():
        locked = reservation_lock(reservation.pk)
        spent = _incidentals_spent(locked) if locked.status == Status.CHECKED_IN else ZERO
        take = min(auth.amount, spent)
        if take > 0:
            step = attempt_open(reservation=locked, step=STEP, operation=Op.CAPTURE, gateway=auth.gateway,
                                amount=take, currency=auth.currency, target_reference=auth.reference)
            step.card_brand, step.last_four = auth.card_brand, auth.last_four
            step.save(update_fields=["card_brand", "last_four"])
        else:
            step = attempt_open(reservation=locked, step=STEP, operation=Op.RELEASE, gateway=auth.gateway,
                                currency=auth.currency, target_reference=auth.reference)
    step = attempt_send(step, gateway)
    if step.operation == Op.CAPTURE and step.state == State.SUCCEEDED and step.payment_id:
        return step.payment.amount
    return ZERO


def _incidentals_spent(reservation: Reservation) -> Decimal:
    """The folio's incidental charges less their reversals (only incidentals can be reversed), never negative."""
    totals = folio_get(reservation).totals
    return max(ZERO, round_money(totals.incidentals + totals.corrections, reservation.currency))


# --- the end of a stay without a capture: release ---------------------------------------------------------------

def incidentals_release(*, reservation_id: int, gateway: PaymentGateway | None = None) -> PaymentAttempt | None:
    """Release a hold that is still held (a cancellation, a no-show, a check-out that settled without it).

    The RELEASE attempt is recorded in a short transaction (or the caller's, e.g. an event handler's) and sent
    once that commits; one that is never sent is sent by the settle task.
    """
    with transaction.atomic():
        release = _release_open(reservation_id)
        if release is not None and release.open:
            transaction.on_commit(partial(_send, release.pk, gateway))
    return release


def _release_now(reservation_id: int, gateway: PaymentGateway) -> PaymentAttempt | None:
    with transaction.atomic():
        release = _release_open(reservation_id)
    return attempt_send(release, gateway) if release is not None and release.open else release


def _release_open(reservation_id: int) -> PaymentAttempt | None:
    """Inside a transaction: the RELEASE attempt of a hold held (or waiting for authentication) and not captured."""
    reservation = reservation_lock(reservation_id)
    steps = {a.operation: a for a in reservation.payment_attempts.filter(step=STEP)}
    auth = steps.get(Op.AUTHORISE)
    if auth is None or Op.CAPTURE in steps or auth.state not in (State.SUCCEEDED, State.REQUIRES_ACTION):
        return steps.get(Op.RELEASE)
    return attempt_open(reservation=reservation, step=STEP, operation=Op.RELEASE, gateway=auth.gateway,
                        currency=auth.currency, target_reference=auth.reference)


def _send(pk: int, gateway: PaymentGateway | None) -> None:
    attempt = PaymentAttempt.objects.select_related("reservation__hotel").get(pk=pk)
    attempt_send(attempt, gateway or default_gateway())


@finisher(STEP)
def incidentals_finish(attempt: PaymentAttempt) -> None:
    """A hold step settled. A hold confirmed after the stay ended is released; a capture confirmed after the stay
    was settled without it leaves the guest a credit, which a person refunds (flagged in the admin)."""
    if attempt.state != State.SUCCEEDED:
        return
    status = Reservation.objects.filter(pk=attempt.reservation_id).values_list("status", flat=True).first()
    if attempt.operation == Op.AUTHORISE and status != Status.CHECKED_IN:
        incidentals_release(reservation_id=attempt.reservation_id)
    elif attempt.operation == Op.CAPTURE and status == Status.CHECKED_OUT:
        PaymentAttempt.objects.filter(pk=attempt.pk).update(
            needs_attention=True, error_message="Captured after the stay was settled without it: the guest has a "
                                                "credit on the folio to refund.")
        logger.error("Incidentals capture %s for reservation %s was confirmed after check-out", attempt.pk,
                     attempt.reservation_id)


def incidentals_to_capture(reservation: Reservation, hold: IncidentalsHold | None) -> Decimal:
    """What check-out would capture from the hold now (for the check-out page): the incidentals, up to the hold."""
    if hold is None or hold.state != "HELD":
        return ZERO
    return min(hold.amount, _incidentals_spent(reservation))
