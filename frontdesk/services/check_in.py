"""Check-in: rooms for the stay, the balance due at arrival, the incidentals hold."""

import logging
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction

from bookings import events
from bookings.models import Reservation, Status, actor_label
from bookings.services import (
    balance_at_check_in,
    reservation_save,
    transition,
)
from hotelbooking.errors import (
    CheckInTooEarly,
    InvalidStateTransition,
    RoomCountMismatch,
    RoomNotAvailable,
    RoomNotFound,
    RoomTypeMismatch,
    StayEnded,
    ValidationFailed,
)
from inventory.models import Room
from pricing.search import hotel_today

from ..audit import audit_created
from ..incidentals import incidentals_hold_at_check_in
from ..models import (
    RoomAssignment,
)
from ..selectors import out_of_order_overlapping
from .common import (
    MAX_KEY_CARDS_PER_ROOM,
    _actor_user,
    _channel_bills,
    _reservation_locked,
    _state_label,
    clean_code,
)

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class CheckInResult:
    reservation: Reservation
    assignments: list[RoomAssignment]

    @property
    def key_cards_issued(self) -> int:
        return sum(a.key_cards for a in self.assignments)


def _room_numbers(numbers) -> list[str]:
    if isinstance(numbers, str):
        numbers = [numbers]
    return [clean_code(str(n)) for n in (numbers or [])]


def _rooms_for_stay(reservation: Reservation, numbers: list[str]) -> list[Room]:
    """The rooms asked for, locked, each checked: exists, right type, clean and free for the stay's nights."""
    hotel = reservation.hotel
    rooms = {r.number: r for r in Room.objects.select_for_update(of=("self",))
             .filter(hotel=hotel, number__in=numbers).select_related("room_type").order_by("id")}
    ordered = []
    for number in numbers:
        room = rooms.get(number)
        if room is None:
            raise RoomNotFound(f"Room {number} does not exist at {hotel.name}.", room=number)
        ordered.append(room)
    for room in ordered:
        if room.room_type_id != reservation.room_type_id:
            raise RoomTypeMismatch(f"Room {room.number} is not a {reservation.room_type.name}.", room=room.number,
                                   room_type=room.room_type.code)
        if room.status != Room.Status.AVAILABLE:
            raise RoomNotAvailable(f"Room {room.number} is {room.status}.", room=room.number,
                                   room_status=room.status)
    ids = [r.id for r in ordered]
    clash = (RoomAssignment.objects.filter(room_id__in=ids, start_date__lt=reservation.check_out,
                                           end_date__gt=reservation.check_in)
             .exclude(reservation=reservation).select_related("room", "reservation").first())
    if clash is not None:
        raise RoomNotAvailable(
            f"Room {clash.room.number} is assigned to reservation {clash.reservation.confirmation_number} "
            f"until {clash.end_date:%B %-d, %Y}.", room=clash.room.number, room_status=clash.room.status)
    blocked = (out_of_order_overlapping(reservation.check_in, reservation.check_out).filter(room_id__in=ids)
               .select_related("room").first())
    if blocked is not None:
        raise RoomNotAvailable(
            f"Room {blocked.room.number} is out of order from {blocked.start_date:%B %-d} to "
            f"{blocked.effective_end:%B %-d, %Y} ({blocked.reason}).", room=blocked.room.number,
            room_status=Room.Status.OUT_OF_ORDER)
    return ordered


def stay_check_in(*, confirmation_number: str, room_numbers=(), hotels=None, actor=None,
                  key_cards_per_room: int = 2, reassign: bool = False) -> CheckInResult:
    """Give a CONFIRMED reservation its rooms, on or after its arrival day (hotel time), and check it in.

    One room per booked room, each of the booked type, AVAILABLE and not in another stay whose dates overlap
    (checked here under the room locks; on PostgreSQL also forbidden by an exclusion constraint). With no room
    numbers, the rooms assigned ahead of arrival; other rooms than those only with `reassign` (frontdesk/
    assignments.py).
    """
    from ..assignments import check_in_room_numbers

    if not 1 <= int(key_cards_per_room) <= MAX_KEY_CARDS_PER_ROOM:
        raise ValidationFailed(f"Issue between 1 and {MAX_KEY_CARDS_PER_ROOM} key cards per room.",
                               field="key_cards_per_room")
    numbers = _room_numbers(room_numbers)
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        cn = reservation.confirmation_number
        if reservation.status != Status.CONFIRMED:
            raise InvalidStateTransition(f"Reservation {cn} is {_state_label(reservation)} and cannot be checked in.",
                                         state=reservation.status)
        today = hotel_today(reservation.hotel)
        if today < reservation.check_in:
            raise CheckInTooEarly(f"Reservation {cn} arrives on {reservation.check_in:%B %-d, %Y}; "
                                  "it can be checked in from that day.", arrival=str(reservation.check_in))
        if today >= reservation.check_out:
            raise StayEnded(f"Reservation {cn} was due to leave on {reservation.check_out:%B %-d, %Y}; "
                            "it can no longer be checked in.", departure=str(reservation.check_out))
        numbers = check_in_room_numbers(reservation, numbers, reassign=reassign)
        wanted = reservation.room_count
        if len(numbers) != wanted or len(set(numbers)) != len(numbers) or not all(numbers):
            raise RoomCountMismatch(
                f"Reservation {cn} is for {wanted} room{'s' if wanted != 1 else ''}; give {wanted} different "
                f"room number{'s' if wanted != 1 else ''}.", expected=wanted, given=len(numbers))
        rooms = _rooms_for_stay(reservation, numbers)
        assignments = [RoomAssignment(reservation=reservation, room=room, start_date=reservation.check_in,
                                      end_date=reservation.check_out, key_cards=int(key_cards_per_room),
                                      assigned_by=_actor_user(actor), actor=actor_label(actor))
                       for room in rooms]
        try:
            with transaction.atomic():
                RoomAssignment.objects.filter(reservation=reservation).delete()  # those assigned ahead: renewed
                RoomAssignment.objects.bulk_create(assignments)
                audit_created(assignments, actor=actor)
        except IntegrityError:  # the PostgreSQL exclusion constraint: another desk was faster
            raise RoomNotAvailable("One of these rooms was just given to another stay. Please pick again.",
                                   retryable=True) from None
        Room.objects.filter(pk__in=[r.pk for r in rooms]).update(status=Room.Status.OCCUPIED)
        numbers_label = ", ".join(r.number for r in rooms)
        transition(reservation, "check_in_guest", by=actor, note=f"Room{'s' if len(rooms) > 1 else ''} "
                                                                   f"{numbers_label}")
        reservation_save(reservation)
        _channel_bills(reservation, actor=actor)  # the room and tax go to the channel's folio
        result = CheckInResult(reservation=reservation, assignments=assignments)
        events.event_record(events.GUEST_CHECKED_IN, reservation=reservation, payload={
            "rooms": [r.number for r in rooms], "room_ids": [r.pk for r in rooms],
            "key_cards_issued": result.key_cards_issued})
    incidentals_hold_at_check_in(reservation=reservation)  # after the commit: the card is asked with nothing locked
    # A deposit booking whose balance is due at check-in: charged once the check-in has committed.
    transaction.on_commit(partial(balance_at_check_in, reservation_id=reservation.pk))
    return result
