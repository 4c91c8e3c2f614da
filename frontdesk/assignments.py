"""Rooms assigned ahead of arrival: a clerk gives a confirmed booking its room(s) before the guest arrives.

The rules kept here:
- Only a CONFIRMED booking (not arrived yet, not ended) gets a room ahead, one RoomAssignment per booked room,
  each of the booked room type (an upgrade is a room move, not an assignment), with no out-of-order period and
  no other stay on any night of the stay. The room row is locked while that is checked (after the reservation
  row: the lock order of frontdesk/services/); on PostgreSQL the exclusion constraint of migration 0002 is the
  last guard, and its refusal is ROOM_NOT_AVAILABLE like any other.
- The room's status today does not matter ahead (the guest of tonight may still be in it); check-in asks for a
  clean room, as it always did.
- Check-in with no room number uses the rooms assigned ahead; check-in to other rooms is refused unless the
  clerk asks for it explicitly (`reassign`), and then the assignment moves (stay_check_in).
- When the booking changes (ReservationModified) its assignments follow the new dates if the room is free for
  them, and are dropped otherwise, or when the room type changed; a cancelled or no-show booking's assignments
  are dropped. Each drop leaves a note in the booking's history. The handlers reconcile the assignments with the
  booking as it is now, so running them twice, or late, changes nothing more.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from bookings.models import Reservation, Status, StatusChange, actor_fields, actor_label, actor_user
from bookings.services import reservation_get, reservation_lock
from hotelbooking.errors import (
    InvalidStateTransition,
    RoomAssignedAhead,
    RoomCountMismatch,
    RoomNotAvailable,
    RoomNotFound,
    RoomTypeMismatch,
    StayEnded,
)
from inventory.models import Room
from pricing.search import hotel_today

from .models import RoomAssignment
from .selectors import out_of_order_overlapping


def _clean(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _history(reservation: Reservation, note: str, *, actor=None) -> None:
    """A line in the booking's history (its status does not change)."""
    StatusChange.objects.create(reservation=reservation, from_status=reservation.status,
                                to_status=reservation.status, note=note[:500], **actor_fields(actor))


def ahead_assignments(reservation: Reservation) -> list[RoomAssignment]:
    """The rooms a booking not yet checked in holds ahead of arrival."""
    return list(RoomAssignment.objects.filter(reservation=reservation, released_at__isnull=True)
                .select_related("room__room_type").order_by("room__number"))


def room_free_problem(room: Room, start, end, *, reservation: Reservation) -> RoomNotAvailable | None:
    """Why `room` cannot be given to `reservation` for the nights [start, end), or None. The caller holds the
    room's lock."""
    clash = (RoomAssignment.objects.filter(room=room, start_date__lt=end, end_date__gt=start)
             .exclude(reservation=reservation).select_related("reservation").order_by("start_date").first())
    if clash is not None:
        return RoomNotAvailable(
            f"Room {room.number} is assigned to reservation {clash.reservation.confirmation_number} from "
            f"{clash.start_date:%B %-d} to {clash.end_date:%B %-d, %Y}.", room=room.number,
            assigned_to=clash.reservation.confirmation_number)
    blocked = out_of_order_overlapping(start, end).filter(room=room).order_by("start_date").first()
    if blocked is not None:
        return RoomNotAvailable(
            f"Room {room.number} is out of order from {blocked.start_date:%B %-d} to "
            f"{blocked.effective_end:%B %-d, %Y} ({blocked.reason}).", room=room.number,
            room_status=Room.Status.OUT_OF_ORDER)
    return None


def _assignable(reservation: Reservation) -> None:
    cn = reservation.confirmation_number
    if reservation.status != Status.CONFIRMED:
        raise InvalidStateTransition(
            f"Reservation {cn} is {reservation.get_status_display().lower()}: only a confirmed booking not yet "
            "checked in is given a room ahead of arrival.", state=reservation.status)
    if hotel_today(reservation.hotel) >= reservation.check_out:
        raise StayEnded(f"Reservation {cn} was due to leave on {reservation.check_out:%B %-d, %Y}.",
                        departure=str(reservation.check_out))


