"""The availability search: which room types can take the party and have a room every night, priced.

Also the stay validation shared by the search and by booking (same rules, same error codes).
"""

from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.utils.translation import gettext

from hotelbooking.errors import (
    InvalidDates,
    InvalidParty,
    RateNotAvailable,
    UnknownPromoCode,
    UnknownRatePlan,
)
from inventory.models import Hotel, RoomType
from inventory.selectors import hotel_get  # noqa: F401 (the search's callers read it from here)
from inventory.services import Availability, availability_for_room_types

from .engine import Quote, quote_stay, validate_promotion
from .guarantee import PaymentTerms, terms_for_quote
from .models import Promotion, RatePlan
from .selectors import pricing_context_load, promotion_get, public_deal_get, rate_plan_get


@dataclass(frozen=True)
class Stay:
    check_in: date
    check_out: date
    adults: int
    children: int = 0

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


def hotel_today(hotel: Hotel) -> date:
    return hotel.today()


def _parse_date(value, name: str) -> date:
    if isinstance(value, date):
        return value
    if not value:
        raise InvalidDates(gettext("%(field)s is required (YYYY-MM-DD).") % {"field": name}, field=name)
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidDates(gettext("%(field)s must be a date in the form YYYY-MM-DD.") % {"field": name},
                           field=name) from None


def _parse_count(value, name: str, default: int | None) -> int:
    if value in (None, ""):
        if default is None:
            raise InvalidParty(gettext("%(field)s is required.") % {"field": name}, field=name)
        return default
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidParty(gettext("%(field)s must be a whole number.") % {"field": name}, field=name) from None


def stay_validate(*, hotel: Hotel, check_in, check_out, adults, children=None) -> Stay:
    """Parse and check a stay. Raises INVALID_DATES or INVALID_PARTY with a message a guest can act on."""
    ci = _parse_date(check_in, "check_in")
    co = _parse_date(check_out, "check_out")
    if co <= ci:
        raise InvalidDates(gettext("Check-out must be after check-in."), field="check_out")
    if ci < hotel_today(hotel):
        raise InvalidDates(gettext("Check-in cannot be in the past."), field="check_in")
    max_nights = settings.BOOKING_MAX_NIGHTS
    if (co - ci).days > max_nights:
        raise InvalidDates(gettext("Stays can be at most %(n)s nights.") % {"n": max_nights}, field="check_out")
    a = _parse_count(adults, "adults", 1)
    c = _parse_count(children, "children", 0)
    if a < 1:
        raise InvalidParty(gettext("At least one adult is required."), field="adults")
    if c < 0:
        raise InvalidParty(gettext("Children cannot be negative."), field="children")
    if a > 50 or c > 50:
        raise InvalidParty(gettext("That party is too large to book online."),
                           field="adults" if a > 50 else "children")
    return Stay(ci, co, a, c)


# One booking holds at most this many rooms (the guest pages, the API and the desk alike).
MAX_ROOMS = 9


def rooms_limit_message() -> str:
    return gettext("Book between 1 and %(n)s rooms at a time.") % {"n": MAX_ROOMS}


def room_count_validate(value) -> int:
    """How many rooms a guest asks for: 1 to MAX_ROOMS (INVALID_PARTY otherwise; blank is 1)."""
    try:
        rooms = int(str(1 if value in (None, "") else value).strip())
    except ValueError:
        raise InvalidParty(gettext("%(field)s must be a whole number.") % {"field": "room_count"},
                           field="room_count") from None
    if not 1 <= rooms <= MAX_ROOMS:
        raise InvalidParty(rooms_limit_message(), field="room_count")
    return rooms


