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

from hotelbooking.api import AmountField, ErrorSerializer, HotelWork, caller_of, reach_of
from pricing.api import ExtraInput, HotelLocalDateTimeField, PricingOutput

from ..cancellations import cancellation_quote, reservation_cancel, room_cancel
from ..modifications import (
    BookingModificationResult,
    ModificationRequest,
    booking_modification_quote,
    booking_modify,
    modification_quote,
    reservation_modify,
)
from ..payments import default_gateway

AMOUNT_HELP = "Decimal string in the hotel's currency, e.g. \"207.78\"."
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


def _amount(**kwargs):
    return AmountField(help_text=kwargs.pop("help_text", AMOUNT_HELP), **kwargs)


# --- input -----------------------------------------------------------------------------------------------

class StayDateField(serializers.DateField):
    """A date; a malformed one is INVALID_DATES like everywhere else."""

    def to_internal_value(self, value):
        try:
            return super().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError("Use a date in the form YYYY-MM-DD.", code="INVALID_DATES") from None


class ModificationInput(serializers.Serializer):
    check_in = StayDateField(required=False, help_text="New arrival date")
    check_out = StayDateField(required=False, help_text="New departure date")
    adults = serializers.IntegerField(required=False)
    children = serializers.IntegerField(required=False)
    child_ages = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=50,
        help_text="The children's ages, one per child, for the taxes that exempt children (a child without an age "
                  "is exempt) and the rates that price children by age (new ages alone are an OCCUPANCY_CHANGE); "
                  "not given: the booked ages while the number of children is unchanged")
    room_type = serializers.CharField(required=False, max_length=50, help_text="Room type code, e.g. JUNIOR-SUITE")
    rate_plan = serializers.CharField(required=False, max_length=20, help_text="Rate plan code, e.g. BAR")
    expected_total = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=3,
        help_text="The new total the guest was shown; PRICE_CHANGED (409) if today's differs.")
    extras = ExtraInput(
        many=True, required=False, max_length=20,
        help_text="Optional (new): every extra the stay should have, e.g. [{\"code\": \"PARK\", \"quantity\": 1}] "
                  "(an empty list removes them all; not given: the booked ones stay). A booked extra keeps its "
                  "booked unit price, an added one is at today's; the difference is charged or refunded like any "
                  "change (EXTRAS_CHANGE), and never below the liability already reached (inside a 100% "
                  "cancellation window, removing an extra refunds nothing).")

    def validate(self, attrs):
        fields = ("check_in", "check_out", "adults", "children", "child_ages", "room_type", "rate_plan")
        if "extras" in attrs:
            return attrs
        if not any(attrs.get(f) not in (None, "") for f in fields):
            raise serializers.ValidationError("Give at least one of " + ", ".join(fields) + ".")
        return attrs

    def to_request(self) -> ModificationRequest:
        d = self.validated_data
        return ModificationRequest(check_in=d.get("check_in"), check_out=d.get("check_out"), adults=d.get("adults"),
                                   children=d.get("children"), child_ages=d.get("child_ages"),
                                   room_type_code=d.get("room_type"),
                                   rate_plan_code=d.get("rate_plan"), expected_total=d.get("expected_total"),
                                   extras=[dict(e) for e in d["extras"]] if "extras" in d else None)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                   help_text='Why, e.g. "Change of travel plans"')
    expected_penalty = serializers.DecimalField(
        required=False, max_digits=12, decimal_places=3,
        help_text="The penalty the guest was shown; PRICE_CHANGED (409) if it has changed since.")


# --- output ----------------------------------------------------------------------------------------------

class DatesOutput(serializers.Serializer):
    check_in = serializers.DateField()
    check_out = serializers.DateField()


class NightGroupOutput(serializers.Serializer):
    nights = serializers.ListField(child=serializers.DateField())
    total = _amount(help_text="Room revenue of these nights (rate minus discounts, all rooms), before taxes "
                              "and fees")


class NewPricingOutput(PricingOutput):
    free_until = serializers.CharField(allow_null=True, help_text="ISO 8601 with the hotel's UTC offset")


