"""Moving a checked-in guest to another room mid-stay.

From the hotel's today: the current room assignment ends today and a new one runs from today to the departure
(both rows stay: the history shows where the guest slept). The vacated room needs cleaning (a housekeeping
task); the folio continues on the same reservation, the nights already posted untouched. A move to another
room type moves the inventory for the remaining nights (given back on the old type, taken on the new) and
either keeps the booked prices (`reprice=False`, an upgrade at no charge) or prices the remaining nights at the
new type's current rates (`reprice=True`); the difference goes onto the folio, settled at check-out (no card
is touched now; see frontdesk/inhouse.py). One transaction; locks in the usual order (reservation, rooms by id,
inventory nights by room type and date); on PostgreSQL the exclusion constraint on assignments is the last
guard against two desks giving the same room.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bookings.models import Reservation, Status, actor_label
from bookings.modifications import ModificationPlan
from bookings.modifications.in_house import in_house_apply, in_house_plan
from hotelbooking.errors import (
    InvalidState,
    RoomNotAvailable,
    RoomNotFound,
    RoomTypeMismatch,
    StayEnded,
    ValidationFailed,
)
from hotelbooking.money import round_money
from inventory.models import InventoryDay, Room, nights_between
from inventory.services import inventory_release, inventory_reserve
from pricing.search import hotel_today

from .inhouse import folio_restate
from .models import HousekeepingTask, RoomAssignment
from .selectors import out_of_order_overlapping
from .services import _actor_user, _reservation_locked, clean_code


@dataclass
class RoomMove:
    reservation: Reservation
    vacated: RoomAssignment
    assignment: RoomAssignment
    task: HousekeepingTask
    plan: ModificationPlan | None = None  # a move to another room type: the stay as priced

    @property
    def difference(self):
        if self.plan is None:
            return round_money(0, self.reservation.currency)
        return round_money(self.plan.difference, self.plan.currency)


def _target_checks(reservation: Reservation, target: Room, start, end) -> None:
    number = target.number
    if target.status != Room.Status.AVAILABLE:
        state = {Room.Status.NEEDS_CLEANING: "needs cleaning", Room.Status.OCCUPIED: "is occupied",
                 Room.Status.OUT_OF_ORDER: "is out of order"}.get(target.status, "is not available")
        raise RoomNotAvailable(f"Room {number} {state}.", room=number,
                               room_status=target.status)
    clash = (RoomAssignment.objects.filter(room=target, start_date__lt=end, end_date__gt=start)
             .select_related("reservation").first())
    if clash is not None:
        raise RoomNotAvailable(
            f"Room {number} is given to reservation {clash.reservation.confirmation_number} until "
            f"{clash.end_date:%B %-d, %Y}.", room=number, room_status=target.status)
    if RoomAssignment.objects.filter(room=target, reservation=reservation).exists():
        raise RoomNotAvailable(f"This stay has already been in room {number}: pick another room.", room=number,
                               room_status=target.status)
    blocked = out_of_order_overlapping(start, end).filter(room=target).first()
    if blocked is not None:
        raise RoomNotAvailable(f"Room {number} is out of order from {blocked.start_date:%B %-d} to "
                               f"{blocked.effective_end:%B %-d, %Y} ({blocked.reason}).", room=number,
                               room_status=Room.Status.OUT_OF_ORDER)


def room_move_quote(*, confirmation_number: str, to_room: str, reprice: bool, hotels=None) -> ModificationPlan | None:
    """The stay as a move to `to_room` would price it (None for a room of the same type). Writes nothing."""
    from bookings.services import reservation_get

    reservation = reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels)
    target = (Room.objects.filter(hotel=reservation.hotel, number=clean_code(to_room)).select_related("room_type")
              .first())
    if target is None:
        raise RoomNotFound(f"Room {to_room} does not exist at {reservation.hotel.name}.", room=str(to_room)[:20])
    if target.room_type_id == reservation.room_type_id:
        return None
    return in_house_plan(reservation=reservation, today=hotel_today(reservation.hotel), room_type=target.room_type,
                         reprice=reprice)


def room_move(*, confirmation_number: str, from_room: str, to_room: str, reprice: bool = False, reason: str = "",
              hotels=None, actor=None) -> RoomMove:
    """Move a CHECKED_IN stay from one of its rooms to `to_room` from today on (see the module docstring).

    INVALID_STATE (not checked in), STAY_ENDED (departing today), ROOM_NOT_FOUND, ROOM_NOT_AVAILABLE (the room is
    not clean and vacant, is given to another stay or out of order for a remaining night), ROOM_TYPE_MISMATCH (a
    stay of several rooms changing type), SOLD_OUT (the new type has no room left): nothing changed.
    """
    from_number, to_number = clean_code(from_room), clean_code(to_room)
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        cn = reservation.confirmation_number
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState(f"Reservation {cn} is {reservation.get_status_display().lower()}: only a checked-in "
                               "guest can move rooms.", state=reservation.status)
        hotel = reservation.hotel
        today = hotel_today(hotel)
        if today >= reservation.check_out:
            raise StayEnded(f"Reservation {cn} leaves today: check the guest out instead.",
                            departure=str(reservation.check_out))
        if from_number == to_number:
            raise ValidationFailed("Pick a different room to move to.", field="to_room")
        rooms = {r.number: r for r in Room.objects.select_for_update(of=("self",)).select_related("room_type")
                 .filter(hotel=hotel, number__in=[from_number, to_number]).order_by("id")}
        target = rooms.get(to_number)
        if target is None:
            raise RoomNotFound(f"Room {to_number} does not exist at {hotel.name}.", room=to_number[:20])
        current = (RoomAssignment.objects.select_for_update().select_related("room")
                   .filter(reservation=reservation, room__number=from_number, released_at__isnull=True).first())
        if current is None or from_number not in rooms:
            raise RoomNotFound(f"The guest of {cn} is not in room {from_number}.", room=from_number[:20])
        end = reservation.check_out
        _target_checks(reservation, target, today, end)

        plan = None
        type_changed = target.room_type_id != reservation.room_type_id
        if type_changed:
            if reservation.room_count > 1:
                raise RoomTypeMismatch(f"Reservation {cn} holds {reservation.room_count} rooms of one type: move "
                                       f"the guest to another {reservation.room_type.name}.",
                                       room=to_number, room_type=target.room_type.code)
            plan = in_house_plan(reservation=reservation, today=today, room_type=target.room_type, reprice=reprice)
            _inventory_move(reservation, old_type_id=reservation.room_type_id, new_type=target.room_type,
                            nights=nights_between(today, end))

        now = timezone.now()
        RoomAssignment.objects.filter(pk=current.pk).update(end_date=max(current.start_date, today), released_at=now)
        assignment = RoomAssignment(reservation=reservation, room=target, start_date=today, end_date=end,
                                    key_cards=current.key_cards, assigned_by=_actor_user(actor),
                                    actor=actor_label(actor))
        try:
            with transaction.atomic():
                assignment.save()
        except IntegrityError:  # the PostgreSQL exclusion constraint: another desk was faster
            raise RoomNotAvailable(f"Room {to_number} was just given to another stay. Please pick again.",
                                   room=to_number, retryable=True) from None
        Room.objects.filter(pk=current.room_id).update(status=Room.Status.NEEDS_CLEANING)
        Room.objects.filter(pk=target.pk).update(status=Room.Status.OCCUPIED)
        task, _ = HousekeepingTask.objects.get_or_create(
            room_id=current.room_id, reservation=reservation, kind=HousekeepingTask.Kind.DEPARTURE,
            defaults={"note": f"Room move of {cn} to {to_number}", "updated_by": actor_label(actor)})

        note = _note(current.room, target, plan, reprice, reason)
        if plan is not None:
            in_house_apply(reservation, plan, actor=actor, note=note)
            folio_restate(reservation, actor=actor)
        else:
            reservation._record(Status.CHECKED_IN, by=actor, note=note)
        current.refresh_from_db()
    return RoomMove(reservation=reservation, vacated=current, assignment=assignment, task=task, plan=plan)


def _inventory_move(reservation: Reservation, *, old_type_id: int, new_type, nights) -> None:
    """The remaining nights given back on the old type and taken on the new, locked in one order first."""
    list(InventoryDay.objects.select_for_update()
         .filter(Q(room_type_id=old_type_id) | Q(room_type_id=new_type.pk), date__in=nights)
         .order_by("room_type_id", "date").values_list("pk", flat=True))
    inventory_release(holder=reservation.holder, nights=nights, room_type_id=old_type_id)
    inventory_reserve(room_type=new_type, nights=nights, rooms=reservation.room_count, holder=reservation.holder)


def _note(old: Room, new: Room, plan: ModificationPlan | None, reprice: bool, reason: str) -> str:
    text = f"Room move {old.number} -> {new.number}"
    if plan is not None:
        text += f" ({old.room_type.code} -> {new.room_type.code}, "
        text += (f"repriced: total {plan.previous_total} -> {plan.new_total} {plan.currency}, settled at check-out)"
                 if reprice else "booked rates kept)")
    return text + (f": {reason}" if reason else "")


def rooms_to_move_to(reservation: Reservation, today) -> list[Room]:
    """Clean rooms free from today to the departure: the stay's own room type first, then the others."""
    busy = RoomAssignment.objects.filter(start_date__lt=reservation.check_out, end_date__gt=today) \
        .values_list("room_id", flat=True)
    blocked = out_of_order_overlapping(today, reservation.check_out).values_list("room_id", flat=True)
    been = RoomAssignment.objects.filter(reservation=reservation).values_list("room_id", flat=True)
    rooms = (Room.objects.filter(hotel=reservation.hotel, status=Room.Status.AVAILABLE)
             .exclude(pk__in=busy).exclude(pk__in=blocked).exclude(pk__in=been).select_related("room_type"))
    return sorted(rooms, key=lambda r: (r.room_type_id != reservation.room_type_id, r.room_type.code, r.number))
