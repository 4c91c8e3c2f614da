"""Reads for the rates calendar: room types, their plans' nightly prices and the nights' inventory and restrictions
over a window of dates, in five queries whatever the number of room types, plans and nights."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hotelbooking.errors import RateNotAvailable
from inventory.models import Hotel, InventoryDay, RoomType
from inventory.selectors import GridCell
from pricing.engine import PricingContext, night_price
from pricing.models import Rate, RateOverride, RatePlan

WINDOW_DAYS = 31


@dataclass(frozen=True)
class Badge:
    code: str    # CLOSED, MIN, MAX, CTA, CTD, LEAD_MIN, LEAD_MAX, CAP
    label: str   # what the cell shows
    title: str   # what it means


def badges_of(day: InventoryDay) -> list[Badge]:
    """The restrictions of one night, as the calendar shows them."""
    out = []
    if day.stop_sell:
        out.append(Badge("CLOSED", "Closed", "Stop-sell: not sold this night"))
    if day.min_stay:
        out.append(Badge("MIN", f"Min {day.min_stay}", f"Minimum stay {day.min_stay} nights"))
    if day.max_stay:
        out.append(Badge("MAX", f"Max {day.max_stay}", f"Maximum stay {day.max_stay} nights"))
    if day.closed_to_arrival:
        out.append(Badge("CTA", "CTA", "Closed to arrival"))
    if day.closed_to_departure:
        out.append(Badge("CTD", "CTD", "Closed to departure"))
    if day.min_advance_days is not None:
        out.append(Badge("LEAD_MIN", f"≥{day.min_advance_days}d",
                         f"Book at least {day.min_advance_days} days ahead"))
    if day.max_advance_days is not None:
        out.append(Badge("LEAD_MAX", f"≤{day.max_advance_days}d",
                         f"Book at most {day.max_advance_days} days ahead"))
    if day.rooms_to_sell is not None:
        out.append(Badge("CAP", f"Sell {day.rooms_to_sell}", f"At most {day.rooms_to_sell} rooms sold"))
    return out


@dataclass(frozen=True)
class DayCell(GridCell):
    """The inventory grid's cell (open, sold, available), with the calendar's badges."""

    @property
    def left(self) -> int:
        return self.available

    @property
    def badges(self) -> list[Badge]:
        return badges_of(self.day) if self.day else []


@dataclass(frozen=True)
class PriceCell:
    date: date
    amount: Decimal | None   # the night's price on the plan (before any promotion); None: no rate loaded
    overridden: bool = False  # the base plan's price this night is an override, not a season's


@dataclass(frozen=True)
class PlanRow:
    plan: RatePlan
    cells: list[PriceCell]

    @property
    def is_derived(self) -> bool:
        return bool(self.plan.parent_id)

    @property
    def derivation(self) -> str:
        """How a derived plan follows its parent, e.g. "BAR less 10%"."""
        plan = self.plan
        if not plan.parent_id:
            return ""
        value = plan.derivation_value.normalize()
        off = f"{value:f}%" if plan.derivation == RatePlan.Derivation.PERCENT else f"{value:f} a night"
        return f"{plan.parent.code} less {off}"


@dataclass(frozen=True)
class RoomTypeRow:
    room_type: RoomType
    days: list[DayCell]
    plans: list[PlanRow]


@dataclass
class RateCalendar:
    hotel: Hotel
    start: date
    dates: list[date]
    today: date
    rows: list[RoomTypeRow] = field(default_factory=list)
    plans: list[RatePlan] = field(default_factory=list)

    @property
    def end(self) -> date:
        return self.dates[-1]

    def shifted(self, days: int) -> date:
        return self.start + timedelta(days=days)

    @property
    def previous_week(self) -> date:
        return self.shifted(-7)

    @property
    def next_week(self) -> date:
        return self.shifted(7)

    @property
    def previous_month(self) -> date:
        return self.shifted(-WINDOW_DAYS)

    @property
    def next_month(self) -> date:
        return self.shifted(WINDOW_DAYS)


def rate_calendar(*, hotel: Hotel, start: date, days: int = WINDOW_DAYS) -> RateCalendar:
    """Room types (in their order) with every active plan under them, by the nights start .. start + days - 1.

    Five queries: room types, plans, the base plans' seasons and overrides over the window, and the nights.
    Prices come from the pricing engine's own per-night rule (engine.night_price), so the calendar shows what a
    booking made now would pay before taxes, fees and promotions.
    """
    dates = [start + timedelta(days=i) for i in range(days)]
    end = dates[-1]
    room_types = list(RoomType.objects.filter(hotel=hotel).order_by("sort_order", "code"))
    plans = list(RatePlan.objects.filter(hotel=hotel, is_active=True).select_related("parent")
                 .order_by("code"))
    plans.sort(key=lambda p: (p.base_plan.code, p.parent_id is not None, p.code))  # each base, then its children
    base_ids = {p.base_plan.pk for p in plans}
    seasons: dict[int, dict[int, list[Rate]]] = defaultdict(lambda: defaultdict(list))
    for rate in (Rate.objects.filter(rate_plan_id__in=base_ids, start_date__lte=end, end_date__gte=start)
                 .order_by("-start_date", "-id")):  # the order PricingContext wants: the winning season first
        seasons[rate.rate_plan_id][rate.room_type_id].append(rate)
    overrides: dict[int, dict[tuple[int, date], Decimal]] = defaultdict(dict)
    for o in RateOverride.objects.filter(rate_plan_id__in=base_ids, date__range=(start, end)):
        overrides[o.rate_plan_id][(o.room_type_id, o.date)] = o.amount
    nights = {(d.room_type_id, d.date): d
              for d in InventoryDay.objects.filter(room_type__hotel=hotel, date__range=(start, end))}

    contexts = {p.pk: PricingContext(hotel=hotel, rate_plan=p, policy_snapshot={},
                                     seasons=seasons[p.base_plan.pk], overrides=overrides[p.base_plan.pk],
                                     taxes=[], fees=[]) for p in plans}
    rows = []
    for rt in room_types:
        plan_rows = [PlanRow(p, [PriceCell(d, _price(contexts[p.pk], rt, d), (rt.id, d) in contexts[p.pk].overrides)
                                 for d in dates]) for p in plans]
        rows.append(RoomTypeRow(rt, [DayCell(d, nights.get((rt.id, d))) for d in dates], plan_rows))
    return RateCalendar(hotel=hotel, start=start, dates=dates, today=hotel.today(), rows=rows, plans=plans)


def _price(ctx: PricingContext, room_type: RoomType, night: date) -> Decimal | None:
    try:
        return night_price(ctx, room_type, night).net
    except RateNotAvailable:
        return None
