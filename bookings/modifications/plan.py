"""Planning a change: the new stay validated and priced against the booked one. Reads only (see __init__)."""

import logging
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from hotelbooking.errors import (
    ExtraNotAvailable,
    InvalidParty,
    ModificationNotAllowed,
    RestrictionViolated,
    SoldOut,
    UnknownPromoCode,
    UnknownRoomType,
    ValidationFailed,
)
from hotelbooking.money import ZERO, round_money
from inventory.models import InventoryDay, RoomType, nights_between
from inventory.services import stay_length_check
from pricing.engine import ExtraChoice, NightPrice, Party, Quote, extras_choose, quote_stay
from pricing.engine.extras import extra_quantity
from pricing.models import RatePlan
from pricing.search import child_ages_validate, hotel_today, stay_validate
from pricing.selectors import pricing_context_load, rate_plan_get

from ..cancellations import cancellation_terms
from ..extras import extras_booked
from ..models import Payment, PaymentAttempt, Reservation, Status
from ..services import (
    quote_payload,
    rate_plan_open_check,
    reservation_get,
)
from ..services.ledger import (
    refund_status,
)

logger = logging.getLogger(__name__)

DATE_EXTENSION = "DATE_EXTENSION"
DATE_REDUCTION = "DATE_REDUCTION"
DATE_SHIFT = "DATE_SHIFT"
ROOM_CHANGE = "ROOM_CHANGE"
RATE_PLAN_CHANGE = "RATE_PLAN_CHANGE"
OCCUPANCY_CHANGE = "OCCUPANCY_CHANGE"
EXTRAS_CHANGE = "EXTRAS_CHANGE"
NO_CHANGE = "NO_CHANGE"
# Which change names the modification when there are several.
PRIORITY = [ROOM_CHANGE, RATE_PLAN_CHANGE, DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT, OCCUPANCY_CHANGE,
            EXTRAS_CHANGE]
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
    # The children's ages, one per child (None: the booked ones while the number of children is unchanged).
    child_ages: list[int] | None = None
    # The new total the guest was shown: PRICE_CHANGED if the fresh one differs.
    expected_total: Decimal | None = None
    # The extras the stay should have, [{"code", "quantity"}] (all of them: one left out is removed); None keeps
    # the booked ones. A booked extra kept keeps its booked unit price; an added one is at today's.
    extras: list[dict] | None = None
    # The code a guest typed for a member or code-only rate plan: a change to such a plan without it is
    # UNKNOWN_RATE_PLAN, as at booking. None (staff, channels) does not check it.
    access_code: str | None = None
    # A channel's change the OTA has already sold (channelmanager): no night is refused as sold out or
    # restricted; nights with no room left are held short (inventory_reserve(overbook=True)).
    overbook: bool = False

    def is_empty(self) -> bool:
        return all(v in (None, "") for v in (self.check_in, self.check_out, self.adults, self.children,
                                              self.room_type_code, self.rate_plan_code)) and not self.child_ages \
            and self.extras is None


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
    overbook: bool = False  # ModificationRequest.overbook

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
                               "rate_plan, extras.")
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
    if rate_plan_changed and request.access_code is not None:
        rate_plan_open_check(rate_plan, request.access_code)
    if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
        raise RestrictionViolated(f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.",
                                  restriction="MIN_STAY")
    if stay.adults < reservation.room_count:
        raise InvalidParty("Every room needs at least one adult.", field="adults")

    booked = list(reservation.nights.all())
    new_dates = nights_between(stay.check_in, stay.check_out)
    repriced_all = room_type_changed or rate_plan_changed
    # Prices agreed at booking hold for the nights the new stay keeps, unless room or plan change.
    booked_prices = {} if repriced_all else {n.date: booked_price(n) for n in booked}
    booked_prices = promotion_kept(booked_prices, reservation.promotion, len(new_dates))
    ages = None if request.child_ages is None else child_ages_validate(stay.children, request.child_ages)
    quote = _quote(reservation, room_type=room_type, rate_plan=rate_plan, stay=stay, booked_prices=booked_prices,
                   child_ages=ages, extras=request.extras)

    unchanged, added, removed = night_groups(booked, new_dates, quote, reservation.room_count)

    if not request.overbook:
        _ensure_rooms_free(room_type, new_dates if room_type_changed else added.nights, reservation.room_count)
    if not room_type_changed and stay.check_in == reservation.check_in and \
            stay.check_out != reservation.check_out and not request.overbook:
        # The arrival stands (taking the rooms checks a new arrival or room type in full): the new length and
        # departure day meet the room type's rules as a new booking would (maximum stay, closed to departure).
        stay_length_check(room_type=room_type, check_in=stay.check_in, check_out=stay.check_out,
                          booked_nights=reservation.nights_count)

    changes = []
    if room_type_changed:
        changes.append(ROOM_CHANGE)
    if rate_plan_changed:
        changes.append(RATE_PLAN_CHANGE)
    date_kind = _date_change(reservation.check_in, reservation.check_out, stay.check_in, stay.check_out)
    if date_kind:
        changes.append(date_kind)
    # New ages of the same children are a change too: a child's age band prices the room.
    ages_changed = ages is not None and ages != list(reservation.child_ages or [])
    if (stay.adults, stay.children) != (reservation.adults, reservation.children) or ages_changed:
        changes.append(OCCUPANCY_CHANGE)
    if extras_changed(reservation, quote):
        changes.append(EXTRAS_CHANGE)

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
        unchanged=unchanged, added=added, removed=removed,
        previous_total=round_money(reservation.grand_total, quote.currency),
        new_total=round_money(quote.total, quote.currency),
        room_type_changed=room_type_changed, rate_plan_changed=rate_plan_changed, policy_snapshot=snapshot,
        paid=reached.paid, retained=reached.penalty,
        settled_at_hotel=(reservation.payment_terms or {}).get("guarantee") in SETTLED_AT_HOTEL,
        overbook=request.overbook,
    )


