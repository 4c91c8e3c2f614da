"""The pricing engine: a pure computation over a PricingContext loaded in a fixed number of queries.

Per night and per room: rate (the base plan's price, plus what the room's party adds as
pricing/engine/occupancy.py says) - rate-plan discount - promotion discount = net.
Totals multiply by the room count; fees are computed on the stay, rounded once each; taxes as
pricing/engine/taxes.py says (validity, caps, exemptions, prices that include tax). Extras the guest takes (and
those the rate plan includes, at 0.00) are lines of their own, as pricing/engine/extras.py says; the percentage
taxes apply to the taxable ones. total = room_total + taxes + fees + extras.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext

from hotelbooking.errors import InvalidParty, RateNotAvailable, UnknownPromoCode
from hotelbooking.money import ZERO, percent_of, round_money
from inventory.models import Hotel, RoomType, nights_between

from ..cancellation import check_in_instant, free_until
from ..models import ChildAgeBand, Extra, Fee, Promotion, Rate, RatePlan, Tax
from .extras import ExtraChoice, ExtraLine, choices_of, extra_lines_for, extras_choose, taxable_per_night
from .occupancy import Party, Supplement, line_supplement, parties_of
from .taxes import ChargeLine, tax_lines_for

__all__ = ["ChargeLine", "choices_of", "ExtraChoice", "ExtraLine", "NightPrice", "Party", "PricingContext",
           "Quote", "extras_choose", "included_adults", "night_price", "nightly_totals_of", "party_fits",
           "quote_stay", "validate_promotion"]


@dataclass
class PricingContext:
    hotel: Hotel
    rate_plan: RatePlan
    policy_snapshot: dict
    seasons: dict[int, list[Rate]]                 # room_type_id -> seasons of the base plan, newest start first
    overrides: dict[tuple[int, date], Decimal]     # (room_type_id, date) -> amount
    taxes: list[Tax]
    fees: list[Fee]
    promotion: Promotion | None = None
    child_bands: list[ChildAgeBand] = field(default_factory=list)   # the base plan's, by up_to_age
    extras: dict[str, Extra] = field(default_factory=dict)   # the hotel's extras by code in upper case
    included_extras: list[Extra] = field(default_factory=list)  # what the rate plan includes (bed and breakfast)


@dataclass(frozen=True)
class NightPrice:
    """One night of one room. `rate` is the undiscounted price for the room's party; of it, what the party adds
    to the base plan's price (pricing/engine/occupancy.py): zero on a night kept at its booked price."""

    date: date
    rate: Decimal
    rate_plan_discount: Decimal = ZERO
    promotion_discount: Decimal = ZERO
    extra_adults: Decimal = ZERO
    children_supplement: Decimal = ZERO
    single_occupancy: Decimal = ZERO      # negative or zero

    @property
    def base_rate(self) -> Decimal:
        """The base plan's price of the night, before what the party adds."""
        return self.rate - self.extra_adults - self.children_supplement - self.single_occupancy

    @property
    def priced_by_occupancy(self) -> bool:
        return bool(self.extra_adults or self.children_supplement or self.single_occupancy)

    @property
    def net(self) -> Decimal:
        return self.rate - self.rate_plan_discount - self.promotion_discount


