"""Front-desk use cases: check-in, charges, check-out, housekeeping, out-of-order rooms, loyalty, night audit.

Each use case runs in one transaction; those that move money (check-out, no-shows) in short ones, with the
gateway called between them and never with a row locked (bookings/payments/attempts.py). Locks are always taken
in the same order as the booking services: the reservation row, then room rows (by id), then inventory nights
(by date), so two desks never deadlock.
The API, the admin console and the Celery tasks all call these functions, so the rules cannot differ.
"""

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from bookings import events
from bookings.models import Channel, OutboxEvent, Payment, PaymentAttempt, Reservation, Status, actor_label
from bookings.payments import PaymentGateway
from bookings.payments.attempts import finisher
from bookings.services import (
    balance_at_check_in,
    reservation_get,
    reservation_lock,
    reservation_save,
    transition,
)
from bookings.services.ledger import (
    OPEN_STATES,
    amount_paid_net,
    attempts_send,
    charge_on_file_open,
    claimed,
    compensation_open,
    is_claimed,
    next_step,
    refunds_open,
    refunds_promised,
    unapplied_charges,
)
from bookings.waivers import waiver_check, waiver_note
from hotelbooking.errors import (
    ChargeNotFound,
    CheckInTooEarly,
    DomainError,
    InvalidCurrency,
    InvalidDates,
    InvalidState,
    InvalidStateTransition,
    OutOfOrderNotFound,
    OutOfOrderWouldOversell,
    OutstandingBalance,
    RoomCountMismatch,
    RoomNotAvailable,
    RoomNotFound,
    RoomTypeMismatch,
    StayEnded,
    TaskNotFound,
    ValidationFailed,
)
from hotelbooking.money import ZERO, fmt, round_money
from inventory.models import Hotel, InventoryDay, Room, nights_between
from inventory.services import held_nights, inventory_release
from pricing.cancellation import no_show_penalty
from pricing.search import hotel_today

from .audit import audit_created
from .folio import Posting, nightly_totals, retained_posting
from .incidentals import incidentals_hold_at_check_in, incidentals_settle
from .models import (
    FolioLine,
    GuestStats,
    HousekeepingTask,
    LoyaltyEntry,
    LoyaltyRule,
    NightAuditRun,
    NightAuditSchedule,
    RoomAssignment,
    RoomOutOfOrder,
    StayRecord,
)
from .selectors import Folio, check_out_preview, folio_get, out_of_order_overlapping, stay_plan

logger = logging.getLogger(__name__)

MAX_KEY_CARDS_PER_ROOM = 6


# --- who did it ------------------------------------------------------------------------------------------

def _actor_user(actor):
    return actor if getattr(actor, "pk", None) and hasattr(actor, "is_staff") else None


def clean_code(value: str) -> str:
    """Path and body identifiers: a NUL byte can never match anything (and PostgreSQL refuses it)."""
    return (value or "").replace("\x00", "").strip()


def _reservation_locked(confirmation_number: str, hotels) -> Reservation:
    return reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels, for_update=True)


def _state_label(reservation: Reservation) -> str:
    return reservation.get_status_display().lower()


# --- folio postings --------------------------------------------------------------------------------------

def _post(reservation: Reservation, postings: list[Posting], *, actor=None) -> int:
    """Post what is not posted yet (by posting key). The caller holds the reservation's lock."""
    if not postings:
        return 0
    done = set(FolioLine.objects.filter(reservation=reservation).exclude(posting_key="")
               .values_list("posting_key", flat=True))
    new = [FolioLine(reservation=reservation, kind=p.kind, description=p.description[:200], amount=p.amount,
                     currency=reservation.currency, business_date=p.night, actor=actor_label(actor),
                     posting_key=p.key)
           for p in postings if p.key not in done]
    FolioLine.objects.bulk_create(new)
    return len(new)


def _post_stay_nights(reservation: Reservation, *, through: date | None = None, actor=None) -> int:
    """Post the room nights (with their taxes and fees) up to and including `through` (all when None)."""
    postings = stay_plan(reservation)
    if through is not None:
        postings = [p for p in postings if p.night <= through]
    return _post(reservation, postings, actor=actor)


def _channel_collected(reservation: Reservation) -> bool:
    """An OTA booking confirmed without our charging the guest: the channel pays the hotel."""
    return reservation.channel == Channel.OTA and not Payment.objects.filter(
        reservation=reservation, result=Payment.Result.SUCCEEDED).exists()


def _post_line(reservation: Reservation, *, kind: str, description: str, amount: Decimal, business_date: date,
               actor=None, key: str = "", reverses: FolioLine | None = None) -> FolioLine:
    return FolioLine.objects.create(
        reservation=reservation, kind=kind, description=description[:200],
        amount=round_money(amount, reservation.currency), currency=reservation.currency,
        business_date=business_date, posted_by=_actor_user(actor), actor=actor_label(actor), posting_key=key,
        reverses=reverses)


