"""What the ARI push tells a channel: availability and restrictions per rate plan, rates with taxes and occupancy.

Every figure comes from the services a booking goes through: rooms left and restrictions from InventoryDay
(with the plan's own minimum stay and on-sale flag), prices from the pricing engine's one-night quote of each
occupancy (pricing/engine: the plan's derivation, occupancy.py's extra adult, single and child prices, taxes.py's
taxes, the hotel's fees). So a channel showing our after-tax amounts shows, for the seed's Friday-to-Monday
Deluxe King stay at BAR, 226.68 + 260.28 + 237.88 = 724.84, what we charge.
"""

import copy
from dataclasses import replace
from datetime import date, timedelta

from hotelbooking.errors import RateNotAvailable
from hotelbooking.money import ZERO
from inventory.models import InventoryDay, RoomType
from pricing.engine import PricingContext, included_adults, night_price, quote_stay
from pricing.models import ChildAgeBand, Fee, RatePlan, Tax
from pricing.search import hotel_today
from pricing.selectors import pricing_context_load

from .ari import AdditionalAmount, AvailDay, FeeAmount, GuestAmount, RateDay, TaxAmount
from .models import Channel, RatePlanMapping

# Occupancy prices go out for 1 to this many adults (fewer when the room takes fewer).
MAX_PRICED_ADULTS = 4
_FEE_PER = {Fee.Kind.PER_NIGHT: "room per night", Fee.Kind.PER_STAY: "room per stay",
            Fee.Kind.PER_GUEST_PER_NIGHT: "guest per night"}


def _mappings(channel: Channel) -> list[RatePlanMapping]:
    return list(channel.rate_mappings.select_related("rate_plan__parent", "rate_plan__cancellation_policy")
                .order_by("channel_rate_code"))


# --- availability ----------------------------------------------------------------------------------------

def avail_days(*, room_type: RoomType, dates) -> list[AvailDay]:
    """Rooms left to sell and restrictions per night; a night with no inventory open is sold out and closed."""
    dates = sorted(set(dates))
    if not dates:
        return []
    rows = {d.date: d for d in InventoryDay.objects.filter(room_type=room_type, date__in=dates)}
    out = []
    for night in dates:
        day = rows.get(night)
        if day is None:
            out.append(AvailDay(night, 0, stop_sell=True))
            continue
        out.append(AvailDay(night, day.free, stop_sell=day.stop_sell, closed_to_arrival=day.closed_to_arrival,
                            closed_to_departure=day.closed_to_departure, min_stay=day.min_stay,
                            max_stay=day.max_stay, min_advance_days=day.min_advance_days,
                            max_advance_days=day.max_advance_days))
    return out


def for_plan(day: AvailDay, plan: RatePlan) -> AvailDay:
    """A night as sold on one plan: closed while the plan is off sale; the longer of the night's and the plan's
    minimum stay (a booking must meet both)."""
    longest_minimum = max(day.min_stay or 1, plan.min_stay or 1)
    return replace(day, stop_sell=day.stop_sell or not plan.is_active,
                   min_stay=longest_minimum if longest_minimum > 1 else day.min_stay)


def avail_by_plan(*, channel: Channel, room_type: RoomType, dates) -> dict[str | None, list[AvailDay]]:
    """{channel RatePlanCode: nights} for every plan mapped (on sale or not: a plan taken off sale is closed);
    {None: nights} for a channel with no plan mapped, which sells the room type alone."""
    days = avail_days(room_type=room_type, dates=dates)
    mappings = _mappings(channel)
    if not mappings:
        return {None: days}
    return {m.channel_rate_code: [for_plan(d, m.rate_plan) for d in days] for m in mappings}


# --- rates -----------------------------------------------------------------------------------------------

def rate_days(*, channel: Channel, room_type: RoomType, dates) -> dict[str, list[RateDay]]:
    """The nightly prices of every mapped plan on sale: {channel rate code: days}.

    Derived plans are priced from their base plan exactly as a booking would be. A night with no rate loaded
    is left out (the channel keeps what it had) rather than sent as zero.
    """
    dates = sorted(set(dates))
    if not dates:
        return {}
    hotel = channel.hotel
    today = hotel_today(hotel)
    out: dict[str, list[RateDay]] = {}
    for mapping in _mappings(channel):
        plan = mapping.rate_plan
        if not plan.is_active:
            continue
        ctx = pricing_context_load(hotel=hotel, rate_plan=plan, room_type_ids=[room_type.id], check_in=dates[0],
                                   check_out=dates[-1] + timedelta(days=1))
        days = []
        for night in dates:
            try:
                days.append(_rate_day(ctx, channel, room_type, night, booked_on=today))
            except RateNotAvailable:
                continue
        out[mapping.channel_rate_code] = days
    return out


def _rate_day(ctx: PricingContext, channel: Channel, room_type: RoomType, night: date, *, booked_on: date) -> RateDay:
    base = night_price(ctx, room_type, night)   # the base price whoever stays, as the rate calendar shows it
    capacity = max(1, min(room_type.max_adults, room_type.max_occupancy))
    included = included_adults(ctx, room_type, night)
    if channel.rate_occupancy_prices:
        counts = list(range(1, min(MAX_PRICED_ADULTS, capacity) + 1))
    else:
        counts = [min(included or 2, capacity)]
    per_stay: tuple[FeeAmount, ...] = ()
    guests = []
    for adults in counts:
        amount, per_stay = _one_night(ctx, room_type, night, adults=adults, booked_on=booked_on)
        guests.append(replace(amount, guests=adults if channel.rate_occupancy_prices else None))
    fees = tuple(FeeAmount(f.name, f.amount, _FEE_PER[f.kind], in_after_tax=f.kind != Fee.Kind.PER_STAY)
                 for f in ctx.fees) + per_stay
    additional = _additional(ctx, room_type, night, top=counts[-1], included=included, booked_on=booked_on) \
        if channel.rate_occupancy_prices else ()
    # Before tax and without any party, what the messages carried before occupancy and tax (kept for runs).
    return RateDay(night, base.rate - base.rate_plan_discount, tuple(guests), additional, fees)


