"""Every open rate plan side by side: for each room type with a room every night, each plan the guest may see,
priced for the stay, cheapest first; member and code-only plans only with their access code.

The prices come from the engine (quote_stay) over contexts loaded once for a window of dates (`RatesWindow`),
so the sold-out alternatives (pricing.alternatives) price many arrival dates from the same load. Queries are a
fixed number whatever the room types, nights or dates: one PricingContext per base plan, which the plans
derived from it share (their prices are the base plan's rates less their own discount).
"""

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch

from hotelbooking.errors import RateNotAvailable, UnknownPromoCode, UnknownRatePlan
from hotelbooking.money import round_money
from inventory.models import Hotel, RoomType
from inventory.services import Availability, availability_for_room_types

from .engine import PricingContext, Quote, quote_stay, validate_promotion
from .guarantee import PaymentTerms, terms_for_quote
from .models import CancellationTier, Promotion, RatePlan
from .search import Stay, child_ages_validate
from .selectors import pricing_context_load, promotion_get, public_deal_for, public_deals_list, rate_plan_get


@dataclass(frozen=True)
class RateOffer:
    """One plan's price for one room type and stay, with its terms."""

    rate_plan: RatePlan
    quote: Quote
    payment_terms: PaymentTerms
    without_promotion: Quote | None = None  # the same stay at the plan's price, when a promotion lowers it

    @property
    def total(self) -> Decimal:
        return self.quote.total

    @property
    def per_night(self) -> Decimal:
        """The headline price: the total shared over the nights, rounded once."""
        return round_money(self.quote.total / len(self.quote.nights), self.quote.currency)


@dataclass
class RoomOffers:
    room_type: RoomType
    availability: Availability
    offers: list[RateOffer]  # cheapest first

    @property
    def cheapest(self) -> RateOffer:
        return self.offers[0]


@dataclass
class RatesWindow:
    """What pricing the visible plans over a window of dates needs, loaded once (`rates_window_load`)."""

    hotel: Hotel
    today: date
    plans: list[RatePlan]
    contexts: dict[int, PricingContext]     # rate plan id -> its context over the window, without promotion
    promotion: Promotion | None = None      # the code the guest typed
    deals: list[Promotion] = field(default_factory=list)  # public deals, tried when no code was typed


def visible_rate_plans(*, hotel: Hotel, access_code: str | None = None) -> list[RatePlan]:
    """The hotel's active plans a guest may see: the public ones, and those whose access code was entered."""
    plans = (RatePlan.objects.filter(hotel=hotel, is_active=True).order_by("code")
             .select_related("parent", "cancellation_policy")
             .prefetch_related(Prefetch("cancellation_policy__tiers", queryset=CancellationTier.objects.all())))
    return [p for p in plans if p.opens_with(access_code)]


def rate_plan_for_guest(*, hotel: Hotel, code: str | None, access_code: str | None = None) -> RatePlan:
    """rate_plan_get, except that a member or code-only plan is unknown to a guest without its access code."""
    plan = rate_plan_get(hotel=hotel, code=code)
    if not plan.opens_with(access_code):
        raise UnknownRatePlan(f"{hotel.name} has no rate plan {code}.", rate_plan=code)
    return plan


def _contexts_load(*, hotel: Hotel, plans: list[RatePlan], room_type_ids: list[int], start: date,
                   end: date) -> dict[int, PricingContext]:
    by_base: dict[int, list[RatePlan]] = {}
    for plan in plans:
        by_base.setdefault(plan.base_plan.pk, []).append(plan)
    contexts = {}
    # What each plan includes (bed and breakfast) is the plan's own, not its base's: one query for all plans.
    included: dict[int, list[int]] = {}
    for plan_id, extra_id in RatePlan.included_extras.through.objects.filter(
            rateplan_id__in=[p.pk for p in plans]).values_list("rateplan_id", "extra_id"):
        included.setdefault(plan_id, []).append(extra_id)
    for group in by_base.values():
        # Loaded through the group's first plan: its rates are the base plan's, its policy already prefetched.
        ctx = pricing_context_load(hotel=hotel, rate_plan=group[0], room_type_ids=room_type_ids, check_in=start,
                                   check_out=end)
        for plan in group:
            contexts[plan.pk] = ctx if plan is group[0] else replace(
                ctx, rate_plan=plan, policy_snapshot=plan.cancellation_policy.snapshot(),
                included_extras=[e for e in ctx.extras.values() if e.pk in included.get(plan.pk, ())])
    return contexts


def rates_window_load(*, hotel: Hotel, room_type_ids: list[int], start: date, end: date,
                      plans: list[RatePlan], promo_code: str | None = None,
                      public_deals: bool = False) -> RatesWindow:
    """Contexts for every plan over the nights start..end (departure), the typed promotion or the public deals."""
    promotion = promotion_get(hotel=hotel, code=promo_code)
    deals = public_deals_list(hotel=hotel) if public_deals and promotion is None else []
    return RatesWindow(hotel=hotel, today=hotel.today(), plans=plans,
                       contexts=_contexts_load(hotel=hotel, plans=plans, room_type_ids=room_type_ids, start=start,
                                               end=end),
                       promotion=promotion, deals=deals)