@dataclass
class Quote:
    hotel: Hotel
    room_type: RoomType
    rate_plan: RatePlan
    check_in: date
    check_out: date
    adults: int
    children: int
    rooms: int
    currency: str
    nights: list[NightPrice]
    subtotal: Decimal
    rate_plan_discount: Decimal          # negative or zero
    promotion_discount: Decimal          # negative or zero
    room_total: Decimal
    tax_lines: list[ChargeLine]
    fee_lines: list[ChargeLine]
    policy_snapshot: dict
    check_in_at: datetime
    free_until: datetime | None
    promotion: Promotion | None = None
    nightly_totals: list[Decimal] = field(default_factory=list)
    # Set when staff priced the stay by hand (bookings.services.override): who, why, the original figures.
    price_override: dict | None = None
    child_ages: tuple[int, ...] = ()     # as given; a child without one is exempt from age-exempting taxes
    extra_lines: list[ExtraLine] = field(default_factory=list)  # pricing/engine/extras.py

    @property
    def taxes(self) -> Decimal:
        """The taxes added to room_total: every tax line not included in the prices."""
        return sum((t.amount for t in self.tax_lines if not t.included), ZERO)

    @property
    def included_taxes(self) -> Decimal:
        """The taxes inside room_total (a hotel whose prices include tax); zero elsewhere."""
        return sum((t.amount for t in self.tax_lines if t.included), ZERO)

    @property
    def fees(self) -> Decimal:
        return sum((f.amount for f in self.fee_lines), ZERO)

    @property
    def extras(self) -> Decimal:
        return sum((e.amount for e in self.extra_lines), ZERO)

    @property
    def discount(self) -> Decimal:
        """Rate-plan and promotion discounts together (negative or zero)."""
        return self.rate_plan_discount + self.promotion_discount

    @property
    def total(self) -> Decimal:
        return self.room_total + self.taxes + self.fees + self.extras

    def as_dict(self) -> dict:
        """The quote as the API and pages show it (amounts as 2-decimal strings in the currency)."""
        m = self._m
        return {
            "currency": self.currency,
            "nightly_rates": [_nightly(n, m) for n in self.nights],
            "subtotal": m(self.subtotal),
            "discount": m(self.discount),
            "rate_plan_discount": m(self.rate_plan_discount),
            "promotion_discount": m(self.promotion_discount),
            "room_total": m(self.room_total),
            "taxes": m(self.taxes),
            "tax_lines": [t.shown(m) for t in self.tax_lines],
            "fees": m(self.fees),
            "fee_lines": [{"name": f.name, "amount": m(f.amount)} for f in self.fee_lines],
            "total": m(self.total),
            **({"included_taxes": m(self.included_taxes)} if self.hotel.prices_include_tax else {}),
            **({"extras": m(self.extras), "extra_lines": [e.shown(m) for e in self.extra_lines]}
               if self.extra_lines else {}),
        }

    def _m(self, amount: Decimal) -> str:
        return str(round_money(amount, self.currency))


def _nightly(n: NightPrice, m) -> dict:
    """A night as the API shows it; a night priced by occupancy also shows what the party adds."""
    if not n.priced_by_occupancy:
        return {"date": n.date.isoformat(), "rate": m(n.rate)}
    return {"date": n.date.isoformat(), "rate": m(n.rate), "base_rate": m(n.base_rate),
            "extra_adults": m(n.extra_adults), "children_supplement": m(n.children_supplement),
            "single_occupancy": m(n.single_occupancy)}


def _season(ctx: PricingContext, room_type: RoomType, night: date) -> Rate | None:
    """The base plan's season winning on the night (seasons come newest start first)."""
    return next((s for s in ctx.seasons.get(room_type.id, ()) if s.start_date <= night <= s.end_date), None)


def included_adults(ctx: PricingContext, room_type: RoomType, night: date) -> int | None:
    """How many adults the night's price includes (the winning season's base occupancy); None: the price is for
    the room whoever stays."""
    season = _season(ctx, room_type, night)
    return season.base_occupancy if season is not None else None


def _base_rate(ctx: PricingContext, room_type: RoomType, night: date, season: Rate | None) -> Decimal:
    override = ctx.overrides.get((room_type.id, night))
    if override is not None:
        return override
    if season is not None:
        return season.amount_for(night)
    raise RateNotAvailable(f"No {ctx.rate_plan.code} rate is loaded for {room_type.name} on {night}.",
                           date=str(night))


def _supplement(ctx: PricingContext, room_type: RoomType, night: date, parties: list[Party] | None,
                season: Rate | None = None) -> Supplement:
    if not parties:
        return Supplement()
    season = season if season is not None else _season(ctx, room_type, night)
    return line_supplement(parties, season=season, bands=ctx.child_bands, currency=ctx.hotel.currency)


