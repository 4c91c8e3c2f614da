"""Cancelling a booking: the penalty at cancellation time, the refund, the rooms back (issue 4).

The rules kept here:
- CONFIRMED and PENDING reservations can be cancelled. Any other state is CANCELLATION_NOT_ALLOWED naming it:
  a checked-in guest is asked to see the front desk for early departure, and cancelling twice is refused
  with the same code (state CANCELLED).
- The penalty comes from the policy snapshot frozen on the reservation, at the moment of cancelling: the
  hours until check-in (the hotel's check-in time on the arrival date, in the hotel's time zone, DST
  included), the strictest tier whose window contains now, and its penalty (a percentage of the total, or
  the first N nights). A PENDING reservation was never paid for and costs nothing.
- The penalty is never below the reservation's retained amount: the liability it had reached when it was
  last changed (see bookings.modifications), so a change made inside a paying window cannot dodge it.
- Refund = paid - penalty, never below zero ("paid" net of refunds already promised and not made yet). A
  penalty above what was paid (a card guarantee, which paid nothing; a deposit) has the difference charged
  to the card on file.
- The money moves after the cancellation, never inside its transaction (bookings/payments/attempts.py): the
  cancellation, the rooms given back and the refund or penalty charge it owes are recorded in one short
  transaction, then the gateway is called with nothing locked. The cancellation stands whatever the gateway
  answers: a refund it refuses for now is queued and retried by the settle task with the same idempotency key,
  one it refuses outright waits for a person in the admin; both read refund_status PENDING. A penalty charge
  that is declined (or a booking with no card on file) leaves the penalty owed: the folio shows it.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from hotelbooking.errors import CancellationNotAllowed, PriceChanged, ReservationNotFound
from hotelbooking.money import ZERO, round_money
from inventory.services import inventory_release
from pricing.cancellation import PenaltyQuote, check_in_instant, compute_penalty
from pricing.engine import ChargeLine, NightPrice, Quote, nightly_totals_of

from . import events
from .extras import extra_lines_booked
from .models import Payment, PaymentAttempt, Reservation, Status
from .payments import PaymentGateway
from .payments.attempts import finisher
from .services import (
    reservation_get,
    reservation_lock,
    reservation_save,
    transition,
)
from .services.ledger import (
    NOT_APPLICABLE,
    PENDING,  # noqa: F401  (a refund_status value, beside REFUNDED and NOT_APPLICABLE)
    REFUNDED,
    amount_paid_net,
    attempts_send,
    charge_on_file_open,
    compensation_open,
    refund_status,
    refunded,
    refunds_open,
    unapplied_charges,
)
from .waivers import waiver_check, waiver_note

CANCELLABLE = (Status.PENDING, Status.CONFIRMED)
STEP = "CANCELLATION"


@dataclass(frozen=True)
class CancellationTerms:
    """What cancelling at `at` would cost and give back."""

    reservation: Reservation
    at: datetime
    penalty_quote: PenaltyQuote
    total: Decimal
    paid: Decimal

    @property
    def currency(self) -> str:
        return self.reservation.currency

    @property
    def penalty(self) -> Decimal:
        return round_money(self.penalty_quote.penalty, self.currency)

    @property
    def refund(self) -> Decimal:
        # compute_penalty's max(ZERO, ...) can hand back a bare 0: keep the currency's minor unit.
        return round_money(self.penalty_quote.refund, self.currency)

    @property
    def policy(self) -> dict:
        snapshot = self.reservation.cancellation_policy or {}
        return {"name": snapshot.get("name", ""), "description": snapshot.get("description", ""),
                "tier_applied": self.penalty_quote.tier_applied, "penalty": self.penalty_quote.penalty_description}

    def as_dict(self) -> dict:
        m = self._m
        r = self.reservation
        return {
            "confirmation_number": r.confirmation_number,
            "status": r.status,
            "as_of": self.at,
            "check_in_at": self.penalty_quote.check_in_at,
            "hours_until_check_in": str(self.penalty_quote.hours_until_check_in),
            "free_until": timezone.localtime(r.free_until, r.hotel.tz) if r.free_until else None,
            "cancellation_policy": self.policy,
            "financial": {"currency": self.currency, "original_total": m(self.total), "amount_paid": m(self.paid),
                          "penalty_amount": m(self.penalty), "refund_amount": m(self.refund),
                          **self.liability},
        }

    @property
    def liability(self) -> dict:
        """Beside penalty_amount: the policy's penalty on the stay as it is, and the floor earlier changes kept."""
        q = self.penalty_quote
        return {"policy_penalty_amount": self._m(q.policy_penalty), "retained_amount": self._m(q.retained),
                "retained_applies": q.retained_applies}

    def _m(self, amount: Decimal) -> str:
        return str(round_money(amount, self.currency))


