"""Pricing a booking before it is made: one room type (`booking_quote`) or several rooms (`booking_quote_rooms`).

A multi-room booking is priced room by room, each with its own room type and party, exactly as a single-room
booking of that room would be; its total is the sum of the rooms' totals, each rounded once.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from hotelbooking.errors import (
    DomainError,
    InvalidParty,
    RestrictionViolated,
    UnknownRatePlan,
    UnknownRoomType,
    ValidationFailed,
)
from hotelbooking.money import ZERO, round_money
from inventory.models import Hotel, RoomType
from pricing.engine import Quote, extras_choose, quote_stay
from pricing.guarantee import PaymentTerms, terms_for_quote
from pricing.search import (
    MAX_ROOMS,
    child_ages_validate,
    hotel_today,
    room_count_validate,
    rooms_limit_message,
    stay_validate,
)
from pricing.selectors import pricing_context_load, promotion_get, rate_plan_get


@dataclass(frozen=True)
class RoomRequest:
    """One room of a multi-room booking: its room type and its party."""

    room_type_code: str
    adults: int | str = 1
    children: int | str = 0
    child_ages: list[int] = field(default_factory=list)
    # The room's extras, [{"code", "quantity"}]; None: the booking's (BookingRequest.extras).
    extras: list[dict] | None = None


@dataclass(frozen=True)
class RoomQuote:
    """One room priced: `index` is its place in the booking, from 1."""

    index: int
    quote: Quote
    child_ages: list[int]
    terms: PaymentTerms

    @property
    def total(self) -> Decimal:
        return round_money(self.quote.total, self.quote.currency)

    def as_dict(self) -> dict:
        q = self.quote
        return {"room": self.index, "room_type": q.room_type.code, "adults": q.adults, "children": q.children,
                "child_ages": self.child_ages, **q.as_dict(), "payment_terms": self.terms.as_dict()}


@dataclass(frozen=True)
class BookingQuote:
    """Every room of a booking priced; the booking's figures are the sums of the rooms'."""

    rooms: tuple[RoomQuote, ...]

    @property
    def currency(self) -> str:
        return self.rooms[0].quote.currency

    def _sum(self, name: str) -> Decimal:
        return round_money(sum((round_money(getattr(r.quote, name), self.currency) for r in self.rooms), ZERO),
                           self.currency)

    @property
    def total(self) -> Decimal:
        return self._sum("total")

    @property
    def extras(self) -> Decimal:
        return self._sum("extras")

    @property
    def due_now(self) -> Decimal:
        return round_money(sum((r.terms.due_now for r in self.rooms), ZERO), self.currency)

    @property
    def card_required(self) -> bool:
        return any(r.terms.card_required for r in self.rooms)

    def as_dict(self) -> dict:
        c = self.currency
        return {"currency": c, "room_total": str(self._sum("room_total")), "taxes": str(self._sum("taxes")),
                "fees": str(self._sum("fees")), **({"extras": str(self.extras)} if self.extras else {}),
                "total": str(self.total), "due_now": str(self.due_now),
                "rooms": [r.as_dict() for r in self.rooms]}


def booking_quote(*, hotel: Hotel, room_type_code: str, rate_plan_code: str | None, check_in, check_out,
                  adults, children, room_count: int = 1, promo_code: str | None = None, child_ages=None,
                  extras=None) -> Quote:
    """Validate a request and price it, exactly as a booking would be priced now. `child_ages` (one per child,
    or none) exempt children from the taxes that exempt them; a child whose age is not given is exempt.
    `extras` ([{"code", "quantity"}]) are the hotel's extras the guest takes (UNKNOWN_EXTRA, EXTRA_NOT_AVAILABLE)."""
    stay = stay_validate(hotel=hotel, check_in=check_in, check_out=check_out, adults=adults, children=children)
    ages = child_ages_validate(stay.children, child_ages)
    room_type = RoomType.objects.filter(hotel=hotel, code__iexact=(room_type_code or "").strip()).first()
    if room_type is None:
        raise UnknownRoomType(f"{hotel.name} has no room type {room_type_code}.", room_type=room_type_code)
    rooms = room_count_validate(room_count)
    rate_plan = rate_plan_get(hotel=hotel, code=rate_plan_code)
    if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
        raise RestrictionViolated(f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.",
                                  restriction="MIN_STAY")
    promotion = promotion_get(hotel=hotel, code=promo_code)
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[room_type.id],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=promotion)
    return quote_stay(ctx, room_type=room_type, check_in=stay.check_in, check_out=stay.check_out,
                      adults=stay.adults, children=stay.children, rooms=rooms,
                      booked_on=hotel_today(hotel), child_ages=ages, extras=extras_choose(ctx.extras, extras))


