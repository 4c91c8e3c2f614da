"""Check-out: the balance settled (card on file or the desk), the stay closed, loyalty points."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings import events
from bookings.models import Payment, PaymentAttempt, Reservation, Status, actor_label
from bookings.payments import PaymentGateway
from bookings.payments.attempts import finisher
from bookings.services import (
    reservation_get,
    reservation_lock,
    reservation_save,
    transition,
)
from bookings.services.ledger import (
    OPEN_STATES,
    attempts_send,
    charge_on_file_open,
    claimed,
    is_claimed,
    next_step,
    refunds_open,
    refunds_promised,
)
from hotelbooking.errors import (
    InvalidStateTransition,
    OutstandingBalance,
)
from hotelbooking.money import ZERO, fmt, round_money
from inventory.models import Room
from inventory.services import held_nights, inventory_release
from pricing.search import hotel_today

from ..folio import retained_posting
from ..incidentals import incidentals_settle
from ..models import (
    GuestStats,
    LoyaltyEntry,
    LoyaltyRule,
    RoomAssignment,
    StayRecord,
)
from ..selectors import Folio, check_out_preview, folio_get
from .common import _post, _reservation_locked, _state_label, clean_code, post_stay_nights

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class CheckOutResult:
    reservation: Reservation
    folio: Folio
    loyalty_points_earned: int
    rooms: list[str]


def loyalty_rule(currency: str) -> LoyaltyRule:
    return LoyaltyRule.objects.filter(currency=currency).first() or LoyaltyRule(currency=currency)


def _award_stay_points(reservation: Reservation, spent: Decimal) -> int:
    # The profile's own loyalty number, never the one typed with the booking: anyone may type a guest's email.
    guest = reservation.guest
    if not guest.loyalty_number or spent <= 0:
        return 0
    rule = loyalty_rule(reservation.currency)
    points = int((spent * rule.points_per_unit).to_integral_value(rounding="ROUND_FLOOR"))
    if points <= 0:
        return 0
    LoyaltyEntry.objects.create(
        guest=guest, loyalty_number=guest.loyalty_number, reservation=reservation, kind=LoyaltyEntry.Kind.STAY,
        points=points, description=f"Stay {reservation.confirmation_number}: {fmt(spent, reservation.currency)} "
                                   f"at {rule.points_per_unit.normalize():f} points per {reservation.currency}")
    return points


def _record_stay(reservation: Reservation, spent: Decimal, rooms: list[str], departed_on: date) -> None:
    nights = max(1, (min(departed_on, reservation.check_out) - reservation.check_in).days)
    StayRecord.objects.create(guest=reservation.guest, reservation=reservation, hotel=reservation.hotel,
                              arrived_on=reservation.check_in, departed_on=departed_on, nights=nights,
                              rooms=", ".join(rooms)[:200], total_spent=spent, currency=reservation.currency)
    GuestStats.objects.bulk_create([GuestStats(guest=reservation.guest, currency=reservation.currency)],
                                   ignore_conflicts=True)
    stats = GuestStats.objects.select_for_update().get(guest=reservation.guest, currency=reservation.currency)
    stats.stays += 1
    stats.nights += nights
    stats.lifetime_value += spent
    stats.first_stay_on = min(filter(None, [stats.first_stay_on, reservation.check_in]))
    stats.last_stay_on = max(filter(None, [stats.last_stay_on, departed_on]))
    stats.save()


DESK_GATEWAY = "desk"
DESK_PURPOSE = "CHECK_OUT_AT_DESK"


def _desk_payment(reservation: Reservation, amount: Decimal, actor=None) -> Payment:
    """The balance paid at the desk (cash or the desk's card terminal), recorded as a payment of the stay."""
    return Payment.objects.create(
        reservation=reservation, kind=Payment.Kind.CHARGE, amount=amount, currency=reservation.currency,
        gateway=DESK_GATEWAY, gateway_reference=f"desk:{actor_label(actor)}"[:100], purpose=DESK_PURPOSE)


CHECK_OUT_STEP = "CHECK_OUT"
# A charge posted to the folio while the balance was being charged: charge that too, a few times at most.
CHECK_OUT_ROUNDS = 3


def stay_check_out(*, confirmation_number: str, gateway: PaymentGateway, hotels=None, actor=None,
                   paid_at_desk: bool = False) -> CheckOutResult:
    """Settle and close a checked-in stay, with no gateway call inside a transaction.

    The balance (with the nights not posted yet) is settled first: charged to the card on file, or with
    `paid_at_desk` recorded as paid at the desk (cash or the desk's terminal: the way out when there is no card
    on file, e.g. a booking the channel paid, or it is declined). The charge (step CHECK_OUT, CHECK_OUT:2 for a
    later try) is recorded in a short transaction that changes nothing else and sent with nothing locked; only
    once it went through is the stay closed, in a second short transaction. Charging before closing keeps
    "money recorded = money moved" and never closes a stay owing what the card refused: a decline answers
    OUTSTANDING_BALANCE and changes nothing; an answer lost twice answers OUTSTANDING_BALANCE too, and checking
    out again sends the same charge with the same idempotency key rather than a second one.

    Closing: the nights posted, CHECKED_OUT, rooms NEEDS_CLEANING, nights not used given back to inventory, stay
    history and loyalty points, GuestCheckedOut, and a credit's refund recorded; the refund is sent after the
    commit and the check-out stands whatever the gateway says: refused for now it is queued and retried,
    refused outright it waits for a person in the admin (the folio shows the credit until it is paid back).
    """
    incidentals_settle(reservation=reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels),
                       gateway=gateway)  # the incidentals hold captured (a payment) before the balance is read
    for _ in range(CHECK_OUT_ROUNDS):
        _check_out_charges_settle(confirmation_number, hotels, gateway, paid_at_desk=paid_at_desk)
        with transaction.atomic():
            reservation = _reservation_locked(confirmation_number, hotels)
            _ensure_checked_in(reservation)
            balance = _settle_balance(reservation)
            charge = None
            if balance > 0 and not paid_at_desk:
                charge = _balance_charge_open(reservation, balance, gateway)
            else:
                closed = _check_out_close(reservation, gateway=gateway, actor=actor, paid_at_desk=paid_at_desk)
        if charge is None:
            break
        with claimed(charge):  # this caller closes the stay once it is paid: the finisher leaves it alone
            _balance_charge_send(charge, gateway, reservation)
    else:
        raise OutstandingBalance("Charges kept arriving on the folio while the balance was being charged. Please "
                                 "check the bill and check out again.", retryable=True,
                                 balance=str(balance), currency=reservation.currency)
    reservation, rooms, points, refunds = closed
    attempts_send(refunds, gateway)  # the check-out has committed: it stands whatever the answer
    return CheckOutResult(reservation=reservation, folio=folio_get(reservation), loyalty_points_earned=points,
                          rooms=rooms)