def night_price(ctx: PricingContext, room_type: RoomType, night: date, parties: list[Party] | None = None
                ) -> NightPrice:
    """One night of one room on ctx.rate_plan before any promotion: the base plan's rate (an override, else the
    winning season), plus what the room's party adds when `parties` are given (one per identical room; none:
    the base price, as the rate calendar and the channel push show it), and the plan's own discount of the
    whole. RATE_NOT_AVAILABLE when no rate is loaded for the night."""
    currency = ctx.hotel.currency
    season = _season(ctx, room_type, night)
    base = round_money(_base_rate(ctx, room_type, night, season), currency)
    supp = _supplement(ctx, room_type, night, parties, season)
    rate = base + supp.total
    if rate < 0:  # a single discount larger than a low override: the night is free, not negative
        supp = replace(supp, single_occupancy=supp.single_occupancy - rate)
        rate = ZERO
    return NightPrice(night, rate, _plan_discount(ctx.rate_plan, rate, currency), ZERO, supp.extra_adults,
                      supp.children, supp.single_occupancy)


def _plan_discount(plan: RatePlan, rate: Decimal, currency: str) -> Decimal:
    if not plan.parent_id:
        return ZERO
    if plan.derivation == RatePlan.Derivation.PERCENT:
        return percent_of(rate, plan.derivation_value, currency)
    return min(rate, round_money(plan.derivation_value, currency))


def validate_promotion(promo: Promotion, *, check_in: date, check_out: date, booked_on: date,
                       rate_plan: RatePlan | None = None, room_type: RoomType | None = None) -> list[date]:
    """The nights the promotion applies to, or UnknownPromoCode saying why it does not.

    The plan and room type are checked when given (the search checks the room type per result). The usage cap
    is checked when the promotion was loaded with its `uses_count` (pricing.selectors.promotion_get): a
    booking already using it (a modification) is not counted against it again.
    """
    nights = nights_between(check_in, check_out)
    if not promo.is_active:
        raise UnknownPromoCode(f"The promotion {promo.code} is no longer offered.")
    if (promo.book_start and booked_on < promo.book_start) or (promo.book_end and booked_on > promo.book_end):
        raise UnknownPromoCode(f"The promotion {promo.code} cannot be booked today.")
    uses = getattr(promo, "uses_count", None)
    if promo.max_uses is not None and uses is not None and uses >= promo.max_uses:
        raise UnknownPromoCode(f"The promotion {promo.code} has been fully booked.")
    if rate_plan is not None:
        plans = {p.pk for p in promo.rate_plans.all()}
        if plans and rate_plan.pk not in plans:
            raise UnknownPromoCode(f"The promotion {promo.code} is not offered on the {rate_plan.name}.")
        if rate_plan.parent_id and not promo.combines_with_plan_discounts:
            raise UnknownPromoCode(f"The promotion {promo.code} cannot be combined with the {rate_plan.name}.")
    if room_type is not None:
        types = {t.pk for t in promo.room_types.all()}
        if types and room_type.pk not in types:
            raise UnknownPromoCode(f"The promotion {promo.code} does not apply to the {room_type.name}.")
    if len(nights) < promo.min_nights:
        raise UnknownPromoCode(f"The promotion {promo.code} needs a stay of at least {promo.min_nights} nights.")
    eligible = [n for n in nights if (not promo.stay_start or n >= promo.stay_start)
                and (not promo.stay_end or n <= promo.stay_end)]
    if not eligible:
        raise UnknownPromoCode(f"The promotion {promo.code} does not apply to these dates.")
    return eligible


