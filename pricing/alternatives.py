"""When a search finds no room: which night is the problem, the nearest arrival dates within a week either side
that work for the same length of stay, the room types free on them, and a price calendar (the cheapest total
per arrival date).

Inventory and rates for the whole window are loaded once (inventory.services.availability_by_arrival,
pricing.offers.rates_window_load) and every arrival date is priced in memory by the engine: the queries do not
grow with the days, nights or room types.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from inventory.models import Hotel, RoomType
from inventory.services import Availability, availability_by_arrival

from .models import RatePlan
from .offers import RateOffer, offers_for_room, rates_window_load
from .search import Stay

WINDOW_DAYS = 7          # arrival dates this many days either side of the asked one
NEAREST_SHOWN = 3
SOLD_OUT_RESTRICTIONS = (None, "NO_INVENTORY", "STOP_SELL")  # "no room", as opposed to a stay rule


@dataclass(frozen=True)
class ProblemNight:
    """A night (or arrival/departure day) that stops some room types: no room, or a rule with its message."""

    date: date
    room_types: tuple[RoomType, ...]
    restriction: str          # SOLD_OUT, or the inventory restriction (MIN_STAY, CLOSED_TO_ARRIVAL, ...)
    message: str


@dataclass
class CalendarDay:
    arrival: date
    check_out: date
    past: bool = False
    asked: bool = False
    by_room: dict[int, tuple[RoomType, RateOffer]] = field(default_factory=dict)  # room type id -> its cheapest

    @property
    def available(self) -> bool:
        return bool(self.by_room)

    @property
    def cheapest(self) -> RateOffer | None:
        return min((o for _, o in self.by_room.values()), key=lambda o: o.total, default=None)

    @property
    def room_types(self) -> list[RoomType]:
        """The room types free for this arrival, cheapest first."""
        return [rt for rt, _ in sorted(self.by_room.values(), key=lambda pair: (pair[1].total, pair[0].sort_order))]


@dataclass
class SoldOutAdvice:
    problems: list[ProblemNight]
    calendar: list[CalendarDay]       # every arrival date of the window, in date order

    @property
    def nearest(self) -> list[CalendarDay]:
        """The arrival dates that work, nearest the asked one first (the earlier of two as near)."""
        asked = next((d.arrival for d in self.calendar if d.asked), None)
        days = [d for d in self.calendar if d.available and not d.asked]
        days.sort(key=lambda d: (abs((d.arrival - asked).days), d.arrival))
        return days[:NEAREST_SHOWN]

    def nearest_for(self, room_type: RoomType) -> list[CalendarDay]:
        asked = next((d.arrival for d in self.calendar if d.asked), None)
        days = [d for d in self.calendar if room_type.id in d.by_room and not d.asked]
        days.sort(key=lambda d: (abs((d.arrival - asked).days), d.arrival))
        return days[:NEAREST_SHOWN]

    @property
    def weeks(self) -> list[list[CalendarDay | None]]:
        """The calendar as Monday-to-Sunday rows, blank before the first day and after the last."""
        if not self.calendar:
            return []
        first = self.calendar[0].arrival
        cells: list[CalendarDay | None] = [None] * first.weekday() + list(self.calendar)
        cells += [None] * (-len(cells) % 7)
        return [cells[i:i + 7] for i in range(0, len(cells), 7)]


def problem_nights(unavailable: list[tuple[RoomType, Availability]]) -> list[ProblemNight]:
    """What stops each room type that fits the party, grouped by night and reason, in date order."""
    groups: dict[tuple[date, str], list[tuple[RoomType, Availability]]] = {}
    for rt, availability in unavailable:
        sold_out = availability.available == 0 and availability.restriction in SOLD_OUT_RESTRICTIONS
        kind = "SOLD_OUT" if sold_out else availability.restriction
        groups.setdefault((availability.constraining_date, kind), []).append((rt, availability))
    problems = []
    for (night, kind), members in sorted(groups.items(), key=lambda item: (item[0][0], item[0][1])):
        types = tuple(rt for rt, _ in sorted(members, key=lambda m: m[0].sort_order))
        message = "" if kind == "SOLD_OUT" else members[0][1].message
        problems.append(ProblemNight(night, types, kind, message))
    return problems


def sold_out_advice(*, hotel: Hotel, stay: Stay, room_types: list[RoomType], plans: list[RatePlan],
                    unavailable: list[tuple[RoomType, Availability]], promo_code: str | None = None,
                    public_deals: bool = False, child_ages=(), days: int = WINDOW_DAYS) -> SoldOutAdvice:
    """The problem nights of the asked stay, and for every arrival date from `days` before to `days` after it
    (none before the hotel's today) the cheapest offer of each room type for the same number of nights, on the
    same plans and promotion rules as the search."""
    today = hotel.today()
    nights = stay.nights
    every = [stay.check_in + timedelta(days=k) for k in range(-days, days + 1)]
    arrivals = [a for a in every if a >= today]
    ids = [rt.id for rt in room_types]
    by_arrival = availability_by_arrival(ids, arrivals, nights, hotel=hotel)
    calendar = []
    if arrivals:
        window = rates_window_load(hotel=hotel, room_type_ids=ids, start=arrivals[0],
                                   end=arrivals[-1] + timedelta(days=nights), plans=plans, promo_code=promo_code,
                                   public_deals=public_deals)
    for arrival in every:
        day = CalendarDay(arrival, arrival + timedelta(days=nights), past=arrival < today,
                          asked=arrival == stay.check_in)
        calendar.append(day)
        if day.past:
            continue
        for rt in room_types:
            if not by_arrival[arrival][rt.id].bookable:
                continue
            offers = offers_for_room(window, room_type=rt, check_in=arrival, check_out=day.check_out,
                                     adults=stay.adults, children=stay.children, child_ages=child_ages)
            if offers:
                day.by_room[rt.id] = (rt, offers[0])
    return SoldOutAdvice(problems=problem_nights(unavailable), calendar=calendar)