def _one_night(ctx: PricingContext, room_type: RoomType, night: date, *, adults: int, child_ages=(),
               booked_on: date) -> tuple[GuestAmount, tuple[FeeAmount, ...]]:
    """A one-night stay of one room quoted by the engine: before tax (the room less any tax inside its price),
    after tax (with every tax and fee charged per night), the taxes one by one; and the per-stay taxes, which no
    nightly amount can hold, as fees of their own."""
    quote = quote_stay(ctx, room_type=room_type, check_in=night, check_out=night + timedelta(days=1),
                       adults=adults, children=len(child_ages), child_ages=child_ages, rooms=1, booked_on=booked_on)
    before = quote.room_total - quote.included_taxes
    nightly = [t for t in quote.tax_lines if t.kind != Tax.Kind.PER_STAY]
    fees = sum((f.amount for f in quote.fee_lines if f.kind != Fee.Kind.PER_STAY), ZERO)
    after = before + sum((t.amount for t in nightly), ZERO) + fees
    taxes = tuple(TaxAmount(t.name, t.amount, t.rate) for t in nightly)
    per_stay = tuple(FeeAmount(t.name, t.amount, "room per stay") for t in quote.tax_lines
                     if t.kind == Tax.Kind.PER_STAY)
    return GuestAmount(adults, before, after, taxes), per_stay


def _additional(ctx: PricingContext, room_type: RoomType, night: date, *, top: int, included: int | None,
                booked_on: date) -> tuple[AdditionalAmount, ...]:
    """What one more guest adds, as the engine prices them: an adult beyond the `top` priced (only where the
    night is priced by occupancy) and a child of each age band (rooms that take children), both as the
    difference of two one-night quotes. The room's capacity is lifted for the quote: the channel applies the
    amount to whoever it sells, and our booking checks the party."""
    roomy = copy.copy(room_type)
    roomy.max_adults = roomy.max_occupancy = top + 2
    roomy.max_children = max(1, room_type.max_children)
    out = []
    if included is not None:
        bigger, _ = _one_night(ctx, roomy, night, adults=top + 1, booked_on=booked_on)
        alone, _ = _one_night(ctx, roomy, night, adults=top, booked_on=booked_on)
        out.append(AdditionalAmount("10", bigger.before_tax - alone.before_tax, bigger.after_tax - alone.after_tax))
    if room_type.max_children:
        adults = 1
        alone, _ = _one_night(ctx, roomy, night, adults=adults, booked_on=booked_on)
        previous = -1
        bands = [b for b in ctx.child_bands if b.kind != ChildAgeBand.Kind.ADULT] or [None]
        for band in bands:
            oldest = 17 if band is None else band.up_to_age
            with_child, _ = _one_night(ctx, roomy, night, adults=adults, child_ages=(oldest,), booked_on=booked_on)
            out.append(AdditionalAmount("8", with_child.before_tax - alone.before_tax,
                                        with_child.after_tax - alone.after_tax, previous + 1, oldest))
            previous = oldest
    return tuple(out)


def rate_summary(days: dict[str, list[RateDay]], *, amounts: str) -> dict[date, str]:
    """Per night, what the channel is told of each plan, for the admin's record (ChannelNight)."""
    out: dict[date, list[str]] = {}
    for code, plan_days in days.items():
        for day in plan_days:
            parts = []
            for g in day.guests:
                who = f"{g.guests} ad. " if g.guests is not None else ""
                if amounts == "AFTER_TAX":
                    parts.append(f"{who}{g.after_tax:.2f} after tax")
                elif amounts == "BOTH":
                    parts.append(f"{who}{g.before_tax:.2f} / {g.after_tax:.2f} after tax")
                else:
                    parts.append(f"{who}{g.before_tax:.2f}")
            out.setdefault(day.date, []).append(f"{code}: {', '.join(parts) or f'{day.amount:.2f}'}")
    return {night: "; ".join(parts) for night, parts in out.items()}


def avail_summary(days: dict[str | None, list[AvailDay]], *, max_nights: int | None) -> dict[date, str]:
    out: dict[date, list[str]] = {}
    for code, plan_days in days.items():
        for d in plan_days:
            text = (f"{max(0, d.booking_limit)} left, {'closed' if d.stop_sell else 'open'}, "
                    f"stay {d.min_stay or 1}-{d.max_stay or max_nights or '-'}"
                    f"{', CTA' if d.closed_to_arrival else ''}{', CTD' if d.closed_to_departure else ''}"
                    f"{f', book {d.min_advance_days}+ days ahead' if d.min_advance_days else ''}"
                    f"{f', at most {d.max_advance_days} days ahead' if d.max_advance_days is not None else ''}")
            out.setdefault(d.date, []).append(f"{code}: {text}" if code else text)
    return {night: "; ".join(parts) for night, parts in out.items()}