# --- check-in --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckInResult:
    reservation: Reservation
    assignments: list[RoomAssignment]

    @property
    def key_cards_issued(self) -> int:
        return sum(a.key_cards for a in self.assignments)


def _room_numbers(numbers) -> list[str]:
    if isinstance(numbers, str):
        numbers = [numbers]
    return [clean_code(str(n)) for n in (numbers or [])]


def _rooms_for_stay(reservation: Reservation, numbers: list[str]) -> list[Room]:
    """The rooms asked for, locked, each checked: exists, right type, clean and free for the stay's nights."""
    hotel = reservation.hotel
    rooms = {r.number: r for r in Room.objects.select_for_update(of=("self",))
             .filter(hotel=hotel, number__in=numbers).select_related("room_type").order_by("id")}
    ordered = []
    for number in numbers:
        room = rooms.get(number)
        if room is None:
            raise RoomNotFound(f"Room {number} does not exist at {hotel.name}.", room=number)
        ordered.append(room)
    for room in ordered:
        if room.room_type_id != reservation.room_type_id:
            raise RoomTypeMismatch(f"Room {room.number} is not a {reservation.room_type.name}.", room=room.number,
                                   room_type=room.room_type.code)
        if room.status != Room.Status.AVAILABLE:
            raise RoomNotAvailable(f"Room {room.number} is {room.status}.", room=room.number,
                                   room_status=room.status)
    ids = [r.id for r in ordered]
    clash = (RoomAssignment.objects.filter(room_id__in=ids, start_date__lt=reservation.check_out,
                                           end_date__gt=reservation.check_in)
             .exclude(reservation=reservation).select_related("room", "reservation").first())
    if clash is not None:
        raise RoomNotAvailable(
            f"Room {clash.room.number} is assigned to reservation {clash.reservation.confirmation_number} "
            f"until {clash.end_date:%B %-d, %Y}.", room=clash.room.number, room_status=clash.room.status)
    blocked = (out_of_order_overlapping(reservation.check_in, reservation.check_out).filter(room_id__in=ids)
               .select_related("room").first())
    if blocked is not None:
        raise RoomNotAvailable(
            f"Room {blocked.room.number} is out of order from {blocked.start_date:%B %-d} to "
            f"{blocked.effective_end:%B %-d, %Y} ({blocked.reason}).", room=blocked.room.number,
            room_status=Room.Status.OUT_OF_ORDER)
    return ordered