def _ensure_checked_in(reservation: Reservation) -> None:
    if reservation.status != Status.CHECKED_IN:
        raise InvalidStateTransition(
            f"Reservation {reservation.confirmation_number} is {_state_label(reservation)} and cannot be "
            "checked out.", state=reservation.status)


def _settle_balance(reservation: Reservation) -> Decimal:
    """The balance once the nights not posted yet are posted, net of refunds already on their way (which the
    folio still counts as paid until they are made)."""
    return round_money(check_out_preview(reservation).balance + refunds_promised(reservation),
                       reservation.currency)


def _open_check_out_charges(reservation_or_pk):
    return PaymentAttempt.objects.filter(reservation=reservation_or_pk, operation=PaymentAttempt.Operation.CHARGE_SAVED,
                                         step__startswith=CHECK_OUT_STEP, state__in=OPEN_STATES)


def _check_out_charges_settle(confirmation_number: str, hotels, gateway: PaymentGateway, *,
                              paid_at_desk: bool) -> None:
    """A balance charge of an earlier try whose answer was lost: ask again with its own key before anything
    else, so the guest is never charged twice. OUTSTANDING_BALANCE (retryable) if it is still unknown, unless
    the desk takes the balance itself: then the guest leaves, and should the card charge turn out to have gone
    through, the CHECK_OUT finisher refunds what was paid twice."""
    reservation = reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels)
    for attempt in _open_check_out_charges(reservation):
        with claimed(attempt):
            attempt = attempts_send([attempt], gateway)[0]
        if attempt.open and not paid_at_desk:
            raise _balance_pending(reservation, attempt)


def _balance_pending(reservation: Reservation, attempt: PaymentAttempt) -> OutstandingBalance:
    amount = fmt(attempt.amount, reservation.currency)
    return OutstandingBalance(
        f"The charge of {amount} to the card on file has not been confirmed by the payment provider yet. Please "
        "check out again in a moment: the same charge is asked for again, never a second one.",
        retryable=True, retry_action="RETRY_LATER", balance=str(round_money(attempt.amount, reservation.currency)),
        currency=reservation.currency, reason="The payment is being confirmed.", decline_code="payment_pending")


def _balance_charge_open(reservation: Reservation, balance: Decimal, gateway: PaymentGateway) -> PaymentAttempt:
    """Inside the transaction: record the charge of the balance to the card on file (OUTSTANDING_BALANCE if
    there is no card on file)."""
    charge = charge_on_file_open(reservation=reservation, step=next_step(reservation, CHECK_OUT_STEP),
                                 amount=balance, gateway=gateway)
    if charge is None:
        raise _not_charged(reservation, balance, "There is no card on file for this reservation.", "no_card_on_file")
    return charge


def _not_charged(reservation: Reservation, balance: Decimal, reason: str, code: str) -> OutstandingBalance:
    return OutstandingBalance(
        f"The balance of {fmt(balance, reservation.currency)} could not be charged to the card on file: {reason} "
        "Please take another form of payment and check out with the balance paid at the desk.",
        balance=str(balance), currency=reservation.currency, reason=reason, decline_code=code)


