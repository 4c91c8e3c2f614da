"""Front-desk API: check-in, room rack, folio and charges, check-out, housekeeping, out-of-order rooms.

A front-desk API key, or a staff session holding the permission for the work (hotelbooking.permissions; 403
without it) at the hotels the staff member belongs to; other keys are told these resources do not exist (404).
Thin views: parse with a small serializer, call one service or selector, serialize.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.payments import default_gateway
from bookings.services import reservation_get
from hotelbooking.api import ErrorSerializer, HotelWork, caller_of, hotels_for
from hotelbooking.errors import HotelNotFound, ValidationFailed
from pricing.search import hotel_get, hotel_today

from . import selectors, services
from .api_folio_output import FolioLineOutput, FolioOutput, _amount, folio_data
from .models import FolioLine, HousekeepingTask

TAGS = ["front desk"]
def _hotel(request, code: str):
    hotel = hotel_get(code)
    if not hotels_for(request).filter(pk=hotel.pk).exists():
        raise HotelNotFound(f"No hotel with code {code}.")
    return hotel


def _reservation(request, confirmation_number: str):
    return reservation_get(confirmation_number=services.clean_code(confirmation_number), hotels=hotels_for(request))


def _err(description: str, *examples) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=list(examples))


def _example(name: str, code: str, message: str, **extra) -> OpenApiExample:
    return OpenApiExample(name, value={"error": {"code": code, "message": message, "retryable": False, **extra}})


AUTH_ERRORS = {
    401: _err("AUTHENTICATION_REQUIRED: no or an invalid API key."),
    403: _err("FORBIDDEN: a staff session without the permission for this work."),
    404: _err("RESERVATION_NOT_FOUND, or NOT_FOUND for a partner key (front-desk resources are not shown to "
              "partners)."),
    429: _err("RATE_LIMITED"),
}


# --- shared output ---------------------------------------------------------------------------------------

class RoomTypeRefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


# --- check-in --------------------------------------------------------------------------------------------

class CheckInInput(serializers.Serializer):
    room_numbers = serializers.ListField(child=serializers.CharField(max_length=10), max_length=20, required=False,
                                         default=list,
                                         help_text="One room number per booked room, e.g. [\"1204\"]. Leave it "
                                                   "out to use the rooms assigned ahead of arrival.")
    reassign = serializers.BooleanField(default=False, help_text="true to check in to rooms other than those "
                                                                 "assigned ahead of arrival (the assignment moves)")
    key_cards_per_room = serializers.IntegerField(min_value=1, max_value=services.MAX_KEY_CARDS_PER_ROOM,
                                                  default=2)


class AssignedRoomOutput(serializers.Serializer):
    number = serializers.CharField()
    floor = serializers.IntegerField()
    room_type = RoomTypeRefOutput()
    key_cards = serializers.IntegerField()


class CheckInOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    guest_name = serializers.CharField()
    checked_in_at = serializers.DateTimeField()
    check_out = serializers.DateField()
    rooms = AssignedRoomOutput(many=True)
    key_cards_issued = serializers.IntegerField()


class CheckInApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "check_in"

    @extend_schema(
        operation_id="reservation_check_in", summary="Check a guest in", tags=TAGS,
        description="Assign rooms to a CONFIRMED reservation on or after its arrival day (hotel time) and check "
                    "it in: the rooms become OCCUPIED, GuestCheckedIn is recorded.",
        request=CheckInInput,
        responses={
            200: CheckInOutput,
            400: _err("ROOM_COUNT_MISMATCH (one room per booked room), VALIDATION_ERROR"),
            409: _err("ROOM_TYPE_MISMATCH, ROOM_NOT_AVAILABLE (status, another stay, out of order), "
                      "ROOM_ASSIGNED_AHEAD (other rooms than those assigned ahead, without reassign), "
                      "INVALID_STATE_TRANSITION (not CONFIRMED), CHECK_IN_TOO_EARLY, STAY_ENDED",
                      _example("Wrong room type", "ROOM_TYPE_MISMATCH", "Room 1101 is not a Deluxe King Room."),
                      _example("Room not clean", "ROOM_NOT_AVAILABLE", "Room 1204 is NEEDS_CLEANING.")),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, ROOM_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str):
        data = CheckInInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.stay_check_in(confirmation_number=confirmation_number,
                                        room_numbers=data.validated_data["room_numbers"],
                                        key_cards_per_room=data.validated_data["key_cards_per_room"],
                                        reassign=data.validated_data["reassign"],
                                        hotels=hotels_for(request), actor=caller_of(request))
        r = result.reservation
        return Response(CheckInOutput({
            "confirmation_number": r.confirmation_number, "status": r.status, "guest_name": r.guest_full_name,
            "checked_in_at": r.checked_in_at, "check_out": r.check_out,
            "rooms": [{"number": a.room.number, "floor": a.room.floor, "room_type": a.room.room_type,
                       "key_cards": a.key_cards} for a in result.assignments],
            "key_cards_issued": result.key_cards_issued}).data)


class RoomSuggestionOutput(serializers.Serializer):
    number = serializers.CharField()
    floor = serializers.IntegerField()
    features = serializers.CharField()
    score = serializers.IntegerField(help_text="Higher is nearer the guest's wishes")
    reasons = serializers.ListField(child=serializers.CharField())


class RoomSuggestionsApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "check_in"

    @extend_schema(
        operation_id="reservation_room_suggestions", summary="Suggest rooms for a check-in", tags=TAGS,
        description="Clean (AVAILABLE) rooms of the booked type, free for the whole stay, those nearest the "
                    "guest's wishes first: the floor and features asked for here and in the special requests.",
        parameters=[
            OpenApiParameter("floor", OpenApiTypes.STR, description="A floor number, or high / low"),
            OpenApiParameter("features", OpenApiTypes.STR, description="Comma-separated, e.g. quiet,near elevator"),
        ],
        responses={200: RoomSuggestionOutput(many=True), 400: _err("VALIDATION_ERROR"), **AUTH_ERRORS},
    )
    def get(self, request, confirmation_number: str):
        reservation = _reservation(request, confirmation_number)
        floor = (request.query_params.get("floor") or "").strip().lower() or None
        if floor is not None and floor not in ("high", "low"):
            try:
                floor = int(floor)
            except ValueError:
                raise ValidationFailed("floor must be a number, high or low.", field="floor") from None
        features = (request.query_params.get("features") or "").replace("\x00", "").split(",")
        suggestions = selectors.room_suggestions(reservation=reservation, floor=floor, features=features)
        return Response(RoomSuggestionOutput([
            {"number": s.room.number, "floor": s.room.floor, "features": s.room.features, "score": s.score,
             "reasons": s.reasons} for s in suggestions], many=True).data)


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


# --- the folio and charges -------------------------------------------------------------------------------

class FolioApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_folio"

    @extend_schema(
        operation_id="reservation_folio", summary="The folio", tags=TAGS,
        description="Every charge line (room nights with their taxes and fees as the night audit posts them, "
                    "incidentals, penalties, corrections) and every payment and refund; the balance is "
                    "charges - payments + refunds. A prepaid guest shows a credit until the nights are posted.",
        responses={200: FolioOutput, **AUTH_ERRORS},
    )
    def get(self, request, confirmation_number: str):
        return Response(FolioOutput(folio_data(selectors.folio_get(_reservation(request, confirmation_number))))
                        .data)


class ChargeInput(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(FolioLine.INCIDENTALS))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount = serializers.DecimalField(max_digits=12, decimal_places=3, help_text="Positive, e.g. \"12.50\"")
    currency = serializers.CharField(max_length=10, help_text="The hotel's currency, e.g. USD")


class ChargeOutput(serializers.Serializer):
    charge = FolioLineOutput()
    balance = _amount(help_text="The guest's balance after this line (a charge routed to a company's folio leaves "
                                "it as it was)")
    currency = serializers.CharField()


def _charge_answer(line: FolioLine, reservation) -> dict:
    folio = selectors.folio_get(reservation)
    data = folio_data(folio)
    every_line = [x for bill in data["folios"] for x in bill["lines"]]  # the charge may be routed to another folio
    return {"charge": next(x for x in every_line if x["id"] == line.pk), "balance": data["balance"],
            "currency": folio.currency}


class ChargePostApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "post_charge"

    @extend_schema(
        operation_id="reservation_charge_post", summary="Post an incidental charge", tags=TAGS,
        description="Minibar, room service, spa, parking, ... on a CHECKED_IN guest's folio, in the hotel's "
                    "currency; the staff member or key is recorded.",
        request=ChargeInput,
        responses={
            201: ChargeOutput,
            400: _err("INVALID_CURRENCY, VALIDATION_ERROR (type, amount not positive or too precise)",
                      _example("Wrong currency", "INVALID_CURRENCY", "Charges at Grand Hotel NYC are in USD.")),
            409: _err("INVALID_STATE: the guest is not checked in",
                      _example("Not checked in", "INVALID_STATE", "Can only post charges for checked-in guests.")),
            **AUTH_ERRORS,
        },
    )
    def post(self, request, confirmation_number: str):
        data = ChargeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        line = services.charge_post(confirmation_number=confirmation_number, kind=v["type"], amount=v["amount"],
                                    currency=v["currency"], description=v["description"],
                                    hotels=hotels_for(request), actor=caller_of(request))
        return Response(ChargeOutput(_charge_answer(line, line.reservation)).data, status=201)


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class ChargeReverseApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "post_charge"

    @extend_schema(
        operation_id="reservation_charge_reverse", summary="Reverse a mistaken charge", tags=TAGS,
        description="Adds a CORRECTION line of the opposite amount; the original line stays on the folio.",
        request=ReverseInput,
        responses={
            201: ChargeOutput,
            409: _err("INVALID_STATE: not checked in, not an incidental charge, or already reversed"),
            **AUTH_ERRORS,
            404: _err("RESERVATION_NOT_FOUND, CHARGE_NOT_FOUND, or NOT_FOUND for a partner key"),
        },
    )
    def post(self, request, confirmation_number: str, line_id: int):
        data = ReverseInput(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.charge_reverse(confirmation_number=confirmation_number, line_id=line_id,
                                       reason=data.validated_data["reason"], hotels=hotels_for(request),
                                       actor=caller_of(request))
        return Response(ChargeOutput(_charge_answer(line, line.reservation)).data, status=201)


# --- check-out -------------------------------------------------------------------------------------------

class CheckOutOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    checked_out_at = serializers.DateTimeField()
    rooms = serializers.ListField(child=serializers.CharField(), help_text="Now NEEDS_CLEANING")
    bill = FolioOutput(help_text="The final bill: every line, totals, payments, balance 0.00")
    loyalty_points_earned = serializers.IntegerField()


class CheckOutInput(serializers.Serializer):
    paid_at_desk = serializers.BooleanField(
        required=False, default=False,
        help_text="The guest paid the balance at the desk (cash or the desk's terminal): record it instead of "
                  "charging the card on file, e.g. when there is none (a booking the channel paid) or it was "
                  "declined.")


class CheckOutApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "check_out"

    @extend_schema(
        operation_id="reservation_check_out", summary="Check a guest out", tags=TAGS,
        description="Posts any night not yet posted, charges a positive balance to the card on file (or records "
                    "it as paid at the desk with `paid_at_desk`; refunds a credit), then CHECKED_OUT, rooms "
                    "NEEDS_CLEANING, loyalty points, GuestCheckedOut. The body is optional.",
        request=CheckOutInput,
        responses={
            200: CheckOutOutput,
            400: _err("VALIDATION_ERROR (paid_at_desk)"),
            402: _err("OUTSTANDING_BALANCE: the card on file was declined; nothing changed",
                      OpenApiExample("Declined", value={"error": {
                          "code": "OUTSTANDING_BALANCE", "retryable": True, "retry_action": "UPDATE_PAYMENT",
                          "message": "The balance of 92.50 USD could not be charged to the card on file: The card "
                                     "on file was declined. Please take another form of payment and check out "
                                     "with the balance paid at the desk.",
                          "balance": "92.50", "currency": "USD", "reason": "The card on file was declined.",
                          "decline_code": "card_declined"}})),
            409: _err("INVALID_STATE_TRANSITION: not checked in"),
            **AUTH_ERRORS,
        },
    )
    def post(self, request, confirmation_number: str):
        data = CheckOutInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.stay_check_out(confirmation_number=confirmation_number, gateway=default_gateway(),
                                         hotels=hotels_for(request), actor=caller_of(request),
                                         paid_at_desk=data.validated_data["paid_at_desk"])
        r = result.reservation
        return Response(CheckOutOutput({
            "confirmation_number": r.confirmation_number, "status": r.status, "checked_out_at": r.checked_out_at,
            "rooms": result.rooms, "bill": folio_data(result.folio),
            "loyalty_points_earned": result.loyalty_points_earned}).data)


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

