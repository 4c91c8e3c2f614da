"""Front-desk API: the room rack, the desk's day (arrivals, in-house, departures) and out-of-order rooms."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, caller_of, hotels_for
from pricing.search import hotel_today

from .. import selectors, services
from .common import AUTH_ERRORS, TAGS, RoomTypeRefOutput, _err, _hotel

# --- the room rack ---------------------------------------------------------------------------------------

class CurrentGuestOutput(serializers.Serializer):
    name = serializers.CharField()
    confirmation_number = serializers.CharField()
    check_in = serializers.DateField()
    check_out = serializers.DateField()


class OutOfOrderRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class TaskRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class RackRoomOutput(serializers.Serializer):
    number = serializers.CharField()
    floor = serializers.IntegerField()
    room_type = RoomTypeRefOutput()
    status = serializers.CharField(help_text="AVAILABLE, OCCUPIED, NEEDS_CLEANING or OUT_OF_ORDER")
    features = serializers.CharField()
    current_guest = CurrentGuestOutput(allow_null=True)
    out_of_order = OutOfOrderRefOutput(allow_null=True)
    housekeeping_task = TaskRefOutput(allow_null=True)


def rack_data(rows) -> list[dict]:
    out = []
    for row in rows:
        stay, ooo, task = row.stay, row.out_of_order, row.open_task
        out.append({
            "number": row.room.number, "floor": row.room.floor, "room_type": row.room.room_type,
            "status": row.room.status, "features": row.room.features,
            "current_guest": None if stay is None else {
                "name": stay.guest_full_name, "confirmation_number": stay.confirmation_number,
                "check_in": stay.check_in, "check_out": stay.check_out},
            "out_of_order": None if ooo is None else {"id": ooo.pk, "reason": ooo.reason,
                                                      "start_date": ooo.start_date, "end_date": ooo.effective_end},
            "housekeeping_task": None if task is None else {"id": task.pk, "status": task.status},
        })
    return out


class RoomRackApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_rooms"

    @extend_schema(
        operation_id="hotel_room_rack", summary="The room rack", tags=TAGS,
        description="Every room with its number, floor, type, status and current guest; filter by room type or status.",
        parameters=[
            OpenApiParameter("room_type", OpenApiTypes.STR, description="Room type code, e.g. DELUXE-KING"),
            OpenApiParameter("status", OpenApiTypes.STR,
                             enum=["AVAILABLE", "OCCUPIED", "NEEDS_CLEANING", "OUT_OF_ORDER"]),
        ],
        responses={200: RackRoomOutput(many=True), 400: _err("UNKNOWN_ROOM_TYPE, VALIDATION_ERROR (status)"),
                   **AUTH_ERRORS, 404: _err("HOTEL_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def get(self, request, code: str):
        hotel = _hotel(request, code)
        q = request.query_params
        rows = selectors.room_rack(hotel=hotel, today=hotel_today(hotel),
                                   room_type_code=(q.get("room_type") or "").replace("\x00", "") or None,
                                   status=(q.get("status") or "").replace("\x00", "") or None)
        return Response(RackRoomOutput(rack_data(rows), many=True).data)


class StaySummaryOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    guest_name = serializers.CharField()
    status = serializers.CharField()
    room_type = RoomTypeRefOutput()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    room_count = serializers.IntegerField()
    rooms = serializers.ListField(child=serializers.CharField())


class DeskDayOutput(serializers.Serializer):
    hotel = serializers.CharField()
    date = serializers.DateField(help_text="Today, in the hotel's time zone")
    arrivals = StaySummaryOutput(many=True)
    in_house = StaySummaryOutput(many=True)
    departures = StaySummaryOutput(many=True)
    checked_out = StaySummaryOutput(many=True)


def _stay_summary(r) -> dict:
    return {"confirmation_number": r.confirmation_number, "guest_name": r.guest_full_name, "status": r.status,
            "room_type": r.room_type, "check_in": r.check_in, "check_out": r.check_out, "room_count": r.room_count,
            "rooms": getattr(r, "room_numbers", [])}


class DeskDayApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_desk"

    @extend_schema(
        operation_id="hotel_front_desk_today", summary="Today's arrivals and departures", tags=TAGS,
        description="Arrivals still to check in, guests in house, departures due and guests checked out today.",
        responses={200: DeskDayOutput, **AUTH_ERRORS, 404: _err("HOTEL_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def get(self, request, code: str):
        hotel = _hotel(request, code)
        day = selectors.desk_today(hotel)
        return Response(DeskDayOutput({
            "hotel": hotel.code, "date": day.today,
            "arrivals": [_stay_summary(r) for r in day.arrivals],
            "in_house": [_stay_summary(r) for r in day.in_house],
            "departures": [_stay_summary(r) for r in day.departures],
            "checked_out": [_stay_summary(r) for r in day.checked_out]}).data)



# --- out of order ----------------------------------------------------------------------------------------

class OutOfOrderInput(serializers.Serializer):
    start_date = serializers.DateField(help_text="The first night out of order")
    end_date = serializers.DateField(help_text="The first night back in service")
    reason = serializers.CharField(max_length=300)


class OutOfOrderOutput(serializers.Serializer):
    id = serializers.IntegerField()
    room = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="The first night back in service (earlier if lifted)")
    reason = serializers.CharField()
    lifted = serializers.BooleanField()


def _ooo_data(period) -> dict:
    return {"id": period.pk, "room": period.room.number, "start_date": period.start_date,
            "end_date": period.effective_end, "reason": period.reason, "lifted": period.lifted_at is not None}


class RoomOutOfOrderApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "set_out_of_order"

    @extend_schema(
        operation_id="room_out_of_order", summary="Take a room out of order", tags=TAGS,
        description="The room is not sellable nor assignable for the nights [start_date, end_date): each night "
                    "has one fewer sellable room of its type, and InventoryChanged is recorded for the channels.",
        request=OutOfOrderInput,
        responses={201: OutOfOrderOutput, 400: _err("INVALID_DATES, VALIDATION_ERROR"),
                   409: _err("OUT_OF_ORDER_WOULD_OVERSELL (every sellable room of the type is sold on a night), "
                             "ROOM_NOT_AVAILABLE (a stay is assigned, or already out of order)"),
                   **AUTH_ERRORS, 404: _err("HOTEL_NOT_FOUND, ROOM_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def post(self, request, code: str, number: str):
        hotel = _hotel(request, code)
        data = OutOfOrderInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        period = services.room_out_of_order_set(hotel=hotel, room_number=number, start=v["start_date"],
                                                end=v["end_date"], reason=v["reason"], actor=caller_of(request))
        return Response(OutOfOrderOutput(_ooo_data(period)).data, status=201)


class OutOfOrderLiftApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "lift_out_of_order"

    @extend_schema(
        operation_id="room_out_of_order_lift", summary="Put a room back in service", tags=TAGS,
        description="Ends the out-of-order period today: its remaining nights are sellable again.",
        request=None,
        responses={200: OutOfOrderOutput, 409: _err("INVALID_STATE: the period has already ended"),
                   **AUTH_ERRORS, 404: _err("OUT_OF_ORDER_NOT_FOUND, or NOT_FOUND for a partner key")},
    )
    def post(self, request, period_id: int):
        period = services.room_out_of_order_lift(period_id=period_id, hotels=hotels_for(request),
                                                 actor=caller_of(request))
        return Response(OutOfOrderOutput(_ooo_data(period)).data)