class PricingBreakdownOutput(serializers.Serializer):
    currency = serializers.CharField()
    unchanged_nights = NightGroupOutput(help_text="Nights in both stays: they keep the price booked, unless the "
                                                  "room type or rate plan changes")
    added_nights = NightGroupOutput(help_text="Nights the new stay adds, at today's rates")
    removed_nights = NightGroupOutput(help_text="Nights given up, at the price they were booked")
    repriced_all_nights = serializers.BooleanField(help_text="True when the room type or rate plan changes")
    previous_total = _amount()
    new_total = _amount(help_text="Taxes and fees recomputed for the new stay")
    difference = _amount(help_text="new_total - previous_total")
    additional_payment_required = serializers.BooleanField()
    refund_due = serializers.BooleanField()
    amount_to_charge = _amount(help_text="Charged to the card on file")
    amount_to_refund = _amount(help_text="Refunded to the card (never more than was paid, never below "
                                         "retained_amount)")
    retained_amount = _amount(help_text=(
        "New. Non-refundable once this change is made: what cancelling instead would cost now (or more, if an "
        "earlier change kept more). Cancelling, a no-show or a shorter stay later never costs less; it is not "
        "charged on top of the stay."))
    refund_withheld = _amount(help_text="New. The part of the price decrease not refunded because it is "
                                        "retained (or was never paid)")
    new_pricing = NewPricingOutput(help_text="The new stay priced night by night")


class ModificationQuoteOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    modification = serializers.CharField(
        help_text="DATE_EXTENSION, DATE_REDUCTION, DATE_SHIFT, ROOM_CHANGE, RATE_PLAN_CHANGE, OCCUPANCY_CHANGE, "
                  "EXTRAS_CHANGE (new: extras added, removed or their quantity changed) or NO_CHANGE. Several "
                  "changes at once: the first of ROOM_CHANGE, RATE_PLAN_CHANGE, the date change, OCCUPANCY_CHANGE, "
                  "EXTRAS_CHANGE; `changes` lists them all.")
    changes = serializers.ListField(child=serializers.CharField())
    original_dates = DatesOutput()
    new_dates = DatesOutput()
    room_type = serializers.CharField()
    rate_plan = serializers.CharField()
    adults = serializers.IntegerField()
    children = serializers.IntegerField()
    pricing_breakdown = PricingBreakdownOutput()


class PaymentMovementOutput(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["CHARGED", "REFUNDED", "REFUND_PENDING", "NONE"],
        help_text="REFUND_PENDING (new): the change stands and the refund of `amount` is on its way: the payment "
                  "provider refused it for now (retried automatically) or a person is settling it.")
    amount = _amount()
    card_brand = serializers.CharField(allow_blank=True)
    last_four = serializers.CharField(allow_blank=True)


class ModificationOutput(ModificationQuoteOutput):
    status = serializers.CharField()
    payment = PaymentMovementOutput()


class RoomQuoteOutput(ModificationQuoteOutput):
    room = serializers.IntegerField(help_text="The room's place in the booking: 1 is the lead")


class RoomModificationOutput(ModificationOutput):
    room = serializers.IntegerField(help_text="The room's place in the booking: 1 is the lead")


class BookingQuoteSumsOutput(serializers.Serializer):
    rooms = serializers.IntegerField(help_text="How many rooms change")
    currency = serializers.CharField()
    previous_total = _amount()
    new_total = _amount()
    difference = _amount()
    amount_to_charge = _amount(help_text="The sum of the rooms' charges (each room is charged its own)")
    amount_to_refund = _amount(help_text="The sum of the rooms' refunds")


class BookingChangeSumsOutput(BookingQuoteSumsOutput):
    charged = _amount(help_text="What was charged, over the rooms")
    refunded = _amount(help_text="What was refunded or is on its way, over the rooms")


class BookingModificationQuoteOutput(ModificationQuoteOutput):
    rooms = RoomQuoteOutput(many=True, required=False, help_text="With ?rooms=all: each room's breakdown")
    booking = BookingQuoteSumsOutput(required=False, help_text="With ?rooms=all: the booking's sums")


class BookingModificationOutput(ModificationOutput):
    rooms = RoomModificationOutput(many=True, required=False, help_text="With ?rooms=all: each room's change")
    booking = BookingChangeSumsOutput(required=False, help_text="With ?rooms=all: the booking's sums")


