"""Out-of-order rooms: periods set and lifted, and their nights taken from sale."""

import logging
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from bookings import events
from bookings.models import actor_label
from hotelbooking.errors import (
    InvalidDates,
    InvalidState,
    OutOfOrderNotFound,
    OutOfOrderWouldOversell,
    RoomNotAvailable,
    RoomNotFound,
    ValidationFailed,
)
from inventory.models import Hotel, InventoryDay, Room, nights_between
from pricing.search import hotel_today

from ..models import (
    RoomAssignment,
    RoomOutOfOrder,
)
from .common import clean_code
from .housekeeping import _rooms_back_in_service

logger = logging.getLogger(__name__)

def _inventory_changed(room: Room, nights: list[date], reason: str) -> None:
    if not nights:
        return
    events.event_record(events.INVENTORY_CHANGED, payload={
        "hotel": room.hotel.code, "room_type": room.room_type.code, "room_type_id": room.room_type_id,
        "dates": [n.isoformat() for n in nights], "start": nights[0].isoformat(),
        "end": (nights[-1] + timedelta(days=1)).isoformat(), "reason": reason, "room": room.number})


def room_out_of_order_set(*, hotel: Hotel, room_number: str, start: date, end: date, reason: str,
                          actor=None) -> RoomOutOfOrder:
    """Take a room out of service for the nights [start, end): one fewer sellable room of its type each night.

    Refused if a stay is assigned to the room on those nights, or if every sellable room of the type is sold on
    some night (OUT_OF_ORDER_WOULD_OVERSELL: the CHECK constraint sold <= total - out_of_order stands behind it).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Give the reason the room is out of order.", field="reason")
    today = hotel_today(hotel)
    if end <= start:
        raise InvalidDates("The end date must be after the start date.", field="end_date")
    if start < today:
        raise InvalidDates("An out-of-order period cannot start in the past.", field="start_date")
    if (end - start).days > 366:
        raise InvalidDates("An out-of-order period can be at most a year long.", field="end_date")
    number = clean_code(room_number)
    with transaction.atomic():
        room = Room.objects.select_for_update(of=("self",)).select_related("room_type", "hotel").filter(
            hotel=hotel, number=number).first() if number else None
        if room is None:
            raise RoomNotFound(f"Room {number} does not exist at {hotel.name}.", room=number)
        overlapping = RoomOutOfOrder.objects.filter(room=room, start_date__lt=end, end_date__gt=start,
                                                    lifted_at__isnull=True).first()
        if overlapping is not None:
            raise RoomNotAvailable(f"Room {room.number} is already out of order from "
                                   f"{overlapping.start_date:%B %-d} to {overlapping.end_date:%B %-d, %Y}.",
                                   room=room.number)
        stay = RoomAssignment.objects.filter(room=room, start_date__lt=end, end_date__gt=start,
                                             released_at__isnull=True).select_related("reservation").first()
        if stay is not None:
            raise RoomNotAvailable(f"Room {room.number} is assigned to reservation "
                                   f"{stay.reservation.confirmation_number} until {stay.end_date:%B %-d, %Y}.",
                                   room=room.number, room_status=room.status)
        nights = nights_between(start, end)
        days = {d.date: d for d in InventoryDay.objects.select_for_update()
                .filter(room_type=room.room_type, date__in=nights).order_by("date")}
        for night in nights:
            day = days.get(night)
            if day is None:
                raise InvalidDates(f"No inventory is open for {night:%B %-d, %Y}; out-of-order periods must lie "
                                   "within open inventory.", field="end_date")
            if day.total - day.out_of_order - day.sold < 1:
                raise OutOfOrderWouldOversell(
                    f"Room {room.number} cannot be taken out of order on {night:%B %-d, %Y}: all "
                    f"{day.total - day.out_of_order} sellable {room.room_type.name} rooms are sold that night.",
                    date=str(night), sold=day.sold)
        InventoryDay.objects.filter(pk__in=[d.pk for d in days.values()]).update(out_of_order=F("out_of_order") + 1)
        period = RoomOutOfOrder.objects.create(room=room, start_date=start, end_date=end, reason=reason[:300],
                                               created_by=actor_label(actor))
        if start <= today:
            Room.objects.filter(pk=room.pk).exclude(status=Room.Status.OCCUPIED).update(
                status=Room.Status.OUT_OF_ORDER)
        _inventory_changed(room, nights, "OUT_OF_ORDER")
    return period


def room_out_of_order_lift(*, period_id: int, hotels=None, actor=None) -> RoomOutOfOrder:
    """End an out-of-order period early: its remaining nights are sellable again and the room AVAILABLE."""
    with transaction.atomic():
        periods = RoomOutOfOrder.objects.select_for_update(of=("self",)).select_related(
            "room__hotel", "room__room_type")
        if hotels is not None:
            periods = periods.filter(room__hotel__in=hotels)
        period = periods.filter(pk=period_id).first()
        if period is None:
            raise OutOfOrderNotFound(f"No out-of-order period {period_id}.")
        room = Room.objects.select_for_update().get(pk=period.room_id)
        today = hotel_today(period.room.hotel)
        if period.lifted_at is not None or period.end_date <= today:
            raise InvalidState(f"The out-of-order period of room {room.number} has already ended.")
        back_from = max(period.start_date, today)
        nights = nights_between(back_from, period.end_date)
        days = list(InventoryDay.objects.select_for_update().filter(
            room_type_id=room.room_type_id, date__in=nights, out_of_order__gt=0).order_by("date"))
        InventoryDay.objects.filter(pk__in=[d.pk for d in days]).update(out_of_order=F("out_of_order") - 1)
        period.lifted_at, period.lifted_on, period.lifted_by = timezone.now(), back_from, actor_label(actor)
        period.save(update_fields=["lifted_at", "lifted_on", "lifted_by"])
        _rooms_back_in_service(Room.objects.filter(pk=room.pk), from_status=Room.Status.OUT_OF_ORDER)
        _inventory_changed(period.room, nights, "BACK_IN_SERVICE")
    return period


def out_of_order_sync(*, hotel: Hotel, today: date) -> int:
    """Rooms whose out-of-order period has begun become OUT_OF_ORDER; those whose period is over, AVAILABLE
    (NEEDS_CLEANING while a housekeeping task of theirs is unfinished).

    Inventory needs nothing here: the nights were counted when the period was set. Returns rooms changed.
    """
    active = RoomOutOfOrder.objects.filter(room__hotel=hotel, start_date__lte=today, end_date__gt=today,
                                           lifted_at__isnull=True)
    started = Room.objects.filter(pk__in=active.values("room_id"),
                                  status__in=[Room.Status.AVAILABLE, Room.Status.NEEDS_CLEANING]) \
        .update(status=Room.Status.OUT_OF_ORDER)
    ended_rooms = RoomOutOfOrder.objects.filter(room__hotel=hotel).filter(
        Q(end_date__lte=today) | Q(lifted_at__isnull=False)).values("room_id")
    ended = _rooms_back_in_service(Room.objects.filter(pk__in=ended_rooms).exclude(pk__in=active.values("room_id")),
                                   from_status=Room.Status.OUT_OF_ORDER)
    return started + ended