def _promo_discounts(promo: Promotion | None, nets: dict[date, Decimal], eligible: list[date],
                     currency: str, already: Decimal = ZERO) -> dict[date, Decimal]:
    if promo is None:
        return {}
    if promo.kind == Promotion.Kind.PERCENT:
        return {n: percent_of(nets[n], promo.value, currency) for n in eligible}
    # An amount off the stay (per room), spread evenly over the eligible nights. What rounding or a night
    # cheaper than its share leaves over goes to the earliest nights that can take it: no night goes below 0.
    # `already` is what the stay's kept nights (a modification) already took of it: only the rest is left.
    left_of_promo = round_money(promo.value, currency) - already
    if left_of_promo <= 0:
        return {}
    amount = min(left_of_promo, sum((nets[n] for n in eligible), ZERO))
    share = round_money(amount / len(eligible), currency)
    shares = {n: min(share, nets[n]) for n in eligible}
    left = amount - sum(shares.values(), ZERO)
    for n in eligible:
        if left == 0:
            break
        step = min(left, nets[n] - shares[n]) if left > 0 else -min(-left, shares[n])
        shares[n] += step
        left -= step
    return shares


def party_fits(room_type: RoomType, adults: int, children: int, rooms: int = 1) -> bool:
    """Whether the party fits in `rooms` rooms of this type, each with at least one adult."""
    if rooms < 1 or adults < rooms:
        return False
    return (adults <= room_type.max_adults * rooms and children <= room_type.max_children * rooms
            and adults + children <= room_type.max_occupancy * rooms)


def quote_stay(ctx: PricingContext, *, room_type: RoomType, check_in: date, check_out: date, adults: int = 1,
               children: int = 0, rooms: int = 1, booked_on: date, booked_nights: dict[date, NightPrice] | None = None,
               child_ages=(), booked_party: Party | None = None, extras=()) -> Quote:
    """Price a stay for its party (`adults`, `children` with `child_ages` in all, over `rooms` identical rooms).

    `booked_nights` keeps prices already agreed (a modification's unchanged nights). `booked_party` is the whole
    party they were booked for (a Party of all rooms' adults and ages): where it differs, a kept night's rate
    moves by what the new party adds less what the booked one did, both at today's occupancy terms, and a
    percentage plan's discount with it; the rest of the booked price stands. `child_ages` price the children
    by age (occupancy.py) and the taxes that exempt children (an age not given: exempt). `extras` are the
    ExtraChoices the guest took, beside what the rate plan includes (pricing/engine/extras.py)."""
    if not party_fits(room_type, adults, children, rooms):
        raise InvalidParty(
            gettext("%(room)s takes at most %(adults)s adults, %(children)s children and %(guests)s guests in all "
                    "per room, with an adult in every room.")
            % {"room": room_type.name, "adults": room_type.max_adults, "children": room_type.max_children,
               "guests": room_type.max_occupancy})
    currency = ctx.hotel.currency
    booked_nights = booked_nights or {}
    stay = nights_between(check_in, check_out)
    eligible = []
    if ctx.promotion is not None:
        fresh = [n for n in stay if n not in booked_nights]
        if fresh:
            eligible = [n for n in validate_promotion(ctx.promotion, check_in=check_in, check_out=check_out,
                                                      booked_on=booked_on, rate_plan=ctx.rate_plan,
                                                      room_type=room_type) if n in fresh]
    parties = parties_of(adults=adults, children=children, child_ages=child_ages, rooms=rooms)
    before = None if booked_party is None else parties_of(
        adults=booked_party.adults, children=len(booked_party.child_ages), child_ages=booked_party.child_ages,
        rooms=rooms)
    priced: dict[date, NightPrice] = {}
    nets: dict[date, Decimal] = {}
    for night in stay:
        if night in booked_nights:
            priced[night] = _kept(ctx, room_type, booked_nights[night], parties, before)
            continue
        priced[night] = night_price(ctx, room_type, night, parties)
        nets[night] = priced[night].net
    already = sum((booked_nights[n].promotion_discount for n in stay if n in booked_nights), ZERO)
    promo = _promo_discounts(ctx.promotion if eligible else None, nets, eligible, currency, already)
    for night, amount in promo.items():
        p = priced[night]
        priced[night] = replace(p, promotion_discount=amount)
    nights = [priced[n] for n in stay]

    subtotal = sum((n.rate for n in nights), ZERO) * rooms
    plan_discount = -sum((n.rate_plan_discount for n in nights), ZERO) * rooms
    promo_discount = -sum((n.promotion_discount for n in nights), ZERO) * rooms
    room_total = subtotal + plan_discount + promo_discount

    n_nights, guests = len(nights), adults + children
    extra_lines = extra_lines_for(extras, ctx.included_extras, stay, guests=guests, currency=currency)
    tax_lines = tax_lines_for(ctx.taxes, nights, rooms=rooms, adults=adults, children=children,
                              child_ages=child_ages, inclusive=ctx.hotel.prices_include_tax, currency=currency,
                              extras=taxable_per_night(extra_lines))
    fee_lines = []
    for fee in ctx.fees:
        if fee.kind == Fee.Kind.PER_NIGHT:
            amount = fee.amount * n_nights * rooms
        elif fee.kind == Fee.Kind.PER_STAY:
            amount = fee.amount * rooms
        else:
            amount = fee.amount * guests * n_nights
        fee_lines.append(ChargeLine(fee.name, fee.kind, round_money(amount, currency)))

    checkin_at = check_in_instant(check_in, ctx.hotel.check_in_time, ctx.hotel.timezone)
    quote = Quote(
        hotel=ctx.hotel, room_type=room_type, rate_plan=ctx.rate_plan, check_in=check_in, check_out=check_out,
        adults=adults, children=children, rooms=rooms, currency=currency, nights=nights, subtotal=subtotal,
        rate_plan_discount=plan_discount, promotion_discount=promo_discount, room_total=room_total,
        tax_lines=tax_lines, fee_lines=fee_lines, policy_snapshot=ctx.policy_snapshot, check_in_at=checkin_at,
        free_until=free_until(ctx.policy_snapshot, checkin_at), promotion=ctx.promotion if eligible else None,
        extra_lines=extra_lines,
    )
    quote.child_ages = tuple(child_ages or ())
    quote.nightly_totals = nightly_totals_of(quote)
    return quote


