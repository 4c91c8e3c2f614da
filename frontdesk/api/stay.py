"""Front-desk API: check-in (with room suggestions) and check-out."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.payments import default_gateway
from hotelbooking.api import HotelWork, caller_of, hotels_for
from hotelbooking.errors import ValidationFailed

from .. import selectors, services
from .common import AUTH_ERRORS, TAGS, RoomTypeRefOutput, _err, _example, _reservation
from .folio_output import FolioOutput, folio_data

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
