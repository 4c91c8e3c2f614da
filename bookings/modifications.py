"""Changing a confirmed booking: dates, party, room type or rate plan, all or nothing (issue 4).

The rules kept here:
- Only a CONFIRMED reservation changes; anything else is MODIFICATION_NOT_ALLOWED naming its state.
- The new stay is validated like a booking (dates, party, the rate plan's minimum stay).
- Nights in both the old and the new stay keep the prices agreed at booking (ReservationNight), even if rates
  changed since; added nights are priced at today's rates of the reservation's rate plan; taxes and fees are
  recomputed for the new stay. A room type or rate plan change reprices every night.
- Inventory moves in the same transaction: added nights are taken (SOLD_OUT naming the night), removed nights
  given back; a room type change gives back every old night and takes every new one.
- The difference is charged to the card on file or refunded, never with a row locked (bookings/payments/
  attempts.py). A change that costs more is charged first, then applied: the charge (step MODIFICATION:n,
  n counting the reservation's modification steps that touched money) is recorded in a short transaction
  that changes nothing else, sent with nothing locked, and only a charge that went through is applied, in a
  second short transaction that checks the booking is still as it was priced. A declined charge is
  PAYMENT_FAILED and leaves the reservation, its inventory and its money as they were; a change that cannot
  be applied after the charge (the room sold meanwhile, the booking changed or cancelled meanwhile) gives the
  charge back (a refund attempt, queued if the gateway refuses it for now) and answers why. Charging first
  rather than holding the new nights keeps "money recorded = money moved" with nothing half applied: until
  the second transaction nothing but the charge exists, and the charge is recorded as it moves.
  An answer lost on the way is asked for once more with the same idempotency key; if it stays unknown the
  change is not made (PAYMENT_FAILED, decline_code payment_pending) and, should the charge turn out to have
  gone through, the settle task or the webhook gives it back (the MODIFICATION finisher below).
- A change that costs less is applied and its refund recorded in one short transaction, then sent: the change
  stands whatever the gateway says; a refund it refuses for now is queued and retried, one it refuses
  outright waits for a person (payment action REFUND_PENDING).
- Card guarantee and pay-at-the-hotel bookings are settled at the hotel: a change moves no money (a later
  cancellation or no-show penalty is charged then).
- A change never lowers the liability the guest has reached: what cancelling just before the change would
  cost is retained on the reservation (Reservation.retain; it only grows). A change never refunds below it,
  and a later cancellation or no-show costs at least as much; money already paid beyond the new total but
  within what is retained counts towards a later, dearer change instead of being charged again.

When several things change at once, `modification` names the one that weighs most on price and rooms, in this
order: ROOM_CHANGE, RATE_PLAN_CHANGE, the date change (DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT),
OCCUPANCY_CHANGE; `changes` lists all of them. A request that changes nothing is NO_CHANGE and writes nothing.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from hotelbooking.errors import (
    ConcurrentModification,
    InvalidParty,
    ModificationNotAllowed,
    PaymentFailed,
    PriceChanged,
    RestrictionViolated,
    SoldOut,
    UnknownPromoCode,
    UnknownRoomType,
    ValidationFailed,
)
from hotelbooking.money import ZERO, round_money
from inventory.models import InventoryDay, RoomType, nights_between
from inventory.services import inventory_release, inventory_reserve
from pricing.cancellation import check_in_instant, free_until
from pricing.engine import NightPrice, Quote, quote_stay
from pricing.models import RatePlan
from pricing.search import hotel_today, stay_validate
from pricing.selectors import pricing_context_load, rate_plan_get

from . import events
from .cancellations import cancellation_terms
from .models import Payment, PaymentAttempt, Reservation, ReservationNight, Status
from .payments import PaymentGateway
from .payments.attempts import finisher
from .services import (
    quote_payload,
    quote_totals,
    reservation_get,
    reservation_save,
)
from .services.ledger import (
    attempts_send,
    charge_on_file_open,
    claimed,
    compensate,
    compensation_queue,
    is_claimed,
    next_step,
    refund_status,
    refunded,
    refunds_open,
)

logger = logging.getLogger(__name__)

DATE_EXTENSION = "DATE_EXTENSION"
DATE_REDUCTION = "DATE_REDUCTION"
DATE_SHIFT = "DATE_SHIFT"
ROOM_CHANGE = "ROOM_CHANGE"
RATE_PLAN_CHANGE = "RATE_PLAN_CHANGE"
OCCUPANCY_CHANGE = "OCCUPANCY_CHANGE"
NO_CHANGE = "NO_CHANGE"
# Which change names the modification when there are several.
PRIORITY = [ROOM_CHANGE, RATE_PLAN_CHANGE, DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT, OCCUPANCY_CHANGE]
STEP = "MODIFICATION"
# Guarantee rules whose stay is settled at the hotel: a change moves no money.
SETTLED_AT_HOTEL = ("CARD_GUARANTEE", "PAY_AT_HOTEL")


@dataclass(frozen=True)
class ModificationRequest:
    """What the guest wants changed; None keeps the current value."""

    check_in: date | str | None = None
    check_out: date | str | None = None
    adults: int | str | None = None
    children: int | str | None = None
    room_type_code: str | None = None
    rate_plan_code: str | None = None
    # The new total the guest was shown: PRICE_CHANGED if the fresh one differs.
    expected_total: Decimal | None = None

    def is_empty(self) -> bool:
        return all(v in (None, "") for v in (self.check_in, self.check_out, self.adults, self.children,
                                              self.room_type_code, self.rate_plan_code))


@dataclass(frozen=True)
class NightGroup:
    nights: list[date]
    total: Decimal  # room revenue of these nights: rate minus discounts, all rooms; before taxes and fees


@dataclass
class ModificationPlan:
    """The new stay, priced, compared with the booked one. Computing it changes nothing."""

    reservation: Reservation
    quote: Quote
    changes: list[str]
    original_check_in: date
    original_check_out: date
    original_room_type: RoomType
    original_rate_plan: RatePlan
    unchanged: NightGroup
    added: NightGroup
    removed: NightGroup
    previous_total: Decimal
    new_total: Decimal
    room_type_changed: bool
    rate_plan_changed: bool
    policy_snapshot: dict
    paid: Decimal | None = None  # what the guest has paid so far, when known: refunds never go below the new total
    retained: Decimal = ZERO  # non-refundable once changed: the liability the booking has reached (see retain)
    settled_at_hotel: bool = False  # a card guarantee or pay-at-the-hotel booking: no money moves on a change

    @property
    def currency(self) -> str:
        return self.quote.currency

    @property
    def modification(self) -> str:
        return next((kind for kind in PRIORITY if kind in self.changes), NO_CHANGE)

    @property
    def difference(self) -> Decimal:
        return self.new_total - self.previous_total

    @property
    def repriced_all_nights(self) -> bool:
        return self.room_type_changed or self.rate_plan_changed

    @property
    def owed(self) -> Decimal:
        """What the guest owes once changed: the new total, or the retained liability if that is more."""
        return max(self.new_total, self.retained)

    @property
    def to_charge(self) -> Decimal:
        if self.settled_at_hotel:
            return ZERO
        uncapped = max(ZERO, self.difference)
        if self.paid is None:
            return uncapped
        return min(uncapped, max(ZERO, self.owed - self.paid))  # money kept from a shorter stay counts

    @property
    def to_refund(self) -> Decimal:
        uncapped = max(ZERO, -self.difference)
        if self.paid is None:
            return uncapped
        return min(uncapped, max(ZERO, self.paid - self.owed))

    def as_dict(self) -> dict:
        """The issue's response shape (amounts as strings in the currency's minor unit)."""
        m = self._m
        q = self.quote
        return {
            "confirmation_number": self.reservation.confirmation_number,
            "modification": self.modification,
            "changes": list(self.changes),
            "original_dates": {"check_in": self.original_check_in, "check_out": self.original_check_out},
            "new_dates": {"check_in": q.check_in, "check_out": q.check_out},
            "room_type": q.room_type.code,
            "rate_plan": q.rate_plan.code,
            "adults": q.adults,
            "children": q.children,
            "pricing_breakdown": {
                "currency": self.currency,
                "unchanged_nights": {"nights": self.unchanged.nights, "total": m(self.unchanged.total)},
                "added_nights": {"nights": self.added.nights, "total": m(self.added.total)},
                "removed_nights": {"nights": self.removed.nights, "total": m(self.removed.total)},
                "repriced_all_nights": self.repriced_all_nights,
                "previous_total": m(self.previous_total),
                "new_total": m(self.new_total),
                "difference": m(self.difference),
                "additional_payment_required": self.difference > 0,
                "refund_due": self.difference < 0,
                "amount_to_charge": m(self.to_charge),
                "amount_to_refund": m(self.to_refund),
                "retained_amount": m(self.retained),
                "refund_withheld": m(max(ZERO, -self.difference) - self.to_refund),
                "new_pricing": quote_payload(q),
            },
        }

    def _m(self, amount: Decimal) -> str:
        return str(round_money(amount, self.currency))


@dataclass
class ModificationResult:
    plan: ModificationPlan
    reservation: Reservation
    charge: Payment | None = None
    refunds: list[Payment] = field(default_factory=list)  # the refunds that went through
    attempts: list[PaymentAttempt] = field(default_factory=list)  # the refunds recorded (made or on their way)

    @property
    def payment(self) -> dict:
        """What moved on the card: CHARGED, REFUNDED, REFUND_PENDING (recorded, queued or waiting for a person:
        the money is owed to the guest) or NONE."""
        currency = self.plan.currency
        if self.charge is not None:
            return {"action": "CHARGED", "amount": str(round_money(self.charge.amount, currency)),
                    "card_brand": self.charge.card_brand, "last_four": self.charge.last_four}
        if self.attempts and refund_status(self.attempts) == "PENDING":
            total = sum((a.amount for a in self.attempts), ZERO)
            first = self.attempts[0].target
            return {"action": "REFUND_PENDING", "amount": str(round_money(total, currency)),
                    "card_brand": first.card_brand if first else "", "last_four": first.last_four if first else ""}
        if self.refunds:
            total = sum((r.amount for r in self.refunds), ZERO)
            return {"action": "REFUNDED", "amount": str(round_money(total, currency)),
                    "card_brand": self.refunds[0].card_brand, "last_four": self.refunds[0].last_four}
        return {"action": "NONE", "amount": str(round_money(ZERO, currency)), "card_brand": "", "last_four": ""}

    def as_dict(self) -> dict:
        data = self.plan.as_dict()
        data["status"] = self.reservation.status
        data["payment"] = self.payment
        return data


# --- planning (reads only) -------------------------------------------------------------------------------

def ensure_modifiable(reservation: Reservation) -> None:
    if reservation.status != Status.CONFIRMED:
        state = reservation.get_status_display().lower()
        raise ModificationNotAllowed(
            f"Reservation {reservation.confirmation_number} is {state}: only a confirmed reservation can be "
            "changed.", state=reservation.status)


def _room_type_for(reservation: Reservation, code: str | None) -> RoomType:
    code = (code or "").strip()
    if not code or code.lower() == reservation.room_type.code.lower():
        return reservation.room_type
    room_type = None if "\x00" in code else RoomType.objects.filter(hotel=reservation.hotel, code__iexact=code).first()
    if room_type is None:
        raise UnknownRoomType(f"{reservation.hotel.name} has no room type {code}.", room_type=code)
    return room_type


def _rate_plan_for(reservation: Reservation, code: str | None) -> RatePlan:
    code = (code or "").strip()
    if not code or code.lower() == reservation.rate_plan.code.lower():
        return reservation.rate_plan  # kept even if no longer on sale
    return rate_plan_get(hotel=reservation.hotel, code=code)


def _date_change(old_in: date, old_out: date, new_in: date, new_out: date) -> str | None:
    if (old_in, old_out) == (new_in, new_out):
        return None
    if new_in <= old_in and new_out >= old_out:
        return DATE_EXTENSION
    if new_in >= old_in and new_out <= old_out:
        return DATE_REDUCTION
    return DATE_SHIFT


def _room_revenue(nights: list[NightPrice], rooms: int, currency: str) -> Decimal:
    return round_money(sum((n.net for n in nights), ZERO) * rooms, currency)


def modification_plan(*, reservation: Reservation, request: ModificationRequest) -> ModificationPlan:
    """Validate the requested change and price the new stay against the booked one. Writes nothing."""
    if request.is_empty():
        raise ValidationFailed("Give at least one of check_in, check_out, adults, children, room_type, "
                               "rate_plan.")
    ensure_modifiable(reservation)
    hotel = reservation.hotel
    stay = stay_validate(
        hotel=hotel,
        check_in=reservation.check_in if request.check_in in (None, "") else request.check_in,
        check_out=reservation.check_out if request.check_out in (None, "") else request.check_out,
        adults=reservation.adults if request.adults in (None, "") else request.adults,
        children=reservation.children if request.children in (None, "") else request.children)
    room_type = _room_type_for(reservation, request.room_type_code)
    rate_plan = _rate_plan_for(reservation, request.rate_plan_code)
    room_type_changed = room_type.pk != reservation.room_type_id
    rate_plan_changed = rate_plan.pk != reservation.rate_plan_id
    if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
        raise RestrictionViolated(f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.",
                                  restriction="MIN_STAY")
    if stay.adults < reservation.room_count:
        raise InvalidParty("Every room needs at least one adult.", field="adults")

    booked = list(reservation.nights.all())
    booked_dates = {n.date for n in booked}
    new_dates = nights_between(stay.check_in, stay.check_out)
    repriced_all = room_type_changed or rate_plan_changed
    # Prices agreed at booking hold for the nights the new stay keeps, unless room or plan change.
    booked_prices = {} if repriced_all else {
        n.date: NightPrice(n.date, n.rate, n.rate_plan_discount, n.promotion_discount) for n in booked}
    promotion = reservation.promotion
    if booked_prices and promotion is not None and len(new_dates) < promotion.min_nights:
        # A stay shortened below the promotion's minimum no longer qualifies: its kept nights lose the discount.
        booked_prices = {d: NightPrice(p.date, p.rate, p.rate_plan_discount) for d, p in booked_prices.items()}
    quote = _quote(reservation, room_type=room_type, rate_plan=rate_plan, stay=stay, booked_prices=booked_prices)

    currency = quote.currency
    by_date = {n.date: n for n in quote.nights}
    kept = [d for d in new_dates if d in booked_dates]
    added = [d for d in new_dates if d not in booked_dates]
    removed = sorted(booked_dates - set(new_dates))
    rooms = reservation.room_count
    removed_prices = [NightPrice(n.date, n.rate, n.rate_plan_discount, n.promotion_discount)
                      for n in booked if n.date in set(removed)]

    _ensure_rooms_free(room_type, new_dates if room_type_changed else added, reservation.room_count)

    changes = []
    if room_type_changed:
        changes.append(ROOM_CHANGE)
    if rate_plan_changed:
        changes.append(RATE_PLAN_CHANGE)
    date_kind = _date_change(reservation.check_in, reservation.check_out, stay.check_in, stay.check_out)
    if date_kind:
        changes.append(date_kind)
    if (stay.adults, stay.children) != (reservation.adults, reservation.children):
        changes.append(OCCUPANCY_CHANGE)

    if rate_plan_changed:
        snapshot = quote.policy_snapshot
    else:
        snapshot = reservation.cancellation_policy
    # What cancelling instead of changing would cost right now: the change keeps that liability.
    reached = cancellation_terms(reservation=reservation)
    return ModificationPlan(
        reservation=reservation, quote=quote, changes=changes,
        original_check_in=reservation.check_in, original_check_out=reservation.check_out,
        original_room_type=reservation.room_type, original_rate_plan=reservation.rate_plan,
        unchanged=NightGroup(kept, _room_revenue([by_date[d] for d in kept], rooms, currency)),
        added=NightGroup(added, _room_revenue([by_date[d] for d in added], rooms, currency)),
        removed=NightGroup(removed, _room_revenue(removed_prices, rooms, currency)),
        previous_total=round_money(reservation.grand_total, currency),
        new_total=round_money(quote.total, currency),
        room_type_changed=room_type_changed, rate_plan_changed=rate_plan_changed, policy_snapshot=snapshot,
        paid=reached.paid, retained=reached.penalty,
        settled_at_hotel=(reservation.payment_terms or {}).get("guarantee") in SETTLED_AT_HOTEL,
    )


def _ensure_rooms_free(room_type: RoomType, nights: list[date], rooms: int) -> None:
    """SOLD_OUT naming the first night without `rooms` free rooms, so a quote never offers what cannot be had.

    A plain read: taking the rooms (under lock) checks again.
    """
    if not nights:
        return
    days = {d.date: d for d in InventoryDay.objects.filter(room_type=room_type, date__in=nights)}
    for night in sorted(nights):
        day = days.get(night)
        free = 0 if day is None or day.stop_sell else day.free
        if free < rooms:
            raise SoldOut(f"Sorry, {room_type.name} is sold out on {night:%B %-d, %Y} ({free} left). "
                          "Please choose different dates or room type.", date=str(night), available=free)


def _quote(reservation: Reservation, *, room_type: RoomType, rate_plan: RatePlan, stay,
           booked_prices: dict[date, NightPrice]) -> Quote:
    hotel = reservation.hotel
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[room_type.id],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=reservation.promotion)
    args = dict(room_type=room_type, check_in=stay.check_in, check_out=stay.check_out, adults=stay.adults,
                children=stay.children, rooms=reservation.room_count, booked_on=hotel_today(hotel),
                booked_nights=booked_prices)
    try:
        return quote_stay(ctx, **args)
    except UnknownPromoCode:
        # The booked promotion no longer applies to fresh nights (expired, outside its dates): they pay the
        # plan's price, while the nights that keep their booked price keep their discount.
        ctx.promotion = None
        return quote_stay(ctx, **args)


def modification_quote(*, confirmation_number: str, request: ModificationRequest, hotels=None) -> ModificationPlan:
    """The breakdown a modification would have, as of now, changing nothing."""
    reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    return modification_plan(reservation=reservation, request=request)


# --- applying --------------------------------------------------------------------------------------------

def reservation_modify(*, confirmation_number: str, request: ModificationRequest, gateway: PaymentGateway,
                       hotels=None, actor=None, collect_payment: bool = True) -> ModificationResult:
    """Change a confirmed reservation; its money moves with no transaction open (see the module docstring).

    Each short transaction locks the reservation row first (then inventory nights, in room type and date
    order), so a racing cancellation or modification waits for it, never for the gateway, and then sees the
    state it left. `collect_payment=False` is for bookings whose money a channel collects: prices and
    inventory change, no card is touched.
    """
    with transaction.atomic():
        reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels, for_update=True)
        plan = modification_plan(reservation=reservation, request=request)
        _expected_total_check(request, plan)
        if not plan.changes:
            return ModificationResult(plan=plan, reservation=reservation)
        # Never refund below what the guest owes now (the new total or the retained liability), nor more
        # than was paid: the plan read the payments under this transaction's lock.
        to_charge = plan.to_charge if collect_payment else ZERO
        if to_charge <= 0:
            to_refund = plan.to_refund if collect_payment else ZERO
            _apply_change(reservation, plan, actor=actor, charged=ZERO, refunded=to_refund)
            refunds = refunds_open(reservation=reservation, step=next_step(reservation, STEP, numbered=True),
                                   amount=to_refund, gateway=gateway) if to_refund > 0 else []
        else:
            _rehearse(reservation, plan)  # SOLD_OUT or RESTRICTED now, before the card is charged
            charge = charge_on_file_open(reservation=reservation, step=next_step(reservation, STEP, numbered=True),
                                         amount=to_charge, gateway=gateway)
            if charge is None:
                raise PaymentFailed("There is no card on file for this reservation.", decline_code="no_card_on_file")
            before = _as_priced(reservation, plan)
    if to_charge <= 0:
        refunds = attempts_send(refunds, gateway)  # the change has committed: it stands whatever the answer
        return ModificationResult(plan=plan, reservation=reservation, refunds=refunded(refunds), attempts=refunds)
    return _charge_then_apply(charge, gateway, plan=plan, before=before, confirmation_number=confirmation_number,
                              request=request, hotels=hotels, actor=actor)


def _expected_total_check(request: ModificationRequest, plan: ModificationPlan) -> None:
    if request.expected_total is not None and round_money(request.expected_total, plan.currency) != plan.new_total:
        raise PriceChanged(quote=plan.as_dict()["pricing_breakdown"],
                           expected_total=str(round_money(request.expected_total, plan.currency)),
                           new_total=str(plan.new_total))


class _Rehearsed(Exception):
    pass


def _rehearse(reservation: Reservation, plan: ModificationPlan) -> None:
    """Move the inventory as the change will, under the same locks, and undo it (a savepoint): whatever would
    refuse the change (a night sold out, an arrival restriction) refuses it before anything is charged."""
    try:
        with transaction.atomic():
            _move_inventory(reservation, plan)
            raise _Rehearsed
    except _Rehearsed:
        pass


def _as_priced(reservation: Reservation, plan: ModificationPlan) -> tuple:
    """What the change was priced on: if any of it differs when the charge is back, the change is not applied."""
    return (reservation.check_in, reservation.check_out, reservation.room_type_id, reservation.rate_plan_id,
            reservation.adults, reservation.children, reservation.grand_total, reservation.retained_amount,
            plan.paid, plan.new_total, tuple(plan.changes))


def _charge_then_apply(charge: PaymentAttempt, gateway: PaymentGateway, *, plan: ModificationPlan, before: tuple,
                       confirmation_number: str, request: ModificationRequest, hotels, actor) -> ModificationResult:
    """Send the recorded charge; apply the change only once it went through, or give it back."""
    with claimed(charge):  # this caller applies the change: the finisher leaves the charge alone meanwhile
        charge = attempts_send([charge], gateway, ask_again=True)[0]
        if charge.state == PaymentAttempt.State.FAILED:
            logger.info("Modification of %s: charge declined (%s)", confirmation_number, charge.error_code)
            raise PaymentFailed(charge.error_message or None, decline_code=charge.error_code or "card_declined")
        if charge.state != PaymentAttempt.State.SUCCEEDED:
            raise PaymentFailed(
                "We could not confirm the payment for this change, so the booking was not changed. If your card "
                "was charged, the amount is refunded automatically. Please try again in a few minutes.",
                decline_code="payment_pending", retry_action="RETRY_LATER")
        try:
            with transaction.atomic():
                reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels,
                                              for_update=True)
                now = modification_plan(reservation=reservation, request=request)
                paid_before = None if now.paid is None else round_money(now.paid - charge.amount, now.currency)
                if _as_priced(reservation, now)[:-3] != before[:-3] or \
                        (paid_before, now.new_total, tuple(now.changes)) != before[-3:]:
                    raise ConcurrentModification(
                        "The booking was changed at the same moment, so this change was not applied and its "
                        "payment is being refunded. Please review the booking and try again.")
                _apply_change(reservation, now, actor=actor, charged=charge.amount, refunded=ZERO)
        except Exception:
            # The money moved but the change did not: give it back (queued if the gateway refuses it for now).
            compensate(charge, gateway)
            raise
    return ModificationResult(plan=plan, reservation=reservation, charge=charge.payment)


def _apply_change(reservation: Reservation, plan: ModificationPlan, *, actor, charged: Decimal,
                  refunded: Decimal) -> None:
    """Inside the transaction holding the reservation: inventory, the stay, its history and its event."""
    _move_inventory(reservation, plan)
    _apply(reservation, plan)
    reservation_save(reservation)
    reservation._record(Status.CONFIRMED, by=actor, note=_note(plan, charged, refunded))
    events.event_record(events.RESERVATION_MODIFIED, reservation=reservation, payload={
        "modification": plan.modification, "changes": plan.changes,
        "guest_email": reservation.guest.email,
        "previous_check_in": plan.original_check_in.isoformat(),
        "previous_check_out": plan.original_check_out.isoformat(),
        "previous_room_type": plan.original_room_type.code,
        "previous_room_type_id": plan.original_room_type.pk,
        "previous_rate_plan": plan.original_rate_plan.code,
        "added_nights": [d.isoformat() for d in plan.added.nights],
        "removed_nights": [d.isoformat() for d in plan.removed.nights],
        "previous_total": str(plan.previous_total), "new_total": str(plan.new_total),
        "difference": str(round_money(plan.difference, plan.currency)),
        "charged": str(round_money(charged, plan.currency)),
        "refunded": str(round_money(refunded, plan.currency)),
        "currency": plan.currency})


@finisher(STEP)
def modification_finish(attempt: PaymentAttempt) -> None:
    """A modification's charge settled with nobody waiting to apply the change (its caller gave up on a lost
    answer, or the process died before the answer): the change was never made, so the money goes back.

    The refund is recorded here, due at once, and sent by the settle task (which knows the gateway) on its next
    run. Refunds of modifications need nothing more. Idempotent: one compensation per charge.
    """
    if attempt.operation != PaymentAttempt.Operation.CHARGE_SAVED or is_claimed(attempt):
        return
    if attempt.state == PaymentAttempt.State.SUCCEEDED:
        logger.warning("Modification charge %s settled after its caller gave up: refunding it", attempt.pk)
        compensation_queue(attempt)


def _note(plan: ModificationPlan, charged: Decimal, refunded: Decimal) -> str:
    q, c = plan.quote, plan.currency
    parts = [f"Modified ({', '.join(plan.changes)}):"]
    if plan.original_check_in != q.check_in or plan.original_check_out != q.check_out:
        parts.append(f"dates {plan.original_check_in}..{plan.original_check_out} -> {q.check_in}..{q.check_out};")
    if plan.room_type_changed:
        parts.append(f"room type -> {q.room_type.code};")
    if plan.rate_plan_changed:
        parts.append(f"rate plan -> {q.rate_plan.code};")
    if OCCUPANCY_CHANGE in plan.changes:
        parts.append(f"guests -> {q.adults} adults, {q.children} children;")
    parts.append(f"total {plan.previous_total} -> {plan.new_total} {c}")
    if charged > 0:
        parts.append(f"; charged {round_money(charged, c)} to the card on file")
    elif refunded > 0:
        parts.append(f"; refunded {round_money(refunded, c)}")
    return " ".join(parts).replace(" ;", ";")


def _move_inventory(reservation: Reservation, plan: ModificationPlan) -> None:
    """Give back the removed nights and take the added ones, for `reservation.holder`."""
    q = plan.quote
    new_nights = [n.date for n in q.nights]
    old_type_id, new_type_id = plan.original_room_type.pk, q.room_type.id
    releasing = [n for n in nights_between(plan.original_check_in, plan.original_check_out)
                 if plan.room_type_changed or n in set(plan.removed.nights)]
    # Lock every night this change touches in one (room type, date) order, so that two modifications moving
    # nights in opposite directions cannot deadlock between the release and the reserve.
    touched = Q(room_type_id=new_type_id, date__in=new_nights)
    if releasing:
        touched |= Q(room_type_id=old_type_id, date__in=releasing)
    list(InventoryDay.objects.select_for_update().filter(touched).order_by("room_type_id", "date")
         .values_list("pk", flat=True))
    if plan.room_type_changed:
        inventory_release(holder=reservation.holder)
    elif releasing:
        inventory_release(holder=reservation.holder, nights=releasing, room_type_id=old_type_id)
    # A new arrival day or room type must respect arrival/departure restrictions like a booking; an extension
    # of a stay already under way in its room type only needs rooms.
    restrict = plan.room_type_changed or q.check_in != plan.original_check_in
    inventory_reserve(room_type=q.room_type, nights=new_nights, rooms=reservation.room_count,
                      holder=reservation.holder, enforce_restrictions=restrict, check_out=q.check_out)


def _apply(reservation: Reservation, plan: ModificationPlan) -> None:
    q = plan.quote
    reservation.check_in, reservation.check_out = q.check_in, q.check_out
    if (q.adults, q.children) != (reservation.adults, reservation.children):
        if len(reservation.child_ages or []) != q.children:
            reservation.child_ages = []
        reservation.adults, reservation.children = q.adults, q.children
    reservation.room_type, reservation.rate_plan = q.room_type, q.rate_plan
    if plan.repriced_all_nights:
        reservation.promotion = q.promotion
    for name, value in quote_totals(q).items():
        setattr(reservation, name, value)
    reservation.retain(plan.retained)
    reservation.cancellation_policy = plan.policy_snapshot
    reservation.free_until = free_until(
        plan.policy_snapshot, check_in_instant(q.check_in, reservation.hotel.check_in_time,
                                               reservation.hotel.timezone))
    booked = {n.date: n for n in reservation.nights.all()}
    new = {n.date: n for n in q.nights}
    ReservationNight.objects.filter(reservation=reservation, date__in=[d for d in booked if d not in new]).delete()
    to_create = []
    for night_date, price in new.items():
        row = booked.get(night_date)
        if row is None:
            to_create.append(ReservationNight(reservation=reservation, date=night_date, rate=price.rate,
                                              rate_plan_discount=price.rate_plan_discount,
                                              promotion_discount=price.promotion_discount))
        elif (row.rate, row.rate_plan_discount, row.promotion_discount) != (
                price.rate, price.rate_plan_discount, price.promotion_discount):
            row.rate, row.rate_plan_discount = price.rate, price.rate_plan_discount
            row.promotion_discount = price.promotion_discount
            row.save(update_fields=["rate", "rate_plan_discount", "promotion_discount"])
    ReservationNight.objects.bulk_create(to_create)