def _kept(ctx: PricingContext, room_type: RoomType, booked: NightPrice, parties: list[Party],
          before: list[Party] | None) -> NightPrice:
    """A night kept at its booked price, moved by what a change of party adds or takes off (see quote_stay)."""
    if before is None or before == parties:
        return booked
    delta = (_supplement(ctx, room_type, booked.date, parties).total
             - _supplement(ctx, room_type, booked.date, before).total)
    if not delta:
        return booked
    rate = max(ZERO, booked.rate + delta)
    delta = rate - booked.rate
    plan_discount = booked.rate_plan_discount
    if ctx.rate_plan.parent_id and ctx.rate_plan.derivation == RatePlan.Derivation.PERCENT:
        plan_discount += percent_of(delta, ctx.rate_plan.derivation_value, ctx.hotel.currency)
    return replace(booked, rate=rate, rate_plan_discount=plan_discount)


def nightly_totals_of(quote: Quote) -> list[Decimal]:
    """Each night's share of the total (rooms, taxes, fees, and the extras on their nights), for "first N
    nights" penalties."""
    if not quote.nights:
        return []
    n = len(quote.nights)
    per_stay_extra = quote.taxes + quote.fees
    room_total = quote.room_total or Decimal(1)
    extras: dict[date, Decimal] = {}
    for line in quote.extra_lines:
        for night, amount in line.nights:
            extras[night] = extras.get(night, ZERO) + amount
    totals = []
    for night in quote.nights:
        room = night.net * quote.rooms
        share = per_stay_extra * room / room_total if quote.room_total else per_stay_extra / n
        totals.append(round_money(room + share + extras.get(night.date, ZERO), quote.currency))
    totals[0] += quote.total - sum(totals, ZERO)
    return totals