@dataclass
class CancellationResult:
    terms: CancellationTerms
    reservation: Reservation
    reason: str
    room_nights_released: int
    refunds: list[Payment] = field(default_factory=list)  # the refunds that went through
    attempts: list[PaymentAttempt] = field(default_factory=list)  # every money step of the cancellation

    @property
    def refund_status(self) -> str:
        """REFUNDED, PENDING (queued, or waiting for a person: the money is owed to the guest), NOT_APPLICABLE."""
        if not self.attempts:
            return REFUNDED if self.refunds else NOT_APPLICABLE
        return refund_status(self.attempts)

    @property
    def refunded(self) -> Decimal:
        return round_money(sum((p.amount for p in self.refunds), ZERO), self.reservation.currency)

    @property
    def refund_amount(self) -> Decimal:
        """What goes back to the card: refunded already, or on its way (refund_status PENDING)."""
        recorded = [a.amount for a in self.attempts if a.operation == PaymentAttempt.Operation.REFUND]
        if not recorded:
            return self.refunded
        return round_money(sum(recorded, ZERO), self.reservation.currency)

    @property
    def penalty_charge(self) -> PaymentAttempt | None:
        """The charge of a penalty above what was paid, to the card on file."""
        return next((a for a in self.attempts if a.operation == PaymentAttempt.Operation.CHARGE_SAVED), None)

    def as_dict(self) -> dict:
        r, t = self.reservation, self.terms
        m = t._m
        return {
            "confirmation_number": r.confirmation_number,
            "status": r.status,
            "cancelled_at": r.cancelled_at,
            "reason": self.reason,
            "cancellation_policy": {k: t.policy[k] for k in ("name", "tier_applied", "penalty")},
            "financial": {"currency": t.currency, "original_total": m(t.total), "amount_paid": m(t.paid),
                          "penalty_amount": m(t.penalty), "refund_amount": m(self.refund_amount),
                          "refund_status": self.refund_status, **t.liability},
            "inventory_released": self.room_nights_released > 0,
            "room_nights_released": self.room_nights_released,
        }


def ensure_cancellable(reservation: Reservation) -> None:
    if reservation.status in CANCELLABLE:
        return
    number = reservation.confirmation_number
    if reservation.status == Status.CHECKED_IN:
        message = f"Reservation {number} is checked in. Please contact the front desk for early departure."
    elif reservation.status == Status.CANCELLED:
        message = f"Reservation {number} is already cancelled."
    else:
        message = f"Reservation {number} is {reservation.get_status_display().lower()} and cannot be cancelled."
    raise CancellationNotAllowed(message, state=reservation.status)


