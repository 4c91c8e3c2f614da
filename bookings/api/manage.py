"""Partner API for changing and cancelling a booking (issue 4). Thin: parse, call one service, serialize.

PATCH  /api/v1/bookings/{confirmation_number}                       change dates, party, room type, rate plan
       ...?rooms=all                                                 a multi-room booking's dates, every room
POST   /api/v1/bookings/{confirmation_number}/modification-quote    the same breakdown, changing nothing
POST   /api/v1/bookings/{confirmation_number}/cancel                cancel with a reason
DELETE /api/v1/bookings/{confirmation_number}                       the same (reason in the body or the query)
GET    /api/v1/bookings/{confirmation_number}/cancellation-quote    penalty and refund as of now

The caller sees only reservations it reaches (hotelbooking.permissions): of its key's hotels or a staff member's
hotels, and for a partner key without hotel-wide scope only the bookings it made; others are
RESERVATION_NOT_FOUND. A staff session needs the permission for the work (403 without).
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import ErrorSerializer, HotelWork, caller_of, reach_of

from ..cancellations import cancellation_quote, reservation_cancel, room_cancel
from ..modifications import (
    BookingModificationResult,
    booking_modification_quote,
    booking_modify,
    modification_quote,
    reservation_modify,
)
from ..payments import default_gateway
from .changes import (
    BookingModificationOutput,
    BookingModificationQuoteOutput,
    CancelInput,
    CancellationOutput,
    CancellationQuoteOutput,
    ModificationInput,
)

CN = OpenApiParameter("confirmation_number", OpenApiTypes.STR, OpenApiParameter.PATH,
                      description="e.g. GH-NYC-2024031501234 (any case)")
ROOMS = OpenApiParameter(
    "rooms", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, enum=["all"],
    description="`all`, by a multi-room booking's (lead's) number: the same new dates (and rate plan) for every "
                "CONFIRMED room of the booking, all or nothing; each room keeps its party and room type (changing "
                "them here is VALIDATION_ERROR), a room that refuses is named (`room`, message \"Room N: ...\"), "
                "`expected_total` is the booking's new total, and each room's difference is charged or refunded "
                "(a declined charge refunds the others and changes nothing). The answer adds `rooms` (each room's "
                "change) and `booking` (the sums); the top-level fields describe room 1. Without it only the room "
                "with this number changes.")


def _whole_booking(request) -> bool:
    """?rooms=all; any other value is VALIDATION_ERROR rather than silently the one-room change."""
    value = request.query_params.get("rooms")
    if value is None:
        return False
    if value.strip().lower() != "all":
        raise serializers.ValidationError({"rooms": ["Use rooms=all, or leave it out."]})
    return True




# --- documentation ---------------------------------------------------------------------------------------

def _err(description: str, examples=None):
    return OpenApiResponse(ErrorSerializer, description=description, examples=examples or [])


ERR_400_MODIFY = _err("INVALID_DATES, INVALID_PARTY, UNKNOWN_ROOM_TYPE, UNKNOWN_RATE_PLAN, UNKNOWN_EXTRA, "
                      "EXTRA_NOT_AVAILABLE, VALIDATION_ERROR (nothing to change)")
ERR_401 = _err("AUTHENTICATION_REQUIRED")
ERR_403 = _err("FORBIDDEN: a staff session without the permission for this work, or a channel key")
ERR_404 = _err("RESERVATION_NOT_FOUND (also for a reservation of a hotel the key does not reach, or, for a "
               "partner key without hotel-wide scope, a booking it did not make)")
ERR_409_MODIFY = _err(
    "MODIFICATION_NOT_ALLOWED (the reservation is not CONFIRMED; `state` names its state), SOLD_OUT (`date` "
    "names the first short night), RESTRICTED, RATE_NOT_AVAILABLE, PRICE_CHANGED (expected_total differs), "
    "CONCURRENT_MODIFICATION",
    [OpenApiExample("Sold out", value={"error": {
        "code": "SOLD_OUT", "message": "Sorry, Deluxe King Room is sold out on March 18, 2024 (0 left). Please "
        "choose different dates or room type.", "retryable": False, "date": "2024-03-18", "available": 0}}),
     OpenApiExample("Not confirmed", value={"error": {
         "code": "MODIFICATION_NOT_ALLOWED", "message": "Reservation GH-NYC-2024031501234 is cancelled: only a "
         "confirmed reservation can be changed.", "retryable": False, "state": "CANCELLED"}})])
ERR_402 = _err("PAYMENT_FAILED: the card on file declined the difference; nothing was changed",
               [OpenApiExample("Declined", value={"error": {
                   "code": "PAYMENT_FAILED", "message": "The card on file was declined.", "retryable": True,
                   "retry_action": "UPDATE_PAYMENT", "decline_code": "card_declined"}})])
ERR_409_CANCEL = _err(
    "CANCELLATION_NOT_ALLOWED: the reservation is not CONFIRMED or PENDING (`state` names it). A checked-in "
    "guest is asked to contact the front desk for early departure; cancelling twice answers this code with "
    "state CANCELLED. Also PRICE_CHANGED (expected_penalty differs) and CONCURRENT_MODIFICATION.",
    [OpenApiExample("Checked in", value={"error": {
        "code": "CANCELLATION_NOT_ALLOWED", "message": "Reservation GH-NYC-2024031501234 is checked in. Please "
        "contact the front desk for early departure.", "retryable": False, "state": "CHECKED_IN"}})])
ERR_402_CANCEL = _err("PAYMENT_FAILED: the refund was refused by the gateway; nothing was cancelled")

MODIFY_EXAMPLE = OpenApiExample("Extend by one night", request_only=True, value={"check_out": "2024-03-19"})
CANCEL_EXAMPLE = OpenApiExample("Change of plans", request_only=True, value={"reason": "Change of travel plans"})


# --- views -----------------------------------------------------------------------------------------------

def _cancel(request, confirmation_number: str, data) -> Response:
    body = CancelInput(data=data)
    body.is_valid(raise_exception=True)
    result = reservation_cancel(confirmation_number=confirmation_number, reason=body.validated_data.get("reason", ""),
                                expected_penalty=body.validated_data.get("expected_penalty"),
                                gateway=default_gateway(), hotels=reach_of(request), actor=caller_of(request))
    return Response(CancellationOutput(result.as_dict()).data)


class BookingModifyCancelMethods:
    """PATCH and DELETE on /bookings/{confirmation_number}. Mix into the booking detail view if it owns the URL."""

    @extend_schema(
        operation_id="booking_modify", summary="Change a booking", tags=["bookings"], parameters=[CN, ROOMS],
        description=(
            "Change the dates, party, room type or rate plan of a CONFIRMED booking, in one transaction. Nights "
            "kept keep their booked price; added nights are priced at today's rates; taxes and fees are "
            "recomputed. The difference is charged to the card on file or refunded. If the charge is declined "
            "(402) nothing changes. A change never lowers the penalty already reached: inside a paying "
            "cancellation window what cancelling would cost is retained (pricing_breakdown.retained_amount) and "
            "no refund goes below it. POST .../modification-quote first to show the breakdown."),
        request=ModificationInput, examples=[MODIFY_EXAMPLE],
        responses={200: BookingModificationOutput, 400: ERR_400_MODIFY, 401: ERR_401, 403: ERR_403, 402: ERR_402,
                   404: ERR_404, 409: ERR_409_MODIFY},
    )
    def patch(self, request, confirmation_number: str):
        body = ModificationInput(data=request.data)
        body.is_valid(raise_exception=True)
        change = booking_modify if _whole_booking(request) else reservation_modify
        result = change(confirmation_number=confirmation_number, request=body.to_request(),
                        gateway=default_gateway(), hotels=reach_of(request), actor=caller_of(request))
        return Response(BookingModificationOutput(result.as_dict()).data)

    @extend_schema(
        operation_id="booking_delete", summary="Cancel a booking (DELETE)", tags=["bookings"],
        description=("The same as POST .../cancel. The reason may come as a JSON body {\"reason\": ...} or as "
                     "the `reason` query parameter."),
        parameters=[CN, OpenApiParameter("reason", OpenApiTypes.STR, description="Why the booking is cancelled")],
        responses={200: CancellationOutput, 400: _err("VALIDATION_ERROR (a reason too long, a malformed "
                                                      "expected_penalty), MALFORMED_REQUEST (a body not JSON)"),
                   401: ERR_401, 403: ERR_403, 402: ERR_402_CANCEL, 404: ERR_404, 409: ERR_409_CANCEL},
    )
    def delete(self, request, confirmation_number: str):
        data = dict(request.data.items()) if hasattr(request.data, "items") else {}
        if "reason" not in data and "reason" in request.query_params:
            data["reason"] = request.query_params["reason"]
        return _cancel(request, confirmation_number, data)


class BookingManageApi(BookingModifyCancelMethods, APIView):
    permission_classes = [HotelWork]
    hotel_work = {"PATCH": "modify_booking", "DELETE": "cancel_booking"}


class ModificationQuoteApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_booking"  # a quote changes nothing

    @extend_schema(
        operation_id="booking_modification_quote", summary="Price a change without making it", tags=["bookings"],
        parameters=[CN, ROOMS],
        description="Takes the body PATCH takes and answers the breakdown PATCH would, changing nothing.",
        request=ModificationInput, examples=[MODIFY_EXAMPLE],
        responses={200: BookingModificationQuoteOutput, 400: ERR_400_MODIFY, 401: ERR_401, 403: ERR_403, 404: ERR_404,
                   409: ERR_409_MODIFY},
    )
    def post(self, request, confirmation_number: str):
        body = ModificationInput(data=request.data)
        body.is_valid(raise_exception=True)
        if _whole_booking(request):
            quoted = booking_modification_quote(confirmation_number=confirmation_number, request=body.to_request(),
                                                hotels=reach_of(request))
            data = quoted.quote_dict() if isinstance(quoted, BookingModificationResult) else quoted.as_dict()
        else:
            data = modification_quote(confirmation_number=confirmation_number, request=body.to_request(),
                                      hotels=reach_of(request)).as_dict()
        return Response(BookingModificationQuoteOutput(data).data)


class BookingCancelApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "cancel_booking"

    @extend_schema(
        operation_id="booking_cancel", summary="Cancel a booking", tags=["bookings"], parameters=[CN],
        description=(
            "Cancel a CONFIRMED or PENDING booking. The penalty is computed now from the policy frozen at booking "
            "(hours until the hotel's check-in time on the arrival date, in the hotel's time zone); the refund "
            "(paid - penalty, never below zero) goes back to the card; the rooms go back on sale."),
        request=CancelInput, examples=[CANCEL_EXAMPLE],
        responses={200: CancellationOutput, 400: _err("VALIDATION_ERROR"), 401: ERR_401, 403: ERR_403,
                   402: ERR_402_CANCEL, 404: ERR_404, 409: ERR_409_CANCEL},
    )
    def post(self, request, confirmation_number: str):
        return _cancel(request, confirmation_number, request.data)


class RoomCancelApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "cancel_booking"

    @extend_schema(
        operation_id="booking_room_cancel", summary="Cancel one room of a booking", tags=["bookings"],
        parameters=[CN, OpenApiParameter("room", OpenApiTypes.INT, OpenApiParameter.PATH,
                                         description="The room's place in the booking (`rooms[].room`), from 1")],
        description=(
            "Cancel one room of a (multi-room) booking, found by the number of any of its rooms. The room's "
            "penalty comes from its own policy; the refund is its share of the booking's payment; the other rooms "
            "stay as they are. Room 1 (the lead) cancelled alone keeps the booking's number: the booking goes on "
            "with its other rooms. Answers like POST .../cancel, for that room."),
        request=CancelInput, examples=[CANCEL_EXAMPLE],
        responses={200: CancellationOutput, 400: _err("VALIDATION_ERROR"), 401: ERR_401, 403: ERR_403,
                   402: ERR_402_CANCEL, 404: ERR_404, 409: ERR_409_CANCEL},
    )
    def post(self, request, confirmation_number: str, room: int):
        body = CancelInput(data=request.data)
        body.is_valid(raise_exception=True)
        result = room_cancel(confirmation_number=confirmation_number, room=room,
                             reason=body.validated_data.get("reason", ""),
                             expected_penalty=body.validated_data.get("expected_penalty"),
                             gateway=default_gateway(), hotels=reach_of(request), actor=caller_of(request))
        return Response(CancellationOutput(result.as_dict()).data)


class CancellationQuoteApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_booking"

    @extend_schema(
        operation_id="booking_cancellation_quote", summary="What cancelling now would cost", tags=["bookings"],
        parameters=[CN], description="The tier, penalty and refund if the booking were cancelled now. Changes "
                                     "nothing.",
        responses={200: CancellationQuoteOutput, 401: ERR_401, 403: ERR_403, 404: ERR_404,
                   409: _err("CANCELLATION_NOT_ALLOWED (`state` names the state)")},
    )
    def get(self, request, confirmation_number: str):
        terms = cancellation_quote(confirmation_number=confirmation_number, hotels=reach_of(request))
        return Response(CancellationQuoteOutput(terms.as_dict()).data)


urlpatterns = [
    path("bookings/<str:confirmation_number>", BookingManageApi.as_view(), name="booking-manage"),
    path("bookings/<str:confirmation_number>/modification-quote", ModificationQuoteApi.as_view(),
         name="booking-modification-quote"),
    path("bookings/<str:confirmation_number>/cancel", BookingCancelApi.as_view(), name="booking-cancel"),
    path("bookings/<str:confirmation_number>/rooms/<int:room>/cancel", RoomCancelApi.as_view(),
         name="booking-room-cancel"),
    path("bookings/<str:confirmation_number>/cancellation-quote", CancellationQuoteApi.as_view(),
         name="booking-cancellation-quote"),
]