def stay_check_in(*, confirmation_number: str, room_numbers=(), hotels=None, actor=None,
                  key_cards_per_room: int = 2, reassign: bool = False) -> CheckInResult:
    """Give a CONFIRMED reservation its rooms, on or after its arrival day (hotel time), and check it in.

    One room per booked room, each of the booked type, AVAILABLE and not in another stay whose dates overlap
    (checked here under the room locks; on PostgreSQL also forbidden by an exclusion constraint). With no room
    numbers, the rooms assigned ahead of arrival; other rooms than those only with `reassign` (frontdesk/
    assignments.py).
    """
    from .assignments import check_in_room_numbers

    if not 1 <= int(key_cards_per_room) <= MAX_KEY_CARDS_PER_ROOM:
        raise ValidationFailed(f"Issue between 1 and {MAX_KEY_CARDS_PER_ROOM} key cards per room.",
                               field="key_cards_per_room")
    numbers = _room_numbers(room_numbers)
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        cn = reservation.confirmation_number
        if reservation.status != Status.CONFIRMED:
            raise InvalidStateTransition(f"Reservation {cn} is {_state_label(reservation)} and cannot be checked in.",
                                         state=reservation.status)
        today = hotel_today(reservation.hotel)
        if today < reservation.check_in:
            raise CheckInTooEarly(f"Reservation {cn} arrives on {reservation.check_in:%B %-d, %Y}; "
                                  "it can be checked in from that day.", arrival=str(reservation.check_in))
        if today >= reservation.check_out:
            raise StayEnded(f"Reservation {cn} was due to leave on {reservation.check_out:%B %-d, %Y}; "
                            "it can no longer be checked in.", departure=str(reservation.check_out))
        numbers = check_in_room_numbers(reservation, numbers, reassign=reassign)
        wanted = reservation.room_count
        if len(numbers) != wanted or len(set(numbers)) != len(numbers) or not all(numbers):
            raise RoomCountMismatch(
                f"Reservation {cn} is for {wanted} room{'s' if wanted != 1 else ''}; give {wanted} different "
                f"room number{'s' if wanted != 1 else ''}.", expected=wanted, given=len(numbers))
        rooms = _rooms_for_stay(reservation, numbers)
        assignments = [RoomAssignment(reservation=reservation, room=room, start_date=reservation.check_in,
                                      end_date=reservation.check_out, key_cards=int(key_cards_per_room),
                                      assigned_by=_actor_user(actor), actor=actor_label(actor))
                       for room in rooms]
        try:
            with transaction.atomic():
                RoomAssignment.objects.filter(reservation=reservation).delete()  # those assigned ahead: renewed
                RoomAssignment.objects.bulk_create(assignments)
                audit_created(assignments, actor=actor)
        except IntegrityError:  # the PostgreSQL exclusion constraint: another desk was faster
            raise RoomNotAvailable("One of these rooms was just given to another stay. Please pick again.",
                                   retryable=True) from None
        Room.objects.filter(pk__in=[r.pk for r in rooms]).update(status=Room.Status.OCCUPIED)
        numbers_label = ", ".join(r.number for r in rooms)
        transition(reservation, "check_in_guest", by=actor, note=f"Room{'s' if len(rooms) > 1 else ''} "
                                                                   f"{numbers_label}")
        reservation_save(reservation)
        if _channel_collected(reservation):
            _post_line(reservation, kind=FolioLine.Kind.TRANSFER, amount=-reservation.grand_total,
                       description=f"Room and tax billed to {reservation.source or 'the booking channel'}",
                       business_date=today, actor=actor, key="channel-transfer")
        result = CheckInResult(reservation=reservation, assignments=assignments)
        events.event_record(events.GUEST_CHECKED_IN, reservation=reservation, payload={
            "rooms": [r.number for r in rooms], "room_ids": [r.pk for r in rooms],
            "key_cards_issued": result.key_cards_issued})
    incidentals_hold_at_check_in(reservation=reservation)  # after the commit: the card is asked with nothing locked
    # A deposit booking whose balance is due at check-in: charged once the check-in has committed.
    transaction.on_commit(partial(balance_at_check_in, reservation_id=reservation.pk))
    return result


# --- charges ---------------------------------------------------------------------------------------------