def room_assign(*, confirmation_number: str, room_number: str, hotels=None, actor=None) -> RoomAssignment:
    """Give a confirmed booking one of its rooms ahead of arrival, for all the nights of its stay.

    Refused: another state (INVALID_STATE_TRANSITION), a room of another type (ROOM_TYPE_MISMATCH), a booking
    that holds all its rooms already (ROOM_COUNT_MISMATCH), a room out of order or in another stay on some night
    (ROOM_NOT_AVAILABLE). Assigning the room a booking already holds changes nothing.
    """
    number = _clean(room_number)
    with transaction.atomic():
        reservation = reservation_get(confirmation_number=_clean(confirmation_number), hotels=hotels,
                                      for_update=True)
        _assignable(reservation)
        cn = reservation.confirmation_number
        room = (Room.objects.select_for_update(of=("self",)).select_related("room_type")
                .filter(hotel_id=reservation.hotel_id, number=number).first() if number else None)
        if room is None:
            raise RoomNotFound(f"Room {number} does not exist at {reservation.hotel.name}.", room=number)
        held = ahead_assignments(reservation)
        same = next((a for a in held if a.room_id == room.pk), None)
        if same is not None:
            return same
        if room.room_type_id != reservation.room_type_id:
            raise RoomTypeMismatch(
                f"Room {room.number} is a {room.room_type.name}; reservation {cn} is for a "
                f"{reservation.room_type.name}. Give the guest another room type with a room move or a change of "
                "the booking.", room=room.number, room_type=room.room_type.code)
        if len(held) >= reservation.room_count:
            rooms = ", ".join(a.room.number for a in held)
            raise RoomCountMismatch(
                f"Reservation {cn} already has its {reservation.room_count} room"
                f"{'s' if reservation.room_count != 1 else ''} ({rooms}); unassign one first.",
                expected=reservation.room_count, given=len(held) + 1)
        problem = room_free_problem(room, reservation.check_in, reservation.check_out, reservation=reservation)
        if problem is not None:
            raise problem
        try:
            with transaction.atomic():
                assignment = RoomAssignment.objects.create(
                    reservation=reservation, room=room, start_date=reservation.check_in,
                    end_date=reservation.check_out, assigned_by=actor_user(actor), actor=actor_label(actor))
        except IntegrityError:  # the PostgreSQL exclusion constraint: another desk was faster
            raise RoomNotAvailable(f"Room {room.number} was just given to another stay. Please pick again.",
                                   room=room.number, retryable=True) from None
        _history(reservation, f"Room {room.number} assigned ahead of arrival", actor=actor)
    return assignment


def room_unassign(*, confirmation_number: str, room_number: str | None = None, hotels=None,
                  actor=None) -> list[str]:
    """Take back the room (or, with no room number, every room) a confirmed booking holds ahead of arrival.
    Returns the room numbers released."""
    number = _clean(room_number)
    with transaction.atomic():
        reservation = reservation_get(confirmation_number=_clean(confirmation_number), hotels=hotels,
                                      for_update=True)
        if reservation.status != Status.CONFIRMED:
            raise InvalidStateTransition(
                f"Reservation {reservation.confirmation_number} is {reservation.get_status_display().lower()}; "
                "only a room assigned ahead of arrival can be unassigned (an in-house guest moves rooms).",
                state=reservation.status)
        held = [a for a in ahead_assignments(reservation) if not number or a.room.number == number]
        if number and not held:
            raise RoomNotFound(f"Reservation {reservation.confirmation_number} is not assigned room {number}.",
                               room=number)
        _drop(reservation, held, note="Room {rooms} unassigned", actor=actor)
    return [a.room.number for a in held]