def booked_price(night) -> NightPrice:
    """The price a booked night was sold at."""
    return NightPrice(night.date, night.rate, night.rate_plan_discount, night.promotion_discount)


def promotion_kept(prices: dict[date, NightPrice], promotion, nights: int) -> dict[date, NightPrice]:
    """Booked prices for a new stay of `nights`: a stay shortened below the promotion's minimum no longer
    qualifies, so its kept nights lose the promotion's discount."""
    if prices and promotion is not None and nights < promotion.min_nights:
        return {d: NightPrice(p.date, p.rate, p.rate_plan_discount) for d, p in prices.items()}
    return prices


def night_groups(booked: list, new_dates: list[date], quote: Quote, rooms: int
                 ) -> tuple[NightGroup, NightGroup, NightGroup]:
    """The new stay's nights the booking keeps and adds, and the booked nights it gives up, each with its room
    revenue (kept and added as quoted, given-up ones as booked)."""
    booked_dates = {n.date for n in booked}
    by_date = {n.date: n for n in quote.nights}
    kept = [d for d in new_dates if d in booked_dates]
    added = [d for d in new_dates if d not in booked_dates]
    removed = sorted(booked_dates - set(new_dates))
    removed_prices = [booked_price(n) for n in booked if n.date in set(removed)]
    currency = quote.currency
    return (NightGroup(kept, _room_revenue([by_date[d] for d in kept], rooms, currency)),
            NightGroup(added, _room_revenue([by_date[d] for d in added], rooms, currency)),
            NightGroup(removed, _room_revenue(removed_prices, rooms, currency)))


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


def extras_changed(reservation: Reservation, quote: Quote) -> bool:
    """Whether the guest's chosen extras (code and quantity) differ from the booked ones."""
    booked = {(e.code, e.quantity) for e in reservation.extras.all() if not e.included}
    return booked != {(e.code, e.quantity) for e in quote.extra_lines if not e.included}


def extras_for(reservation: Reservation, ctx, requested: list[dict] | None) -> list[ExtraChoice]:
    """The extras of the changed stay: the booked ones (None), or those requested, a booked extra at its booked
    unit price and a new one at today's (UNKNOWN_EXTRA, EXTRA_NOT_AVAILABLE as at booking). A booked extra no
    longer on sale, or capped lower since, may still be kept up to its booked quantity."""
    booked = {c.code.upper(): c for c in extras_booked(reservation)}
    if requested is None:
        return list(booked.values())
    kept: dict[str, ExtraChoice | None] = {}
    fresh = []
    for position, item in enumerate(requested):
        code = str(item.get("code") or "").strip().upper() if isinstance(item, dict) else ""
        if code not in booked:
            fresh.append(item)
            continue
        quantity = extra_quantity(item.get("quantity", 1), position)
        extra = ctx.extras.get(code)
        cap = max(booked[code].quantity, extra.max_quantity if extra is not None and extra.is_active else 0)
        if quantity > cap:
            raise ExtraNotAvailable(f"{booked[code].name}: at most {cap} per booking.", extra=booked[code].code,
                                    max_quantity=cap)
        kept[code] = replace(booked[code], quantity=quantity) if quantity else None
    return [c for c in kept.values() if c is not None] + extras_choose(ctx.extras, fresh)


def _quote(reservation: Reservation, *, room_type: RoomType, rate_plan: RatePlan, stay,
           booked_prices: dict[date, NightPrice], child_ages=None, extras: list[dict] | None = None) -> Quote:
    hotel = reservation.hotel
    if child_ages is None:  # the booked ages, while they still describe the party
        booked = list(reservation.child_ages or [])
        child_ages = booked if len(booked) == stay.children else []
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[room_type.id],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=reservation.promotion)
    # Kept nights were priced for the booked party: a new party moves them by the occupancy difference.
    ages = list(reservation.child_ages or [])
    booked_party = Party(reservation.adults, tuple(ages) if len(ages) == reservation.children
                         else (None,) * reservation.children)
    args = dict(room_type=room_type, check_in=stay.check_in, check_out=stay.check_out, adults=stay.adults,
                children=stay.children, rooms=reservation.room_count, booked_on=hotel_today(hotel),
                booked_nights=booked_prices, child_ages=child_ages, booked_party=booked_party,
                extras=extras_for(reservation, ctx, extras))
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
