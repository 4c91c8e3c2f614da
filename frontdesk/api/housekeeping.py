"""Front-desk API: housekeeping tasks and their transitions."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, caller_of, hotels_for

from .. import selectors, services
from ..models import HousekeepingTask
from .common import AUTH_ERRORS, TAGS, RoomTypeRefOutput, _err, _hotel

# --- housekeeping ----------------------------------------------------------------------------------------

class TaskRoomOutput(serializers.Serializer):
    number = serializers.CharField()
    floor = serializers.IntegerField()
    status = serializers.CharField()
    room_type = RoomTypeRefOutput()


class HousekeepingTaskOutput(serializers.Serializer):
    id = serializers.IntegerField()
    room = TaskRoomOutput()
    kind = serializers.CharField(help_text="DEPARTURE (after a check-out) or REQUEST")
    status = serializers.CharField(help_text="OPEN, IN_PROGRESS or DONE")
    confirmation_number = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    done_at = serializers.DateTimeField(allow_null=True)


def task_data(task: HousekeepingTask) -> dict:
    return {"id": task.pk, "room": task.room, "kind": task.kind, "status": task.status,
            "confirmation_number": task.reservation.confirmation_number if task.reservation_id else None,
            "note": task.note, "created_at": task.created_at, "started_at": task.started_at,
            "done_at": task.done_at}


class HousekeepingTaskListApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_housekeeping"

    @extend_schema(
        operation_id="hotel_housekeeping_tasks", summary="The housekeeping board", tags=TAGS,
        description="Tasks not done yet, oldest first (or those with the given status).",
        parameters=[OpenApiParameter("status", OpenApiTypes.STR, enum=["OPEN", "IN_PROGRESS", "DONE"])],
        responses={200: HousekeepingTaskOutput(many=True), 400: _err("VALIDATION_ERROR (status)"), **AUTH_ERRORS,
                   404: _err("HOTEL_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def get(self, request, code: str):
        hotel = _hotel(request, code)
        tasks = selectors.housekeeping_board(hotel=hotel,
                                             status=(request.query_params.get("status") or "").replace("\x00", ""))
        return Response(HousekeepingTaskOutput([task_data(t) for t in tasks], many=True).data)


class TaskMoveInput(serializers.Serializer):
    status = serializers.CharField(max_length=20, help_text="The next status: IN_PROGRESS or DONE")


class HousekeepingTaskMoveApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "move_housekeeping"

    @extend_schema(
        operation_id="housekeeping_task_transition", summary="Move a housekeeping task", tags=TAGS,
        description="OPEN -> IN_PROGRESS -> DONE. The last task of a room that needed cleaning made DONE makes "
                    "it AVAILABLE.",
        request=TaskMoveInput,
        responses={200: HousekeepingTaskOutput, 400: _err("VALIDATION_ERROR"),
                   409: _err("INVALID_STATE_TRANSITION, e.g. OPEN straight to DONE"),
                   **AUTH_ERRORS, 404: _err("TASK_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def post(self, request, task_id: int):
        data = TaskMoveInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = services.housekeeping_task_move(task_id=task_id, to=data.validated_data["status"],
                                               hotels=hotels_for(request), actor=caller_of(request))
        return Response(HousekeepingTaskOutput(task_data(task)).data)