def nightly_totals(reservation: Reservation) -> list[Decimal]:
    """Each booked night's share of the total (rooms, taxes, fees, extras), for "first N nights" penalties."""
    c = reservation.currency
    nights = [NightPrice(n.date, n.rate, n.rate_plan_discount, n.promotion_discount)
              for n in reservation.nights.all()]
    booked = Quote(
        hotel=reservation.hotel, room_type=reservation.room_type, rate_plan=reservation.rate_plan,
        check_in=reservation.check_in, check_out=reservation.check_out, adults=reservation.adults,
        children=reservation.children, rooms=reservation.room_count, currency=c, nights=nights,
        subtotal=reservation.subtotal, rate_plan_discount=reservation.rate_plan_discount,
        promotion_discount=reservation.promotion_discount, room_total=reservation.room_total,
        tax_lines=[ChargeLine("Taxes", "", reservation.taxes)], fee_lines=[ChargeLine("Fees", "", reservation.fees)],
        policy_snapshot=reservation.cancellation_policy, check_in_at=reservation_check_in_at(reservation),
        free_until=reservation.free_until, extra_lines=extra_lines_booked(reservation))
    return nightly_totals_of(booked)


def reservation_check_in_at(reservation: Reservation) -> datetime:
    hotel = reservation.hotel
    return check_in_instant(reservation.check_in, hotel.check_in_time, hotel.timezone)


def cancellation_terms(*, reservation: Reservation, at: datetime | None = None) -> CancellationTerms:
    """Penalty and refund for cancelling `reservation` at `at` (now by default). Writes nothing."""
    at = at or timezone.now()
    currency = reservation.currency
    total = round_money(reservation.grand_total, currency)
    paid = amount_paid_net(reservation)
    snapshot = reservation.cancellation_policy or {}
    if reservation.status == Status.PENDING:
        snapshot = {**snapshot, "tiers": []}  # never confirmed nor paid: nothing to keep
    retained = ZERO if reservation.status == Status.PENDING else reservation.retained_amount
    quote = compute_penalty(snapshot=snapshot, checkin_at=reservation_check_in_at(reservation), at=at,
                            total=total, nightly_totals=nightly_totals(reservation), paid=paid, currency=currency,
                            retained=retained)
    return CancellationTerms(reservation=reservation, at=at, penalty_quote=quote, total=total, paid=paid)


def cancellation_quote(*, confirmation_number: str, hotels=None) -> "CancellationTerms | BookingCancellationTerms":
    """What cancelling now would cost, without cancelling. CANCELLATION_NOT_ALLOWED if it cannot be.

    By a multi-room booking's (lead's) number: the booking's sums over its rooms still cancellable."""
    reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    if not Reservation.objects.filter(lead=reservation.pk).exists():
        ensure_cancellable(reservation)
    return booking_cancellation_terms(reservation)


def booking_cancellation_terms(reservation: Reservation):
    """cancellation_terms for what cancelling by this number cancels: the booking's sums for the lead of a
    multi-room booking (the penalty its pages carry as expected_penalty), the room itself otherwise."""
    companions = list(Reservation.objects.with_details().filter(lead=reservation.pk).order_by("id"))
    if not companions:
        return cancellation_terms(reservation=reservation)
    return BookingCancellationTerms(lead=reservation, rooms=[cancellation_terms(reservation=r)
                                                             for r in _whole(reservation, companions)])


def _whole(lead: Reservation, companions: list[Reservation]) -> list[Reservation]:
    """The rooms a whole-booking cancellation cancels: every room still cancellable (the lead's own refusal when
    none is). A single-room booking is just itself."""
    if not companions:
        return [lead]
    rooms = [r for r in [lead, *companions] if r.status in CANCELLABLE]
    if not rooms:
        ensure_cancellable(lead)
    return rooms