def _promotion_for(window: RatesWindow, plan: RatePlan, check_in: date, check_out: date) -> Promotion | None:
    if window.promotion is not None:
        try:
            validate_promotion(window.promotion, check_in=check_in, check_out=check_out, booked_on=window.today,
                               rate_plan=plan)
        except UnknownPromoCode:
            return None
        return window.promotion
    return public_deal_for(window.deals, rate_plan=plan, check_in=check_in, check_out=check_out,
                           booked_on=window.today)


def promotion_check(window: RatesWindow, *, check_in: date, check_out: date) -> None:
    """UNKNOWN_PROMO_CODE, saying why, when the typed code applies to none of the plans for this stay."""
    promo = window.promotion
    if promo is None or not window.plans:
        return
    errors = []
    for plan in window.plans:
        try:
            validate_promotion(promo, check_in=check_in, check_out=check_out, booked_on=window.today,
                               rate_plan=plan)
        except UnknownPromoCode as error:
            errors.append(error)
        else:
            return
    raise errors[0]


def offers_for_room(window: RatesWindow, *, room_type: RoomType, check_in: date, check_out: date, adults: int,
                    children: int, child_ages=()) -> list[RateOffer]:
    """Each plan of the window that sells this room type for the stay, priced, cheapest first (in memory)."""
    nights = (check_out - check_in).days
    offers = []
    for plan in window.plans:
        if plan.min_stay and nights < plan.min_stay:
            continue
        plain = window.contexts[plan.pk]
        promotion = _promotion_for(window, plan, check_in, check_out)
        args = dict(room_type=room_type, check_in=check_in, check_out=check_out, adults=adults,
                    children=children, booked_on=window.today, child_ages=child_ages)
        try:
            try:
                quote = quote_stay(replace(plain, promotion=promotion) if promotion else plain, **args)
            except UnknownPromoCode:  # the promotion is not for this room type
                quote = quote_stay(plain, **args)
        except RateNotAvailable:
            continue  # not sold on this plan for these nights
        before = quote_stay(plain, **args) if quote.promotion is not None else None
        offers.append(RateOffer(plan, quote, terms_for_quote(quote, booked_on=window.today), before))
    offers.sort(key=lambda o: (o.total, o.rate_plan.code))
    return offers


@dataclass
class RatesResponse:
    hotel: Hotel
    stay: Stay
    plans: list[RatePlan]            # the plans the guest may see, by code
    rooms: list[RoomOffers]          # cheapest first offer first
    unavailable: list[tuple[RoomType, Availability]]  # fit the party but have no room (or a rule) on some night
    fits_any: bool                   # some room type takes the party
    promotion: Promotion | None = None
    access_code: str = ""

    @property
    def unlocked_plans(self) -> list[RatePlan]:
        return [p for p in self.plans if p.visibility != RatePlan.Visibility.PUBLIC]


def search_all_rates(*, hotel: Hotel, stay: Stay, promo_code: str | None = None, access_code: str | None = None,
                     public_deals: bool = False, child_ages=None, rate_plan_code: str | None = None) -> RatesResponse:
    """Every room type that fits the party and has a room every night, with every plan the guest may see
    (`rate_plan_code`: only that one), cheapest first, and the room types that fit but cannot be sold.

    The typed promotion applies to the plans it is valid for (UNKNOWN_PROMO_CODE when it is valid for none);
    without one, and with `public_deals`, each plan gets its first valid public deal.
    """
    child_ages = child_ages_validate(stay.children, child_ages)
    if rate_plan_code:
        plans = [rate_plan_for_guest(hotel=hotel, code=rate_plan_code, access_code=access_code)]
    else:
        plans = visible_rate_plans(hotel=hotel, access_code=access_code)
    room_types = [rt for rt in RoomType.objects.filter(hotel=hotel) if rt.can_accommodate(stay.adults, stay.children)]
    availability = availability_for_room_types([rt.id for rt in room_types], stay.check_in, stay.check_out,
                                               hotel=hotel)
    open_types = [rt for rt in room_types if availability[rt.id].bookable]
    window = rates_window_load(hotel=hotel, room_type_ids=[rt.id for rt in open_types], start=stay.check_in,
                               end=stay.check_out, plans=plans, promo_code=promo_code, public_deals=public_deals)
    promotion_check(window, check_in=stay.check_in, check_out=stay.check_out)
    rooms = []
    for rt in open_types:
        offers = offers_for_room(window, room_type=rt, check_in=stay.check_in, check_out=stay.check_out,
                                 adults=stay.adults, children=stay.children, child_ages=child_ages)
        if offers:
            rooms.append(RoomOffers(rt, availability[rt.id], offers))
    rooms.sort(key=lambda r: (r.cheapest.total, r.room_type.sort_order))
    unavailable = [(rt, availability[rt.id]) for rt in room_types if not availability[rt.id].bookable]
    return RatesResponse(hotel=hotel, stay=stay, plans=plans, rooms=rooms, unavailable=unavailable,
                         fits_any=bool(room_types), promotion=window.promotion, access_code=(access_code or "").strip())