def _whole_booking(request) -> bool:
    """?rooms=all; any other value is VALIDATION_ERROR rather than silently the one-room change."""
    value = request.query_params.get("rooms")
    if value is None:
        return False
    if value.strip().lower() != "all":
        raise serializers.ValidationError({"rooms": ["Use rooms=all, or leave it out."]})
    return True


class PolicyAppliedOutput(serializers.Serializer):
    name = serializers.CharField()
    tier_applied = serializers.CharField(help_text='e.g. "Within 24 hours" or "Free cancellation"')
    penalty = serializers.CharField(help_text='e.g. "100% of booking", "First 1 night", "No penalty"')


class LiabilityFields(serializers.Serializer):
    """New beside penalty_amount, which is the larger of these two amounts."""

    policy_penalty_amount = _amount(help_text="New. The policy's penalty on the stay as it is now")
    retained_amount = _amount(help_text="New. Non-refundable: what cancelling cost when the booking was last "
                                        "changed inside a paying window (0.00 if never)")
    retained_applies = serializers.BooleanField(help_text="New. True when retained_amount sets the penalty")


class CancellationFinancialOutput(LiabilityFields):
    currency = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount()
    penalty_amount = _amount(help_text="The policy's penalty, never below retained_amount")
    refund_amount = _amount(help_text="amount_paid - penalty_amount, never below zero")
    refund_status = serializers.ChoiceField(
        choices=["REFUNDED", "PENDING", "NOT_APPLICABLE"],
        help_text="PENDING (new): the booking is cancelled and refund_amount is on its way back to the card: the "
                  "payment provider refused it for now (retried automatically) or a person is settling it.")


class CancelledRoomOutput(serializers.Serializer):
    room = serializers.IntegerField(help_text="The room's place in the booking, from 1 (the lead)")
    confirmation_number = serializers.CharField(help_text="The room's own number")
    room_type = serializers.CharField()
    status = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount(help_text="This room's share of what was paid")
    penalty_amount = _amount(help_text="By this room's own policy")
    refund_amount = _amount()
    refund_status = serializers.ChoiceField(choices=["REFUNDED", "PENDING", "NOT_APPLICABLE"])
    room_nights_released = serializers.IntegerField()


class CancellationOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    cancelled_at = serializers.DateTimeField()
    reason = serializers.CharField()
    cancellation_policy = PolicyAppliedOutput()
    financial = CancellationFinancialOutput(help_text="For a multi-room booking cancelled as a whole: the sums "
                                                      "over the rooms cancelled now")
    inventory_released = serializers.BooleanField()
    room_nights_released = serializers.IntegerField()
    rooms = CancelledRoomOutput(many=True, required=False,
                                help_text="New, multi-room bookings only: each room cancelled now, with its figures")


class CancellationQuoteFinancialOutput(LiabilityFields):
    currency = serializers.CharField()
    original_total = _amount()
    amount_paid = _amount()
    penalty_amount = _amount(help_text="The policy's penalty, never below retained_amount")
    refund_amount = _amount()


class CancellationQuotePolicyOutput(PolicyAppliedOutput):
    description = serializers.CharField()


class QuotedRoomOutput(serializers.Serializer):
    room = serializers.IntegerField()
    confirmation_number = serializers.CharField()
    room_type = serializers.CharField()
    status = serializers.CharField()
    penalty_amount = _amount()
    refund_amount = _amount()


class CancellationQuoteOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    status = serializers.CharField()
    as_of = serializers.DateTimeField()
    check_in_at = HotelLocalDateTimeField(help_text="Check-in time on the arrival date, hotel's UTC offset")
    hours_until_check_in = serializers.CharField(help_text="Real hours (daylight saving counted), e.g. \"12.00\"")
    free_until = HotelLocalDateTimeField(allow_null=True)
    cancellation_policy = CancellationQuotePolicyOutput()
    financial = CancellationQuoteFinancialOutput(help_text="For a multi-room booking: the sums over the rooms "
                                                           "still cancellable")
    rooms = QuotedRoomOutput(many=True, required=False,
                             help_text="New, multi-room bookings only: each room still cancellable, its figures")


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