def child_ages_validate(children: int, ages: list) -> list[int]:
    """The children's ages: none, or one per child, each 0 to 17 (INVALID_PARTY otherwise)."""
    ages = list(ages or [])
    if ages and len(ages) != children:
        raise InvalidParty(gettext("Give one age per child (%(expected)s expected, %(given)s given).")
                           % {"expected": children, "given": len(ages)}, field="child_ages")
    out = []
    for age in ages:
        try:
            value = int(age)
        except (TypeError, ValueError):
            raise InvalidParty(gettext("Child ages must be whole numbers."), field="child_ages") from None
        if not 0 <= value <= 17:
            raise InvalidParty(gettext("Child ages must be between 0 and 17."), field="child_ages")
        out.append(value)
    return out


@dataclass
class SearchResult:
    room_type: RoomType
    availability: Availability
    quote: Quote
    payment_terms: PaymentTerms | None = None  # what booking it today would charge now, later and when
    without_promotion: Quote | None = None  # the same stay at the plan's price, when a promotion lowers it


@dataclass
class SearchResponse:
    hotel: Hotel
    stay: Stay
    rate_plan: RatePlan
    results: list[SearchResult]
    promotion: Promotion | None = None


def search_availability(*, hotel: Hotel, stay: Stay, rate_plan_code: str | None = None,
                        promo_code: str | None = None, public_deals: bool = False, child_ages=None,
                        access_code: str | None = None) -> SearchResponse:
    """Room types that fit the party and have a room every night, cheapest total first.

    A member or code-only plan is UNKNOWN_RATE_PLAN unless `access_code` is its code (pricing.offers shows
    every plan side by side). `child_ages` (none, or one per child) price the taxes that exempt children; a
    child without an age is exempt.

    A promotion limited to some room types prices the others without it. With `public_deals` (the guest page)
    and no code given, the hotel's public deal for the stay applies. A fixed number of queries whatever the
    number of room types and nights.
    """
    child_ages = child_ages_validate(stay.children, child_ages)
    rate_plan = rate_plan_get(hotel=hotel, code=rate_plan_code)
    if not rate_plan.opens_with(access_code):  # a member or code-only plan is unknown without its code
        raise UnknownRatePlan(f"{hotel.name} has no rate plan {rate_plan_code}.", rate_plan=rate_plan_code)
    promotion = promotion_get(hotel=hotel, code=promo_code)
    today = hotel_today(hotel)
    if promotion is not None:
        validate_promotion(promotion, check_in=stay.check_in, check_out=stay.check_out, booked_on=today,
                           rate_plan=rate_plan)
    elif public_deals:
        promotion = public_deal_get(hotel=hotel, rate_plan=rate_plan, check_in=stay.check_in,
                                    check_out=stay.check_out, booked_on=today)
    room_types = [rt for rt in RoomType.objects.filter(hotel=hotel)
                  if rt.can_accommodate(stay.adults, stay.children)]
    if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
        return SearchResponse(hotel, stay, rate_plan, [], promotion)
    availability = availability_for_room_types([rt.id for rt in room_types], stay.check_in, stay.check_out,
                                               hotel=hotel)
    open_types = [rt for rt in room_types if availability[rt.id].bookable]
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[rt.id for rt in open_types],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=promotion)
    plain = replace(ctx, promotion=None)
    results = []
    for rt in open_types:
        args = dict(room_type=rt, check_in=stay.check_in, check_out=stay.check_out, adults=stay.adults,
                    children=stay.children, booked_on=today, child_ages=child_ages)
        try:
            try:
                quote = quote_stay(ctx, **args)
            except UnknownPromoCode:  # the promotion is not for this room type
                quote = quote_stay(plain, **args)
        except RateNotAvailable:
            continue  # not sold on this plan for these nights
        before = quote_stay(plain, **args) if quote.promotion is not None else None
        results.append(SearchResult(rt, availability[rt.id], quote, terms_for_quote(quote, booked_on=today),
                                    without_promotion=before))
    results.sort(key=lambda r: (r.quote.total, r.room_type.sort_order))
    return SearchResponse(hotel, stay, rate_plan, results, promotion)