def _parse_amount(value, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("The amount must be a number, e.g. 12.50.", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("The amount must be positive.", field="amount")
    if amount > Decimal("1000000"):
        raise ValidationFailed("The amount is too large for one charge.", field="amount")
    if round_money(amount, currency) != amount:
        raise ValidationFailed(f"The amount has more decimal places than {currency} allows.", field="amount")
    return amount


def charge_post(*, confirmation_number: str, kind: str, amount, currency: str, description: str = "",
                hotels=None, actor=None) -> FolioLine:
    """Post an incidental charge (minibar, spa, ...) to a checked-in guest's folio, in the hotel's currency."""
    kind = (kind or "").strip().upper()
    if kind not in FolioLine.INCIDENTALS:
        raise ValidationFailed(f"type must be one of {', '.join(FolioLine.INCIDENTALS)}.", field="type")
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState("Can only post charges for checked-in guests.", state=reservation.status)
        hotel_currency = reservation.hotel.currency
        if (currency or "").strip().upper() != hotel_currency:
            raise InvalidCurrency(f"Charges at {reservation.hotel.name} are in {hotel_currency}.",
                                  currency=str(currency)[:10], expected=hotel_currency)
        value = _parse_amount(amount, hotel_currency)
        text = (description or "").strip() or FolioLine.Kind(kind).label
        return _post_line(reservation, kind=kind, description=text, amount=value,
                          business_date=hotel_today(reservation.hotel), actor=actor)


def charge_reverse(*, confirmation_number: str, line_id: int, reason: str = "", hotels=None,
                   actor=None) -> FolioLine:
    """Correct a mistaken incidental charge with an opposite line. Nothing is ever deleted from a folio."""
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        line = FolioLine.objects.select_for_update().filter(reservation=reservation, pk=line_id).first()
        if line is None:
            raise ChargeNotFound(f"Reservation {reservation.confirmation_number} has no charge {line_id}.")
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState("Charges can only be corrected while the guest is checked in.",
                               state=reservation.status)
        if line.reverses_id is not None:
            raise InvalidState(f"Line {line.pk} is a reversal: it corrects charge {line.reverses_id}. A reversal "
                               "cannot be reversed; if the charge was right after all, post the charge again.",
                               reverses=line.reverses_id)
        if not line.is_incidental:
            raise InvalidState("Only incidental charges can be reversed; room nights, taxes and fees follow the "
                               "booking.")
        if FolioLine.objects.filter(reverses=line).exists():
            raise InvalidState(f"Charge {line.pk} has already been reversed.")
        note = (reason or "").strip()
        return _post_line(reservation, kind=FolioLine.Kind.CORRECTION, amount=-line.amount, reverses=line,
                          description=f"Reversal of {line.description}" + (f": {note}" if note else ""),
                          business_date=hotel_today(reservation.hotel), actor=actor)


# --- check-out -------------------------------------------------------------------------------------------

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
    _post_stay_nights(reservation, actor=actor)
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


# --- housekeeping ----------------------------------------------------------------------------------------

def housekeeping_tasks_for_departure(*, reservation: Reservation) -> list[HousekeepingTask]:
    """One departure clean per room the stay released. Running it again creates nothing more."""
    room_ids = list(RoomAssignment.objects.filter(reservation=reservation).values_list("room_id", flat=True))
    HousekeepingTask.objects.bulk_create(
        [HousekeepingTask(room_id=rid, reservation=reservation, kind=HousekeepingTask.Kind.DEPARTURE,
                          note=f"Departure of {reservation.confirmation_number}") for rid in room_ids],
        ignore_conflicts=True)
    return list(HousekeepingTask.objects.filter(reservation=reservation, kind=HousekeepingTask.Kind.DEPARTURE))


_TASK_MOVES = {HousekeepingTask.Status.IN_PROGRESS: "start", HousekeepingTask.Status.DONE: "finish"}


def housekeeping_task_move(*, task_id: int, to: str, hotels=None, actor=None) -> HousekeepingTask:
    """Move a task OPEN -> IN_PROGRESS -> DONE. DONE makes a room that needed cleaning AVAILABLE."""
    to = (to or "").strip().upper()
    if to not in _TASK_MOVES:
        raise ValidationFailed("status must be IN_PROGRESS or DONE.", field="status")
    with transaction.atomic():
        tasks = HousekeepingTask.objects.select_for_update(of=("self",)).select_related("room")
        if hotels is not None:
            tasks = tasks.filter(room__hotel__in=hotels)
        task = tasks.filter(pk=task_id).first()
        if task is None:
            raise TaskNotFound(f"No housekeeping task {task_id}.")
        try:
            getattr(task, _TASK_MOVES[to])(by=actor_label(actor))
        except TransitionNotAllowed:
            raise InvalidStateTransition(
                f"The task for room {task.room.number} is {task.status} and cannot become {to}; "
                "tasks go OPEN, IN_PROGRESS, DONE.", state=task.status) from None
        task.save()
        if to == HousekeepingTask.Status.DONE:
            _rooms_back_in_service(Room.objects.filter(pk=task.room_id), from_status=Room.Status.NEEDS_CLEANING)
            task.room.refresh_from_db(fields=["status"])
    return task


def _rooms_back_in_service(rooms, *, from_status: str) -> int:
    """Rooms (a queryset) in `from_status` become AVAILABLE, unless a housekeeping task of theirs is still
    unfinished: then NEEDS_CLEANING, so a dirty room is never offered to a guest. Returns rooms changed."""
    unfinished = HousekeepingTask.objects.exclude(status=HousekeepingTask.Status.DONE).values("room_id")
    rooms = rooms.filter(status=from_status)
    dirty = rooms.filter(pk__in=unfinished).exclude(status=Room.Status.NEEDS_CLEANING) \
        .update(status=Room.Status.NEEDS_CLEANING)
    clean = rooms.exclude(pk__in=unfinished).update(status=Room.Status.AVAILABLE)
    return dirty + clean


# --- out of order ----------------------------------------------------------------------------------------

def _inventory_changed(room: Room, nights: list[date], reason: str) -> None:
    if not nights:
        return
    events.event_record(events.INVENTORY_CHANGED, payload={
        "hotel": room.hotel.code, "room_type": room.room_type.code, "room_type_id": room.room_type_id,
        "dates": [n.isoformat() for n in nights], "start": nights[0].isoformat(),
        "end": (nights[-1] + timedelta(days=1)).isoformat(), "reason": reason, "room": room.number})


def room_out_of_order_set(*, hotel: Hotel, room_number: str, start: date, end: date, reason: str,
                          actor=None) -> RoomOutOfOrder:
    """Take a room out of service for the nights [start, end): one fewer sellable room of its type each night.

    Refused if a stay is assigned to the room on those nights, or if every sellable room of the type is sold on
    some night (OUT_OF_ORDER_WOULD_OVERSELL: the CHECK constraint sold <= total - out_of_order stands behind it).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the reason the room is out of order.", field="reason")
    today = hotel_today(hotel)
    if end <= start:
        raise InvalidDates("The end date must be after the start date.", field="end_date")
    if start < today:
        raise InvalidDates("An out-of-order period cannot start in the past.", field="start_date")
    if (end - start).days > 366:
        raise InvalidDates("An out-of-order period can be at most a year long.", field="end_date")
    number = clean_code(room_number)
    with transaction.atomic():
        room = Room.objects.select_for_update(of=("self",)).select_related("room_type", "hotel").filter(
            hotel=hotel, number=number).first() if number else None
        if room is None:
            raise RoomNotFound(f"Room {number} does not exist at {hotel.name}.", room=number)
        overlapping = RoomOutOfOrder.objects.filter(room=room, start_date__lt=end, end_date__gt=start,
                                                    lifted_at__isnull=True).first()
        if overlapping is not None:
            raise RoomNotAvailable(f"Room {room.number} is already out of order from "
                                   f"{overlapping.start_date:%B %-d} to {overlapping.end_date:%B %-d, %Y}.",
                                   room=room.number)
        stay = RoomAssignment.objects.filter(room=room, start_date__lt=end, end_date__gt=start,
                                             released_at__isnull=True).select_related("reservation").first()
        if stay is not None:
            raise RoomNotAvailable(f"Room {room.number} is assigned to reservation "
                                   f"{stay.reservation.confirmation_number} until {stay.end_date:%B %-d, %Y}.",
                                   room=room.number, room_status=room.status)
        nights = nights_between(start, end)
        days = {d.date: d for d in InventoryDay.objects.select_for_update()
                .filter(room_type=room.room_type, date__in=nights).order_by("date")}
        for night in nights:
            day = days.get(night)
            if day is None:
                raise InvalidDates(f"No inventory is open for {night:%B %-d, %Y}; out-of-order periods must lie "
                                   "within open inventory.", field="end_date")
            if day.total - day.out_of_order - day.sold < 1:
                raise OutOfOrderWouldOversell(
                    f"Room {room.number} cannot be taken out of order on {night:%B %-d, %Y}: all "
                    f"{day.total - day.out_of_order} sellable {room.room_type.name} rooms are sold that night.",
                    date=str(night), sold=day.sold)
        InventoryDay.objects.filter(pk__in=[d.pk for d in days.values()]).update(out_of_order=F("out_of_order") + 1)
        period = RoomOutOfOrder.objects.create(room=room, start_date=start, end_date=end, reason=reason[:300],
                                               created_by=actor_label(actor))
        if start <= today:
            Room.objects.filter(pk=room.pk).exclude(status=Room.Status.OCCUPIED).update(
                status=Room.Status.OUT_OF_ORDER)
        _inventory_changed(room, nights, "OUT_OF_ORDER")
    return period


def room_out_of_order_lift(*, period_id: int, hotels=None, actor=None) -> RoomOutOfOrder:
    """End an out-of-order period early: its remaining nights are sellable again and the room AVAILABLE."""
    with transaction.atomic():
        periods = RoomOutOfOrder.objects.select_for_update(of=("self",)).select_related(
            "room__hotel", "room__room_type")
        if hotels is not None:
            periods = periods.filter(room__hotel__in=hotels)
        period = periods.filter(pk=period_id).first()
        if period is None:
            raise OutOfOrderNotFound(f"No out-of-order period {period_id}.")
        room = Room.objects.select_for_update().get(pk=period.room_id)
        today = hotel_today(period.room.hotel)
        if period.lifted_at is not None or period.end_date <= today:
            raise InvalidState(f"The out-of-order period of room {room.number} has already ended.")
        back_from = max(period.start_date, today)
        nights = nights_between(back_from, period.end_date)
        days = list(InventoryDay.objects.select_for_update().filter(
            room_type_id=room.room_type_id, date__in=nights, out_of_order__gt=0).order_by("date"))
        InventoryDay.objects.filter(pk__in=[d.pk for d in days]).update(out_of_order=F("out_of_order") - 1)
        period.lifted_at, period.lifted_on, period.lifted_by = timezone.now(), back_from, actor_label(actor)
        period.save(update_fields=["lifted_at", "lifted_on", "lifted_by"])
        _rooms_back_in_service(Room.objects.filter(pk=room.pk), from_status=Room.Status.OUT_OF_ORDER)
        _inventory_changed(period.room, nights, "BACK_IN_SERVICE")
    return period


def out_of_order_sync(*, hotel: Hotel, today: date) -> int:
    """Rooms whose out-of-order period has begun become OUT_OF_ORDER; those whose period is over, AVAILABLE
    (NEEDS_CLEANING while a housekeeping task of theirs is unfinished).

    Inventory needs nothing here: the nights were counted when the period was set. Returns rooms changed.
    """
    active = RoomOutOfOrder.objects.filter(room__hotel=hotel, start_date__lte=today, end_date__gt=today,
                                           lifted_at__isnull=True)
    started = Room.objects.filter(pk__in=active.values("room_id"),
                                  status__in=[Room.Status.AVAILABLE, Room.Status.NEEDS_CLEANING]) \
        .update(status=Room.Status.OUT_OF_ORDER)
    ended_rooms = RoomOutOfOrder.objects.filter(room__hotel=hotel).filter(
        Q(end_date__lte=today) | Q(lifted_at__isnull=False)).values("room_id")
    ended = _rooms_back_in_service(Room.objects.filter(pk__in=ended_rooms).exclude(pk__in=active.values("room_id")),
                                   from_status=Room.Status.OUT_OF_ORDER)
    return started + ended


# --- loyalty ---------------------------------------------------------------------------------------------

def loyalty_award_booking(*, reservation: Reservation, event_id=None) -> LoyaltyEntry | None:
    """The booking bonus, once per reservation, to the guest profile's own loyalty number (not the one typed
    with the booking, reservation.guest_loyalty_number, which anyone typing the guest's email could set)."""
    guest = reservation.guest
    if not guest.loyalty_number:
        return None
    rule = loyalty_rule(reservation.currency)
    if rule.booking_points <= 0:
        return None
    entry, _ = LoyaltyEntry.objects.get_or_create(
        reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING,
        defaults=dict(guest=guest, loyalty_number=guest.loyalty_number, points=rule.booking_points,
                      event_id=event_id, description=f"Booking {reservation.confirmation_number}"))
    return entry


def loyalty_withdraw_booking(*, reservation: Reservation, event_id=None) -> LoyaltyEntry | None:
    """A cancelled or no-show booking gives its booking bonus back, once."""
    bonus = LoyaltyEntry.objects.filter(reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING).first()
    if bonus is None:
        return None
    entry, _ = LoyaltyEntry.objects.get_or_create(
        reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING_REVERSAL,
        defaults=dict(guest=bonus.guest, loyalty_number=bonus.loyalty_number, points=-bonus.points,
                      event_id=event_id,
                      description=f"Booking {reservation.confirmation_number} {_state_label(reservation)}"))
    return entry


def loyalty_balance(guest) -> int:
    from django.db.models import Sum

    return LoyaltyEntry.objects.filter(guest=guest).aggregate(total=Sum("points"))["total"] or 0


def cancellation_penalty_post(*, reservation: Reservation) -> FolioLine | None:
    """A cancelled reservation's penalty belongs on its folio (once), next to the payments and refund."""
    penalty = reservation.cancellation_penalty
    if reservation.status != Status.CANCELLED or not penalty or penalty <= 0:
        return None
    with transaction.atomic():
        Reservation.objects.select_for_update().filter(pk=reservation.pk).first()
        existing = FolioLine.objects.filter(reservation=reservation, posting_key="cancellation").first()
        if existing is not None:
            return existing
        when = timezone.localtime(reservation.cancelled_at or timezone.now(), reservation.hotel.tz).date()
        line = _post_line(reservation, kind=FolioLine.Kind.PENALTY, amount=penalty, business_date=when,
                          description="Cancellation penalty", key="cancellation")
        if _channel_collected(reservation):  # the channel collects it from its guest, as for a no-show
            _post_line(reservation, kind=FolioLine.Kind.TRANSFER, amount=-penalty, business_date=when,
                       description=f"Cancellation penalty billed to {reservation.source or 'the booking channel'}",
                       key="channel-transfer-cancellation")
        return line


# --- night audit -----------------------------------------------------------------------------------------

NO_SHOW_STEP = "NO_SHOW"


def no_show_terms(reservation: Reservation) -> tuple[Decimal, Decimal]:
    """The no-show penalty the policy asks of `reservation` and what it has paid (net): reads only."""
    penalty = no_show_penalty(snapshot=reservation.cancellation_policy or {}, total=reservation.grand_total,
                              nightly_totals=nightly_totals(stay_plan(reservation)), currency=reservation.currency,
                              retained=reservation.retained_amount)
    return penalty, amount_paid_net(reservation)


def reservation_no_show(*, reservation_id: int, gateway: PaymentGateway, business_date: date, actor=None,
                        waive_reason: str | None = None) -> Reservation | None:
    """A CONFIRMED reservation whose arrival day has passed: NO_SHOW with the policy's no-show penalty.

    One short transaction marks it, posts the penalty to the folio, gives the rooms back and records the money
    the penalty moves (step NO_SHOW:<business date>): what was paid beyond it refunded, what is missing charged
    to the card on file (a card guarantee's saved card included). After the commit the attempts are sent with
    nothing locked. The no-show stands whatever the gateway says: a declined charge leaves the penalty open on
    the folio, a refund refused for now is queued and retried, one refused outright waits for a person.
    ReservationNoShow is recorded once the money has its first answers, saying what was refunded, collected,
    is still outstanding (declined, or no card) and pending (being settled).
    """
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.CONFIRMED)
        if reservation is None or reservation.check_in > business_date:
            return None
        currency = reservation.currency
        waiver = waiver_check(actor=actor, hotel=reservation.hotel, reason=waive_reason) \
            if waive_reason is not None else None
        # A change charged a moment ago and not applied does not pay for the stay: it goes back whole.
        given_back = [compensation_open(charge) for charge in unapplied_charges(reservation)]
        penalty, paid = no_show_terms(reservation)
        note = f"No-show: penalty {fmt(penalty, currency)}"
        if waiver is not None:  # a manager's waiver (bookings.waivers): nothing kept, everything paid back
            waived = waiver_note(waiver, actor=actor, waived=round_money(penalty, currency), currency=currency)
            note = f"No-show. {waived}"
            penalty = ZERO
        transition(reservation, "mark_no_show", by=actor, note=note)
        reservation_save(reservation)
        if penalty > 0:
            _post_line(reservation, kind=FolioLine.Kind.PENALTY, amount=penalty, business_date=business_date,
                       description=f"No-show penalty ({(reservation.cancellation_policy or {}).get('name', '')})",
                       key="no-show")
        step = f"{NO_SHOW_STEP}:{business_date.isoformat()}"
        attempts: list[PaymentAttempt] = []
        if _channel_collected(reservation):
            if penalty > 0:
                _post_line(reservation, kind=FolioLine.Kind.TRANSFER, amount=-penalty, business_date=business_date,
                           description=f"No-show penalty billed to {reservation.source or 'the booking channel'}",
                           key="channel-transfer-no-show")
        elif paid > penalty:
            attempts = refunds_open(reservation=reservation, step=step, amount=paid - penalty, gateway=gateway)
        elif paid < penalty:
            charge = charge_on_file_open(reservation=reservation, step=step, amount=penalty - paid, gateway=gateway)
            attempts = [charge] if charge is not None else []
        inventory_release(holder=reservation.holder)
        if not attempts:
            uncharged = penalty - paid if paid < penalty and not _channel_collected(reservation) else ZERO
            _no_show_event(reservation, penalty=penalty, uncharged=uncharged)
    attempts_send(given_back, gateway)
    if attempts:
        with ExitStack() as waiting:  # the event waits for all of them, not for the first answer
            for attempt in attempts:
                waiting.enter_context(claimed(attempt))
            attempts_send(attempts, gateway)
        no_show_event_record(reservation.pk)
    return reservation


def _no_show_event(reservation: Reservation, *, penalty: Decimal, uncharged: Decimal = ZERO) -> None:
    """Inside the transaction holding the reservation: ReservationNoShow, once, with where its money stands.

    `uncharged`: penalty left owed without a charge being tried (no card on file).
    """
    if OutboxEvent.objects.filter(reservation=reservation, name=events.RESERVATION_NO_SHOW).exists():
        return
    c = reservation.currency
    moved = list(PaymentAttempt.objects.filter(reservation=reservation, step__startswith=f"{NO_SHOW_STEP}:"))
    Op, S = PaymentAttempt.Operation, PaymentAttempt.State

    def total(operation, *states) -> Decimal:
        return round_money(sum((a.amount for a in moved if a.operation == operation and a.state in states), ZERO), c)

    def shown(amount: Decimal) -> str:  # as the payload always had it: "0" for nothing, else the amount
        return str(round_money(amount, c)) if amount else "0"

    events.event_record(events.RESERVATION_NO_SHOW, reservation=reservation, payload={
        "penalty": str(round_money(penalty, c)), "refunded": shown(total(Op.REFUND, S.SUCCEEDED)),
        "collected": shown(total(Op.CHARGE_SAVED, S.SUCCEEDED)),
        "outstanding": shown(uncharged + total(Op.CHARGE_SAVED, S.FAILED)),
        "pending": shown(total(Op.CHARGE_SAVED, *OPEN_STATES) + total(Op.REFUND, *OPEN_STATES, S.FAILED)),
        "currency": c})


def no_show_event_record(reservation_id: int) -> None:
    """Record ReservationNoShow if it is not yet (once the no-show's money has its answers)."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.NO_SHOW)
        if reservation is None:
            return
        line = FolioLine.objects.filter(reservation=reservation, posting_key="no-show").first()
        _no_show_event(reservation, penalty=line.amount if line is not None else ZERO)


@finisher(NO_SHOW_STEP)
def no_show_finish(attempt: PaymentAttempt) -> None:
    """A no-show's charge or refund settled. A declined penalty charge stays owed on the folio and is flagged for
    the desk (the admin's "needs a person" list). With nobody waiting (the night audit's process died, or the
    answer came later) the ReservationNoShow event is recorded if it was not yet."""
    if attempt.operation == PaymentAttempt.Operation.CHARGE_SAVED and attempt.state == PaymentAttempt.State.FAILED:
        PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=True)
    if not is_claimed(attempt):
        no_show_event_record(attempt.reservation_id)


def stay_nights_post(*, reservation_id: int, through: date) -> int:
    """The night audit's posting for an in-house stay: every night up to `through` not yet on the folio."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.CHECKED_IN)
        if reservation is None:
            return 0
        return _post_stay_nights(reservation, through=through)


def audit_time_for(hotel: Hotel) -> time:
    schedule = getattr(hotel, "night_audit_schedule", None)
    return schedule.audit_time if schedule is not None else NightAuditSchedule.DEFAULT_TIME


def audit_business_date_due(*, hotel: Hotel, audit_time: time, now: datetime) -> date:
    """The latest business day whose audit time has passed, in the hotel's zone.

    An audit time before noon closes the previous day (03:00 on the 16th closes the 15th); from noon on it
    closes the same day.
    """
    local = timezone.localtime(now, hotel.tz)
    day = local.date()
    if audit_time < time(12):
        day -= timedelta(days=1)
    if local.time() < audit_time:
        day -= timedelta(days=1)
    return day


AUDIT_LEASE = timedelta(minutes=10)


def night_audit_run(*, hotel: Hotel, business_date: date, gateway: PaymentGateway) -> NightAuditRun | None:
    """Close one business day of one hotel, at most once: no-shows, room nights posted, out-of-order rooms.

    Returns None when that day is already audited or another worker is auditing it right now. A day after the
    hotel's today is refused (INVALID_DATES): auditing it would make guests who have not arrived yet no-shows.
    """
    if business_date > hotel_today(hotel):
        raise InvalidDates(f"The business day {business_date:%B %-d, %Y} at {hotel.name} has not ended yet; "
                           "only a day that has passed can be audited.", field="business_date")
    run = NightAuditRun.objects.filter(hotel=hotel, business_date=business_date).first()
    if run is None:
        try:
            with transaction.atomic():
                run = NightAuditRun.objects.create(hotel=hotel, business_date=business_date)
        except IntegrityError:
            run = NightAuditRun.objects.get(hotel=hotel, business_date=business_date)
    now = timezone.now()
    claimed = NightAuditRun.objects.filter(pk=run.pk, finished_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(claimed_until=now + AUDIT_LEASE)
    if not claimed:
        return None
    errors, no_shows, nights = [], 0, 0
    due = Reservation.objects.filter(hotel=hotel, status=Status.CONFIRMED, check_in__lte=business_date) \
        .order_by("check_in", "pk").values_list("pk", flat=True)
    for pk in list(due):
        try:
            if reservation_no_show(reservation_id=pk, gateway=gateway, business_date=business_date):
                no_shows += 1
        except DomainError as exc:  # the no-show's money never fails it: a refused refund is queued, not raised
            errors.append(f"no-show {pk}: {exc.code} {exc.message}")
            logger.warning("Night audit %s %s: no-show %s failed: %s", hotel.code, business_date, pk, exc.message)
    in_house = Reservation.objects.filter(hotel=hotel, status=Status.CHECKED_IN).values_list("pk", flat=True)
    for pk in list(in_house):
        nights += stay_nights_post(reservation_id=pk, through=business_date)
    out_of_order_sync(hotel=hotel, today=hotel_today(hotel))
    NightAuditRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), no_shows=no_shows,
                                                   nights_posted=nights, errors="\n".join(errors)[:5000])
    run.refresh_from_db()
    return run


def night_audits_run_due(*, gateway: PaymentGateway, now: datetime | None = None) -> list[NightAuditRun]:
    """Every hotel whose local audit time has passed and whose business day is not audited yet: audit it."""
    now = now or timezone.now()
    runs = []
    for hotel in Hotel.objects.select_related("night_audit_schedule").order_by("code"):
        schedule = getattr(hotel, "night_audit_schedule", None)
        if schedule is not None and not schedule.enabled:
            continue
        day = audit_business_date_due(hotel=hotel, audit_time=audit_time_for(hotel), now=now)
        if NightAuditRun.objects.filter(hotel=hotel, business_date=day, finished_at__isnull=False).exists():
            continue
        run = night_audit_run(hotel=hotel, business_date=day, gateway=gateway)
        if run is not None:
            runs.append(run)
    return runs