def _drop(reservation: Reservation, assignments: list[RoomAssignment], *, note: str, actor=None) -> None:
    if not assignments:
        return
    RoomAssignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    rooms = ", ".join(a.room.number for a in assignments)
    _history(reservation, note.format(rooms=rooms, s="s" if len(assignments) > 1 else ""), actor=actor)


# --- check-in ---------------------------------------------------------------------------------------------

def check_in_room_numbers(reservation: Reservation, numbers: list[str], *, reassign: bool) -> list[str]:
    """The rooms a check-in gives: those asked for, or with none asked for the rooms assigned ahead.

    Rooms other than those assigned ahead are refused (ROOM_ASSIGNED_AHEAD) unless `reassign`: then the
    assignments ahead are dropped here and the check-in assigns the rooms asked for. The caller holds the
    reservation's lock.
    """
    held = ahead_assignments(reservation)
    assigned = [a.room.number for a in held]
    if not numbers:
        return assigned
    if not held or set(assigned) <= set(numbers):
        return numbers
    if not reassign:
        raise RoomAssignedAhead(
            f"Reservation {reservation.confirmation_number} is assigned room{'s' if len(assigned) > 1 else ''} "
            f"{', '.join(assigned)}. Check in to {'them' if len(assigned) > 1 else 'it'}, or choose the other "
            "room explicitly to move the assignment.", assigned=assigned)
    others = [a for a in held if a.room.number not in numbers]
    _drop(reservation, others, note="Room {rooms} given up at check-in for the room the clerk chose")
    return numbers


# --- following the booking --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Followed:
    kept: list[str]
    dropped: list[str]


def assignments_follow(*, reservation_id: int) -> Followed:
    """Make a confirmed booking's assignments ahead match it as it is now: a room of another type is dropped;
    a room free for the new nights follows the dates, one that is not is dropped, with a history note."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id)
        if reservation is None or reservation.status != Status.CONFIRMED:
            return Followed([], [])
        ids = list(RoomAssignment.objects.filter(reservation=reservation, released_at__isnull=True)
                   .values_list("room_id", flat=True))
        rooms = {r.pk: r for r in Room.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("id")}
        kept, dropped = [], []
        for a in ahead_assignments(reservation):
            room = rooms[a.room_id]
            if room.room_type_id != reservation.room_type_id:
                _drop(reservation, [a], note=(f"Room {{rooms}} unassigned: the booking is now for a "
                                              f"{reservation.room_type.name}"))
                dropped.append(room.number)
                continue
            if (a.start_date, a.end_date) == (reservation.check_in, reservation.check_out):
                kept.append(room.number)
                continue
            moved = room_free_problem(room, reservation.check_in, reservation.check_out,
                                      reservation=reservation) is None and _move(a, reservation)
            if moved:
                kept.append(room.number)
            else:
                _drop(reservation, [a], note="Room {rooms} no longer free for the new dates; unassigned")
                dropped.append(room.number)
    return Followed(kept, dropped)


def _move(assignment: RoomAssignment, reservation: Reservation) -> bool:
    try:
        with transaction.atomic():
            RoomAssignment.objects.filter(pk=assignment.pk).update(start_date=reservation.check_in,
                                                                   end_date=reservation.check_out)
    except IntegrityError:  # the exclusion constraint: the nights were just taken
        return False
    return True


def assignments_drop_ended(*, reservation_id: int) -> list[str]:
    """A cancelled, no-show or expired booking gives back the rooms it held ahead of arrival."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id)
        if reservation is None or reservation.status not in (Status.CANCELLED, Status.NO_SHOW, Status.EXPIRED):
            return []
        held = ahead_assignments(reservation)
        _drop(reservation, held, note=f"Room {{rooms}} unassigned: the booking is "
                                      f"{reservation.get_status_display().lower()}")
    return [a.room.number for a in held]

