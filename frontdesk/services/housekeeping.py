"""Housekeeping: tasks for departures and their moves."""

import logging

from django.db import transaction
from django_fsm import TransitionNotAllowed

from bookings.models import Reservation, actor_label
from hotelbooking.errors import (
    InvalidStateTransition,
    TaskNotFound,
    ValidationFailed,
)
from inventory.models import Room

from ..models import (
    HousekeepingTask,
    RoomAssignment,
)

logger = logging.getLogger(__name__)

def housekeeping_tasks_for_departure(*, reservation: Reservation) -> list[HousekeepingTask]:
    """One departure clean per room the stay released. Running it again creates nothing more."""
    room_ids = list(RoomAssignment.objects.filter(reservation=reservation).values_list("room_id", flat=True))
    HousekeepingTask.objects.bulk_create(
        [HousekeepingTask(room_id=rid, reservation=reservation, kind=HousekeepingTask.Kind.DEPARTURE,
                          note=f"Departure of {reservation.confirmation_number}") for rid in room_ids],
        ignore_conflicts=True)
    return list(HousekeepingTask.objects.filter(reservation=reservation, kind=HousekeepingTask.Kind.DEPARTURE))


_TASK_MOVES = {HousekeepingTask.Status.IN_PROGRESS: "start", HousekeepingTask.Status.DONE: "finish"}


def housekeeping_task_move(*, task_id: int, to: str, hotels=None, actor=None) -> HousekeepingTask:
    """Move a task OPEN -> IN_PROGRESS -> DONE. DONE makes a room that needed cleaning AVAILABLE."""
    to = (to or "").strip().upper()
    if to not in _TASK_MOVES:
        raise ValidationFailed("status must be IN_PROGRESS or DONE.", field="status")
    with transaction.atomic():
        tasks = HousekeepingTask.objects.select_for_update(of=("self",)).select_related("room")
        if hotels is not None:
            tasks = tasks.filter(room__hotel__in=hotels)
        task = tasks.filter(pk=task_id).first()
        if task is None:
            raise TaskNotFound(f"No housekeeping task {task_id}.")
        try:
            getattr(task, _TASK_MOVES[to])(by=actor_label(actor))
        except TransitionNotAllowed:
            raise InvalidStateTransition(
                f"The task for room {task.room.number} is {task.status} and cannot become {to}; "
                "tasks go OPEN, IN_PROGRESS, DONE.", state=task.status) from None
        task.save()
        if to == HousekeepingTask.Status.DONE:
            _rooms_back_in_service(Room.objects.filter(pk=task.room_id), from_status=Room.Status.NEEDS_CLEANING)
            task.room.refresh_from_db(fields=["status"])
    return task


def _rooms_back_in_service(rooms, *, from_status: str) -> int:
    """Rooms (a queryset) in `from_status` become AVAILABLE, unless a housekeeping task of theirs is still
    unfinished: then NEEDS_CLEANING, so a dirty room is never offered to a guest. Returns rooms changed."""
    unfinished = HousekeepingTask.objects.exclude(status=HousekeepingTask.Status.DONE).values("room_id")
    rooms = rooms.filter(status=from_status)
    dirty = rooms.filter(pk__in=unfinished).exclude(status=Room.Status.NEEDS_CLEANING) \
        .update(status=Room.Status.NEEDS_CLEANING)
    clean = rooms.exclude(pk__in=unfinished).update(status=Room.Status.AVAILABLE)
    return dirty + clean