def reservation_cancel(*, confirmation_number: str, reason: str, gateway: PaymentGateway, hotels=None, actor=None,
                       expected_penalty: Decimal | None = None,
                       waive_reason: str | None = None) -> "CancellationResult":
    """Cancel: penalty and refund as of now, rooms back, status history, outbox event and the money steps in one
    short transaction; then the money moves, with nothing locked.

    The reservation row is locked first, so a racing modification or second cancellation waits (only for this
    short transaction, never for the gateway), then sees the state this one leaves: refused, or working on the
    changed booking. `expected_penalty` is the penalty the guest was shown: PRICE_CHANGED if the terms changed
    since (a tier boundary passed).

    The refund (step CANCELLATION, spread over the charges newest first: CANCELLATION, CANCELLATION:2, ...) or
    the charge of a penalty above what was paid (CANCELLATION, to the card on file) is recorded with the
    cancellation, so the two commit together; whatever the gateway answers afterwards, the cancellation stands
    and the attempt carries the money to its end (see the module docstring).

    By a multi-room booking's (lead's) number every room still cancellable is cancelled, in the same one
    transaction (the lead locked first, then the others by id), each with its own policy's penalty and its own
    refund of its share; `expected_penalty` is then the booking's penalty (the sum). The answer is a
    BookingCancellationResult: the booking's sums, and each room's figures. A companion's own number cancels
    that room alone (see room_cancel).
    """
    reason = (reason or "").strip() or "No reason given"
    with transaction.atomic():
        reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels, for_update=True)
        companions = [reservation_lock(pk) for pk in
                      Reservation.objects.filter(lead=reservation.pk).order_by("id").values_list("pk", flat=True)]
        rooms = _whole(reservation, companions)
        decided = _cancel_rooms(rooms, reason=reason, gateway=gateway, actor=actor,
                                expected_penalty=expected_penalty, waive_reason=waive_reason)
    results = _cancel_send(decided, reason=reason, gateway=gateway)
    if not companions:
        return results[0]
    return BookingCancellationResult.of(reservation, results, reason=reason)


def room_cancel(*, confirmation_number: str, room: int, reason: str, gateway: PaymentGateway, hotels=None,
                actor=None, expected_penalty: Decimal | None = None) -> "CancellationResult":
    """Cancel one room of a booking: `room` is its place in the booking (1 is the lead, the room with the
    booking's number; 2, 3, ... the rooms numbered <number>-2, <number>-3, ...), found by the number of any room.

    The other rooms, their folios and inventory are untouched. The lead cancelled alone stays the booking's
    anchor: it keeps the booking's number and payment record, its status CANCELLED, and the booking goes on with
    its other rooms (cancelling the booking as a whole then cancels what is left). RESERVATION_NOT_FOUND for a
    room the booking does not have.
    """
    reason = (reason or "").strip() or "No reason given"
    found = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    rooms = found.booking_rooms()
    if not isinstance(room, int) or not 1 <= room <= len(rooms):
        raise ReservationNotFound(f"Booking {found.booking_lead.confirmation_number} has no room {room}.")
    with transaction.atomic():
        reservation = reservation_lock(rooms[room - 1].pk)
        decided = _cancel_rooms([reservation], reason=reason, gateway=gateway, actor=actor,
                                expected_penalty=expected_penalty)
    return _cancel_send(decided, reason=reason, gateway=gateway)[0]


@dataclass
class _Decided:
    reservation: Reservation
    terms: CancellationTerms
    released: int
    given_back: list
    attempts: list


def _cancel_rooms(rooms: list[Reservation], *, reason: str, gateway, actor,
                  expected_penalty: Decimal | None, waive_reason: str | None = None) -> list[_Decided]:
    """Inside the transaction holding the rooms: decide and record each room's cancellation."""
    for reservation in rooms:
        ensure_cancellable(reservation)
    # A change charged a moment ago and not applied (its caller is about to find the booking cancelled) does
    # not pay for the booking: it goes back whole, and the terms count what is left.
    given_back = {r.pk: [compensation_open(charge) for charge in unapplied_charges(r)] for r in rooms}
    terms = {r.pk: cancellation_terms(reservation=r) for r in rooms}
    c = rooms[0].currency
    waiver = waiver_check(actor=actor, hotel=rooms[0].hotel, reason=waive_reason) \
        if waive_reason is not None else None
    penalty = round_money(sum((t.penalty for t in terms.values()), ZERO), c)
    if expected_penalty is not None and round_money(expected_penalty, c) != penalty:
        refund = round_money(sum((t.refund for t in terms.values()), ZERO), c)
        raise PriceChanged("The cancellation penalty has changed since it was shown. Please review it.",
                           expected_penalty=str(round_money(expected_penalty, c)), penalty=str(penalty),
                           refund=str(refund))
    return [_cancel_one(r, terms[r.pk], given_back[r.pk], reason=reason, gateway=gateway, actor=actor,
                        waiver=waiver) for r in rooms]


