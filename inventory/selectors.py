"""Reads for the catalogue and the inventory grid, each in a fixed number of queries."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from hotelbooking.errors import HotelNotFound

from .models import Amenity, Hotel, HotelPhoto, InventoryDay, RoomType, RoomTypePhoto


def hotel_list() -> QuerySet[Hotel]:
    return Hotel.objects.order_by("code")


# --- Content: photos, facts and amenities for the booking pages, the emails and the content API ------------

def _amenities() -> Prefetch:
    return Prefetch("amenities", queryset=Amenity.objects.order_by("sort_order", "label"))


def hotel_with_content(hotel: Hotel) -> Hotel:
    """Loads the hotel's photos (in their order) and amenities onto it: two queries."""
    prefetch_related_objects([hotel], Prefetch("photos", queryset=HotelPhoto.objects.order_by("sort_order", "id")),
                             _amenities())
    return hotel


def room_types_with_content(room_types: list[RoomType]) -> list[RoomType]:
    """Loads photos and amenities onto the given room types (the caller's own objects, e.g. a search's results):
    two queries however many room types, none if the list is empty. Templates then read `room_type.photos.all`
    and `room_type.amenities.all` without a query."""
    room_types = list(room_types)
    prefetch_related_objects(room_types,
                             Prefetch("photos", queryset=RoomTypePhoto.objects.order_by("sort_order", "id")),
                             _amenities())
    return room_types


@dataclass(frozen=True)
class HotelContent:
    hotel: Hotel
    room_types: list[RoomType]


def hotel_content(*, hotel: Hotel) -> HotelContent:
    """The hotel and every room type of it, each with photos and amenities: five queries."""
    room_types = list(RoomType.objects.filter(hotel=hotel).order_by("sort_order", "code"))
    for room_type in room_types:
        room_type.hotel = hotel  # the photos' paths and the API name the hotel: no query back to it
    return HotelContent(hotel=hotel_with_content(hotel), room_types=room_types_with_content(room_types))


@dataclass(frozen=True)
class GridCell:
    date: date
    day: InventoryDay | None

    @property
    def is_open(self) -> bool:
        return self.day is not None

    @property
    def sold(self) -> int:
        return self.day.sold if self.day else 0

    @property
    def available(self) -> int:
        return 0 if self.day is None or self.day.stop_sell else self.day.free

    @property
    def restrictions(self) -> list[str]:
        d = self.day
        if d is None:
            return []
        marks = [("stop sell", d.stop_sell), ("closed to arrival", d.closed_to_arrival),
                 ("closed to departure", d.closed_to_departure),
                 (f"min stay {d.min_stay}", bool(d.min_stay)), (f"max stay {d.max_stay}", bool(d.max_stay)),
                 (f"book {d.min_advance_days}+ days ahead", d.min_advance_days is not None),
                 (f"book at most {d.max_advance_days} days ahead", d.max_advance_days is not None),
                 (f"{d.rooms_to_sell} rooms to sell", d.rooms_to_sell is not None),
                 (f"{d.out_of_order} out of order", bool(d.out_of_order))]
        return [label for label, on in marks if on]


@dataclass(frozen=True)
class GridRow:
    room_type: RoomType
    cells: list[GridCell]

    @property
    def sold(self) -> int:
        return sum(c.sold for c in self.cells)

    @property
    def available(self) -> int:
        return sum(c.available for c in self.cells)


@dataclass(frozen=True)
class InventoryGrid:
    hotel: Hotel
    month: date          # the first of the month
    dates: list[date]
    rows: list[GridRow]

    @property
    def previous_month(self) -> date:
        return (self.month.replace(day=1) - timedelta(days=1)).replace(day=1)

    @property
    def next_month(self) -> date:
        days = calendar.monthrange(self.month.year, self.month.month)[1]
        return self.month.replace(day=days) + timedelta(days=1)


def inventory_grid(*, hotel: Hotel, month: date) -> InventoryGrid:
    """Room types by the nights of one month, sold and available per cell: two queries."""
    first = month.replace(day=1)
    dates = [first.replace(day=d) for d in range(1, calendar.monthrange(first.year, first.month)[1] + 1)]
    room_types = list(RoomType.objects.filter(hotel=hotel).order_by("sort_order", "code"))
    days = {(d.room_type_id, d.date): d
            for d in InventoryDay.objects.filter(room_type__hotel=hotel, date__range=(dates[0], dates[-1]))}
    rows = [GridRow(rt, [GridCell(d, days.get((rt.id, d))) for d in dates]) for rt in room_types]
    return InventoryGrid(hotel=hotel, month=first, dates=dates, rows=rows)


def hotel_get(code: str) -> Hotel:
    """The hotel of a code, any case; HOTEL_NOT_FOUND for an unknown (or unprintable) one."""
    code = (code or "").strip()
    hotel = None if not code or "\x00" in code else Hotel.objects.filter(code__iexact=code).first()
    if hotel is None:
        raise HotelNotFound(f"No hotel with code {code}.")
    return hotel
