"""The tape chart's read: every room of a hotel by room type, the stays and out-of-order periods on each over
a run of days, and the bookings still without a room, with the rooms each could take. Five queries, whatever the
number of rooms, stays or days."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, F

from bookings.models import Reservation, Status
from inventory.models import Hotel, Room, RoomType

from ..models import RoomAssignment, RoomOutOfOrder
from ..selectors import out_of_order_overlapping

DAYS = 14
# How a bar is coloured, by the booking's status (the legend says the same).
BAR_KINDS = {Status.CONFIRMED: "arriving", Status.CHECKED_IN: "in-house", Status.CHECKED_OUT: "departed"}
SHOWN = tuple(BAR_KINDS)


@dataclass(frozen=True)
class Day:
    date: date
    is_today: bool
    is_weekend: bool


@dataclass(frozen=True)
class Block:
    """One cell of a room's row: a stay's bar, an out-of-order block, or an empty night (`kind` "free")."""

    kind: str                      # arriving, in-house, departed, out-of-order, free
    start: date
    nights: int                    # the columns it spans in the window
    reservation: Reservation | None = None
    period: RoomOutOfOrder | None = None
    cut_before: bool = False       # it began before the window
    cut_after: bool = False        # it goes on after the window

    @property
    def label(self) -> str:
        if self.reservation is not None:
            return self.reservation.guest_full_name
        if self.period is not None:
            return f"Out of order: {self.period.reason}"
        return ""


@dataclass
class RoomRow:
    room: Room
    lanes: list[list[Block]]       # one lane normally; more only if the data overlaps (never, by the constraint)


@dataclass
class RoomTypeGroup:
    room_type: RoomType
    rows: list[RoomRow] = field(default_factory=list)


@dataclass(frozen=True)
class Unassigned:
    reservation: Reservation
    missing: int                   # rooms still to assign
    free_rooms: list[Room]         # rooms of its type free for all its nights


@dataclass(frozen=True)
class TapeChart:
    hotel: Hotel
    start: date
    end: date                      # the day after the last column
    today: date
    days: list[Day]
    groups: list[RoomTypeGroup]
    unassigned: list[Unassigned]

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=len(self.days))

    @property
    def next_start(self) -> date:
        return self.end


def _overlaps(start, end, busy: list[tuple[date, date]]) -> bool:
    return any(s < end and e > start for s, e in busy)


def _lanes(room_items: list[Block], start: date, end: date) -> list[list[Block]]:
    """Place the room's bars and blocks in lanes (a second lane only for overlapping items) and fill the gaps
    with free nights, so each lane spans exactly the window's days."""
    lanes: list[list[Block]] = []
    for item in sorted(room_items, key=lambda b: (b.start, -b.nights)):
        for lane in lanes:
            last = lane[-1]
            if last.start + timedelta(days=last.nights) <= item.start:
                lane.append(item)
                break
        else:
            lanes.append([item])
    if not lanes:
        lanes = [[]]
    filled = []
    for lane in lanes:
        cells, day = [], start
        for item in lane:
            while day < item.start:
                cells.append(Block(kind="free", start=day, nights=1))
                day += timedelta(days=1)
            cells.append(item)
            day = item.start + timedelta(days=item.nights)
        while day < end:
            cells.append(Block(kind="free", start=day, nights=1))
            day += timedelta(days=1)
        filled.append(cells)
    return filled


def _clipped(start: date, end: date, window_start: date, window_end: date) -> tuple[date, int] | None:
    s, e = max(start, window_start), min(end, window_end)
    return (s, (e - s).days) if e > s else None


def tape_chart(*, hotel: Hotel, start: date, today: date, days: int = DAYS) -> TapeChart:
    """Rooms by room type down the side, `days` days across from `start`; five queries."""
    end = start + timedelta(days=days)
    # 1. Bookings in the window not checked in yet, with fewer rooms assigned than booked.
    waiting = list(Reservation.objects.with_details().filter(
        hotel=hotel, status=Status.CONFIRMED, check_in__lt=end, check_out__gt=max(start, today))
        .annotate(assigned=Count("room_assignments")).filter(assigned__lt=F("room_count"))
        .order_by("check_in", "confirmation_number"))
    # The free rooms of a waiting booking depend on all its nights, also those past the window.
    span_start = min([start, *(r.check_in for r in waiting)])
    span_end = max([end, *(r.check_out for r in waiting)])
    # 2. The rooms, 3. their assignments, 4. out-of-order periods, over the window (and the waiting stays).
    rooms = list(Room.objects.filter(hotel=hotel).select_related("room_type")
                 .order_by("room_type__name", "room_type_id", "floor", "number"))
    assignments = list(RoomAssignment.objects.filter(room__hotel=hotel, start_date__lt=span_end,
                                                     end_date__gt=span_start)
                       .select_related("reservation__guest").order_by("start_date"))
    periods = list(out_of_order_overlapping(span_start, span_end).filter(room__hotel=hotel).order_by("start_date"))

    busy: dict[int, list[tuple[date, date]]] = defaultdict(list)
    items: dict[int, list[Block]] = defaultdict(list)
    for a in assignments:
        busy[a.room_id].append((a.start_date, a.end_date))
        kind = BAR_KINDS.get(a.reservation.status)
        clipped = _clipped(a.start_date, a.end_date, start, end)
        if kind is None or clipped is None:  # a cancelled booking's room, until its handler gives it back
            continue
        items[a.room_id].append(Block(kind=kind, start=clipped[0], nights=clipped[1], reservation=a.reservation,
                                      cut_before=a.start_date < start, cut_after=a.end_date > end))
    for p in periods:
        busy[p.room_id].append((p.start_date, p.effective_end))
        clipped = _clipped(p.start_date, p.effective_end, start, end)
        if clipped is not None:
            items[p.room_id].append(Block(kind="out-of-order", start=clipped[0], nights=clipped[1], period=p,
                                          cut_before=p.start_date < start, cut_after=p.effective_end > end))

    groups: list[RoomTypeGroup] = []
    by_type: dict[int, list[Room]] = defaultdict(list)
    for room in rooms:
        if not groups or groups[-1].room_type.pk != room.room_type_id:
            groups.append(RoomTypeGroup(room_type=room.room_type))
        groups[-1].rows.append(RoomRow(room=room, lanes=_lanes(items.get(room.pk, []), start, end)))
        by_type[room.room_type_id].append(room)

    unassigned = [Unassigned(reservation=r, missing=r.room_count - r.assigned,
                             free_rooms=[room for room in by_type.get(r.room_type_id, [])
                                         if not _overlaps(r.check_in, r.check_out, busy.get(room.pk, []))])
                  for r in waiting]
    day_list = [Day(date=d, is_today=d == today, is_weekend=d.weekday() >= 5)
                for d in (start + timedelta(days=i) for i in range(days))]
    return TapeChart(hotel=hotel, start=start, end=end, today=today, days=day_list, groups=groups,
                     unassigned=unassigned)