def _cancel_one(reservation: Reservation, terms: CancellationTerms, given_back: list, *, reason: str, gateway,
                actor, waiver=None) -> _Decided:
    c = reservation.currency
    basis = (f"non-refundable since a change, policy {terms.penalty_quote.policy_penalty} {c}"
             if terms.penalty_quote.retained_applies else
             f"{terms.penalty_quote.tier_applied}, {terms.penalty_quote.penalty_description}")
    owed = round_money(terms.penalty - terms.paid, c)
    note = f"Cancelled: {reason}. Penalty: {terms.penalty} {c} ({basis}); refund {terms.refund} {c}"
    if waiver is not None:
        note = (f"Cancelled: {reason}. {waiver_note(waiver, actor=actor, waived=terms.penalty, currency=c)}; "
                f"refund {terms.paid} {c}")
        terms = replace(terms, penalty_quote=replace(terms.penalty_quote, penalty=ZERO, refund=terms.paid))
        owed = ZERO
    elif owed > 0:
        note += f"; {owed} {c} of the penalty to collect"
    transition(reservation, "cancel", reason=reason, penalty=terms.penalty, by=actor, note=note)
    released = inventory_release(holder=reservation.holder)
    reservation_save(reservation)
    events.event_record(events.RESERVATION_CANCELLED, reservation=reservation, payload={
        "guest_email": reservation.guest.email, "reason": reason,
        "cancelled_at": reservation.cancelled_at.isoformat(),
        "policy": terms.policy, "original_total": str(terms.total), "amount_paid": str(terms.paid),
        "penalty": str(terms.penalty), "refund": str(terms.refund), "currency": c,
        "room_nights_released": released})
    attempts = refunds_open(reservation=reservation, step=STEP, amount=terms.refund, gateway=gateway) \
        if terms.refund > 0 else []
    if owed > 0:
        # Charged to the card on file; without one (pay at the hotel, a channel's booking) it stays owed.
        charge = charge_on_file_open(reservation=reservation, step=STEP, amount=owed, gateway=gateway)
        attempts += [charge] if charge is not None else []
    return _Decided(reservation, terms, released, given_back, attempts)


def _cancel_send(decided: list[_Decided], *, reason: str, gateway) -> list[CancellationResult]:
    """After the commit: the money steps of each cancelled room, with nothing locked."""
    results = []
    for d in decided:
        attempts_send(d.given_back, gateway)
        attempts = attempts_send(d.attempts, gateway)
        results.append(CancellationResult(terms=d.terms, reservation=d.reservation, reason=reason,
                                          room_nights_released=d.released, refunds=refunded(attempts),
                                          attempts=attempts))
    return results


@finisher(STEP)
def cancellation_finish(attempt: PaymentAttempt) -> None:
    """A declined penalty charge leaves the penalty owed: it is flagged for the desk (the admin's "needs a person"
    list) beside the folio that shows it. A refund needs nothing more (a refused one is flagged already)."""
    if attempt.operation == PaymentAttempt.Operation.CHARGE_SAVED and attempt.state == PaymentAttempt.State.FAILED:
        PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=True)


# The booking-level views of a multi-room booking live in their own module; read from here by the callers.
from .cancellations_booking import BookingCancellationResult, BookingCancellationTerms  # noqa: E402
