"""Arrivals, departures and guests in house on one day, for any day (the desk console shows today's)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from bookings.models import Reservation, Status
from frontdesk.models import RoomAssignment
from inventory.models import Hotel

from .stays import local_date

LISTED = (Status.CONFIRMED, Status.CHECKED_IN, Status.CHECKED_OUT, Status.NO_SHOW)


@dataclass(frozen=True)
class DayLists:
    day: date
    hotels: list[Hotel]
    arrivals: list[Reservation]    # arriving that day, whatever became of them (no-shows included)
    departures: list[Reservation]  # leaving that day, early departures included
    in_house: list[Reservation]    # staying the night of that day (that day's arrivals included)


def _left_on(r: Reservation) -> date | None:
    return local_date(r.hotel, r.checked_out_at) if r.status == Status.CHECKED_OUT and r.checked_out_at else None


def day_lists(*, hotels, day: date) -> DayLists:
    """Three queries: the hotels, the bookings touching the day, their rooms."""
    hotels = list(hotels)
    rows = list(Reservation.objects.with_details().filter(
        hotel__in=[h.pk for h in hotels], status__in=LISTED, check_in__lte=day, check_out__gte=day)
        .order_by("hotel__code", "guest_last_name", "guest_first_name", "confirmation_number"))
    rooms = defaultdict(list)
    for a in RoomAssignment.objects.filter(reservation__in=[r.pk for r in rows]).select_related("room"):
        rooms[a.reservation_id].append(a.room.number)
    arrivals, departures, in_house = [], [], []
    for r in rows:
        r.room_numbers = sorted(rooms.get(r.pk, []))
        left = _left_on(r)
        if r.check_in == day:
            arrivals.append(r)
        if r.status == Status.NO_SHOW:
            continue
        if (r.check_out == day and (left is None or left >= day)) or (left == day and r.check_out > day):
            departures.append(r)
        if r.check_in <= day < r.check_out and (left is None or left > day):
            in_house.append(r)
    return DayLists(day=day, hotels=hotels, arrivals=arrivals, departures=departures, in_house=in_house)