def booking_quote_rooms(*, hotel: Hotel, rooms, rate_plan_code: str | None, check_in, check_out,
                        promo_code: str | None = None, extras=None) -> BookingQuote:
    """Price each room of a multi-room booking (1 to MAX_ROOMS RoomRequests) under one rate plan and stay.
    Each room takes its own `extras`, or the booking's (`extras`) when it names none: breakfast for the party
    of every room, parking per room.

    An error about one room (its room type, party, a restriction) names it: `room`, its place from 1.
    """
    rooms = list(rooms or [])
    if not 1 <= len(rooms) <= MAX_ROOMS:
        raise InvalidParty(rooms_limit_message(), field="rooms")
    booked_on = hotel_today(hotel)
    priced = []
    for index, room in enumerate(rooms, start=1):
        if not isinstance(room, RoomRequest):
            raise ValidationFailed("Each room needs its room type and party.", field="rooms", room=index)
        try:
            quote = booking_quote(hotel=hotel, room_type_code=room.room_type_code, rate_plan_code=rate_plan_code,
                                  check_in=check_in, check_out=check_out, adults=room.adults,
                                  children=room.children, promo_code=promo_code, child_ages=room.child_ages,
                                  extras=extras if room.extras is None else room.extras)
            ages = child_ages_validate(quote.children, room.child_ages)
        except DomainError as exc:
            raise room_named(exc, index, len(rooms)) from None
        priced.append(RoomQuote(index=index, quote=quote, child_ages=ages,
                                terms=terms_for_quote(quote, booked_on=booked_on)))
    return BookingQuote(rooms=tuple(priced))


def room_named(exc: DomainError, index: int, of: int) -> DomainError:
    """The error, naming the room of a multi-room booking it is about (`room`, from 1)."""
    if of > 1 and "room" not in exc.details:
        exc.details["room"] = index
        exc.message = gettext("Room %(n)s: %(message)s") % {"n": index, "message": exc.message}
        exc.args = (exc.message,)
    return exc


def quote_totals(quote: Quote) -> dict:
    """The reservation's money fields from a quote, each rounded once."""
    c = quote.currency
    return dict(
        subtotal=round_money(quote.subtotal, c), rate_plan_discount=round_money(quote.rate_plan_discount, c),
        promotion_discount=round_money(quote.promotion_discount, c), room_total=round_money(quote.room_total, c),
        taxes=round_money(quote.taxes, c), fees=round_money(quote.fees, c), grand_total=round_money(quote.total, c),
        charge_lines={"taxes": [t.stored() for t in quote.tax_lines],
                      "fees": [{"name": f.name, "amount": str(f.amount)} for f in quote.fee_lines],
                      **({"extras": [e.stored() for e in quote.extra_lines]} if quote.extra_lines else {})},
    )


def quote_payload(quote: Quote) -> dict:
    data = quote.as_dict()
    data["free_until"] = quote.free_until.isoformat() if quote.free_until else None
    data["payment_terms"] = terms_for_quote(quote, booked_on=hotel_today(quote.hotel)).as_dict()
    return data


def rate_plan_open_check(rate_plan, access_code: str | None) -> None:
    """UNKNOWN_RATE_PLAN for a member or code-only plan asked without its access code: to a guest who has not
    typed the code, the plan does not exist (the search never shows it either)."""
    if not rate_plan.opens_with(access_code):
        raise UnknownRatePlan(f"This hotel has no rate plan {rate_plan.code}.")