def _balance_charge_send(charge: PaymentAttempt, gateway: PaymentGateway, reservation: Reservation) -> None:
    """Send the balance charge (nothing locked). A decline or an answer still unknown is OUTSTANDING_BALANCE."""
    charge = attempts_send([charge], gateway, ask_again=True)[0]
    if charge.state == PaymentAttempt.State.FAILED:
        raise _not_charged(reservation, round_money(charge.amount, reservation.currency),
                           charge.error_message or "The card on file was declined.", charge.error_code)
    if charge.open:
        raise _balance_pending(reservation, charge)


def _check_out_close(reservation: Reservation, *, gateway: PaymentGateway, actor, paid_at_desk: bool):
    """Inside the transaction holding the reservation, its balance settled or a credit: close the stay.

    Returns (reservation, rooms, loyalty points, the credit's refund attempts to send after the commit).
    """
    today = hotel_today(reservation.hotel)
    post_stay_nights(reservation, actor=actor)
    _post(reservation, [p for p in [retained_posting(reservation)] if p], actor=actor)
    balance = round_money(folio_get(reservation).totals.balance + refunds_promised(reservation),
                          reservation.currency)
    refunds = []
    if balance > 0 and paid_at_desk:
        _desk_payment(reservation, balance, actor)
    elif balance < 0:
        refunds = refunds_open(reservation=reservation, step=CHECK_OUT_STEP, amount=-balance, gateway=gateway)

    assignments = list(RoomAssignment.objects.select_for_update().filter(reservation=reservation)
                       .select_related("room").order_by("room_id"))
    now = timezone.now()
    occupied = [a for a in assignments if a.released_at is None]  # not the rooms a room move left earlier
    for a in occupied:
        end = max(a.start_date, min(a.end_date, today))  # an early departure frees the nights left
        RoomAssignment.objects.filter(pk=a.pk).update(end_date=end, released_at=now)
    room_ids = [a.room_id for a in occupied]
    Room.objects.filter(pk__in=room_ids).update(status=Room.Status.NEEDS_CLEANING)
    unused = [n for n in held_nights(reservation.holder) if n >= today]
    if unused:
        inventory_release(holder=reservation.holder, nights=unused)

    transition(reservation, "check_out_guest", by=actor, note=_settled_note(reservation, balance))
    reservation_save(reservation)
    folio = folio_get(reservation)
    rooms = [a.room.number for a in assignments]
    _record_stay(reservation, folio.spent, rooms, today)
    points = _award_stay_points(reservation, folio.spent)
    events.event_record(events.GUEST_CHECKED_OUT, reservation=reservation, payload={
        "rooms": rooms, "room_ids": room_ids, "total_spent": str(folio.spent),
        "currency": reservation.currency, "loyalty_points_earned": points,
        "released_dates": [n.isoformat() for n in unused]})
    if unused:
        events.event_record(events.INVENTORY_CHANGED, payload={
            "hotel": reservation.hotel.code, "room_type": reservation.room_type.code,
            "room_type_id": reservation.room_type_id, "dates": [n.isoformat() for n in unused],
            "start": unused[0].isoformat(), "end": (unused[-1] + timedelta(days=1)).isoformat(),
            "reason": "EARLY_DEPARTURE"})
    return reservation, rooms, points, refunds


def _settled_note(reservation: Reservation, balance: Decimal) -> str:
    """What settling the stay moved: the credit refunded, the balance paid at the desk, or charged before."""
    if not balance:
        balance = sum((a.amount for a in PaymentAttempt.objects.filter(
            reservation=reservation, operation=PaymentAttempt.Operation.CHARGE_SAVED,
            step__startswith=CHECK_OUT_STEP, state=PaymentAttempt.State.SUCCEEDED)), ZERO)
    return f"Settled {fmt(balance, reservation.currency)}" if balance else ""


@finisher(CHECK_OUT_STEP)
def check_out_finish(attempt: PaymentAttempt) -> None:
    """A balance charge settled with nobody waiting on it (its check-out gave up on a lost answer). While the
    guest is in house the money simply counts towards the folio; if the stay was closed meanwhile (the balance
    paid at the desk), what it overpaid is refunded: recorded here, due now, sent by the settle task."""
    if attempt.operation != PaymentAttempt.Operation.CHARGE_SAVED or is_claimed(attempt) or \
            attempt.state != PaymentAttempt.State.SUCCEEDED:
        return
    with transaction.atomic():
        reservation = reservation_lock(attempt.reservation_id, status=Status.CHECKED_OUT)
        if reservation is None:
            return
        credit = -round_money(folio_get(reservation).totals.balance + refunds_promised(reservation),
                              reservation.currency)
        if credit <= 0:
            return
        refunds = refunds_open(reservation=reservation, step=f"COMPENSATE:{attempt.pk}",
                               amount=min(credit, attempt.amount), gateway=attempt.gateway)
        PaymentAttempt.objects.filter(pk__in=[r.pk for r in refunds], next_try_at=None).update(
            next_try_at=timezone.now())
