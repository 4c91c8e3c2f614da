"""Partner booking API: create a booking, read it back. Thin: parse, call one service, serialize.

The answers' shapes are in output.py; the status URL of a booking whose payment is pending in pending.py;
changes and cancellations in manage.py.

Errors are domain errors raised by the services and mapped to HTTP by hotelbooking.api.exception_handler.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, api_key_of, caller_of, can_reach_hotel, reach_of
from hotelbooking.errors import CardDataNotAccepted, DomainError, HotelNotFound
from pricing.api import ExtraInput
from pricing.search import hotel_get

from .. import idempotency, payments, services
from ..consent import MARKETING_WORDING, MARKETING_WORDING_VERSION
from ..models import Channel
from ..payments import Card
from ..payments.stripe_gateway import stripe_enabled
from ..services import BookingRequest, GuestDetails
from .manage import BookingModifyCancelMethods
from .output import (
    BookingDetailOutput,
    BookingOutput,
    PendingBookingOutput,
    booking_data,
    error_doc,
    location_of,
)
from .pending import booking_answer
from .pending import urlpatterns as pending_patterns

# --- input ----------------------------------------------------------------------------------------------

def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _messages(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _messages(value)]
    return [str(detail)]


class _DomainCoded:
    """A field whose errors carry a domain code (INVALID_DATES, INVALID_PARTY): the same codes as the search."""

    domain_code = "VALIDATION_ERROR"

    def run_validation(self, data=empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(_messages(exc.detail), code=self.domain_code) from None


class StayDateField(_DomainCoded, serializers.DateField):
    domain_code = "INVALID_DATES"


class PartyCountField(_DomainCoded, serializers.IntegerField):
    domain_code = "INVALID_PARTY"


class ChildAgesField(_DomainCoded, serializers.ListField):
    domain_code = "INVALID_PARTY"


class GuestInput(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254, help_text="A returning guest (same email, any case) is "
                                                             "the same guest")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    loyalty_number = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


# The fields that carry card data. With Stripe on, a request carrying any of them is refused
# (CARD_DATA_NOT_ACCEPTED) before anything is sent anywhere; holder_name alone is not card data.
CARD_DATA_FIELDS = ("card_number", "exp_month", "exp_year", "cvc")
_CARD_ONLY = "Only with the built-in test gateway; refused with CARD_DATA_NOT_ACCEPTED when Stripe is on. "


class PaymentInput(serializers.Serializer):
    payment_method = serializers.RegexField(
        r"^pm_[A-Za-z0-9_]{1,250}$", max_length=255, required=False,
        error_messages={"invalid": "Send the Stripe payment method id (pm_...)."},
        help_text="A Stripe PaymentMethod id (pm_...) made by Stripe.js or Stripe's API from the guest's card, "
                  "instead of the card fields. Required when Stripe is on. With the built-in test gateway "
                  "Stripe's test ids work: pm_card_visa succeeds, pm_card_chargeDeclined is declined, "
                  "pm_card_authenticationRequired asks for 3-D Secure (answer 202).")
    card_number = serializers.RegexField(
        r"^[0-9][0-9 -]{10,24}[0-9]$", max_length=26, required=False,
        error_messages={"invalid": "Enter the card number as digits (spaces or dashes allowed)."},
        help_text=_CARD_ONLY + "Required without payment_method. Never stored or logged. Test cards: "
                  "4242424242424242 succeeds, 4000000000000002 is declined, 4000000000009995 is declined for "
                  "insufficient funds.")
    exp_month = serializers.IntegerField(min_value=1, max_value=12, required=False,
                                         help_text=_CARD_ONLY + "Required without payment_method.")
    exp_year = serializers.IntegerField(min_value=0, max_value=2199, required=False,
                                        help_text=_CARD_ONLY + "Required without payment_method. e.g. 2030 (or 30)")
    cvc = serializers.RegexField(r"^[0-9]{3,4}$", required=False,
                                 error_messages={"invalid": "The CVC is 3 or 4 digits."},
                                 help_text=_CARD_ONLY + "Required without payment_method.")
    holder_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")

    def validate_exp_year(self, value):
        if 100 <= value < 2000:
            raise serializers.ValidationError("Give the year as 4 digits (e.g. 2030) or 2 digits (30).")
        return value

    def validate(self, attrs):
        if attrs.get("payment_method"):
            if any(name in attrs for name in CARD_DATA_FIELDS):
                raise serializers.ValidationError(
                    {"payment_method": ["Send either payment_method or the card fields, not both."]})
            return attrs
        if stripe_enabled():
            raise serializers.ValidationError({"payment_method": ["This field is required."]})
        missing = {name: ["This field is required."] for name in CARD_DATA_FIELDS if name not in attrs}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


def _card(d: dict) -> Card | None:
    if d.get("payment_method"):
        return None
    return Card(number=d["card_number"], exp_month=d["exp_month"], exp_year=d["exp_year"], cvc=d["cvc"],
                holder=d["holder_name"])


def card_data_refuse(data) -> None:
    """With Stripe on, CARD_DATA_NOT_ACCEPTED for a body carrying card fields: before any validation (so that
    nothing about the card is said back) and before anything is sent anywhere."""
    payment = data.get("payment") if isinstance(data, dict) else None
    if stripe_enabled() and isinstance(payment, dict) and any(
            payment.get(name) not in (None, "") for name in CARD_DATA_FIELDS):
        raise CardDataNotAccepted()


EXTRAS_HELP = ("Optional (new): the hotel's extras the guest takes, e.g. [{\"code\": \"BRKF\", \"quantity\": 1}]. "
               "UNKNOWN_EXTRA for a code the hotel does not have, EXTRA_NOT_AVAILABLE for one no longer offered or "
               "above its maximum quantity. Extras the rate plan includes need not be given (they are shown at "
               "0.00). With `rooms`, every room takes them unless it gives its own `extras`.")


class RoomInput(serializers.Serializer):
    room_type = serializers.CharField(max_length=100, help_text="Room type code, e.g. DELUXE-KING")
    adults = PartyCountField(required=False, default=1, help_text="At least 1")
    children = PartyCountField(required=False, default=0)
    child_ages = ChildAgesField(child=serializers.IntegerField(), required=False, default=list, max_length=50,
                                help_text="One age (0-17) per child, optional")
    extras = ExtraInput(many=True, required=False, max_length=20,
                        help_text="Optional (new): this room's extras, instead of the booking's `extras`")


# The single-room fields that `rooms` replaces: a body gives one form or the other.
SINGLE_ROOM_FIELDS = ("room_type", "adults", "children", "child_ages", "room_count")


class BookingCreateInput(serializers.Serializer):
    hotel = serializers.CharField(max_length=100, help_text="Hotel code, e.g. NYC")
    room_type = serializers.CharField(max_length=100, required=False,
                                      help_text="Room type code, e.g. DELUXE-KING. Required unless `rooms` is given")
    rate_plan = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True,
                                      help_text="Rate plan code, e.g. AAA; the Best Available Rate when omitted")
    check_in = StayDateField(help_text="Arrival, YYYY-MM-DD (not in the past, hotel time)")
    check_out = StayDateField(help_text="Departure, YYYY-MM-DD, after check-in")
    adults = PartyCountField(required=False, default=1, help_text="At least 1, at most 50")
    children = PartyCountField(required=False, default=0)
    child_ages = ChildAgesField(child=serializers.IntegerField(), required=False, default=list, max_length=50,
                                help_text="One age (0-17) per child, optional")
    room_count = PartyCountField(required=False, default=1, help_text="1 to 9 rooms, each with an adult")
    promo_code = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    access_code = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="",
        help_text="The member or corporate code that opens a member or code-only rate plan (the search's "
                  "`access_code`). Without it such a plan is 400 UNKNOWN_RATE_PLAN; public plans need none.")
    guest = GuestInput()
    payment = PaymentInput()
    special_requests = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    billing_address = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="",
        help_text="Optional (new): the guest's postal address for their invoices (street, postal code and city, "
                  "country), one line each")
    arrival_time = serializers.TimeField(
        required=False, allow_null=True, default=None, format="%H:%M", input_formats=["%H:%M", "%H:%M:%S"],
        help_text="Optional (new): when the guest expects to arrive, HH:MM in the hotel's time; shown to the "
                  "front desk")
    expected_total = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True,
        help_text="The grand total the guest was shown. If today's price differs, nothing is booked and the "
                  "answer is 409 PRICE_CHANGED with the new quote.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.DIRECT)
    marketing_consent = serializers.BooleanField(
        required=False, default=False,
        help_text="Optional (new): true only when the guest ticked a marketing consent box showing these words "
                  f"(version {MARKETING_WORDING_VERSION}): \"{MARKETING_WORDING}\" It is recorded with the time, "
                  "the words and their version. Omitted or false: no consent is recorded.")
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                   help_text="e.g. the partner's site; defaults to the API key's name")

    extras = ExtraInput(many=True, required=False, default=list, max_length=20, help_text=EXTRAS_HELP)

    rooms = RoomInput(
        many=True, required=False, max_length=services.MAX_ROOMS, allow_empty=False,
        help_text="New. A multi-room booking: one element per room (1 to 9), each with its room type and party, "
                  "instead of room_type, adults, children, child_ages and room_count (giving both forms is 400 "
                  "VALIDATION_ERROR). One confirmation number, one charge for the sum, all rooms or none.")

    def validate(self, attrs):
        body = self.initial_data if isinstance(self.initial_data, dict) else {}
        if "rooms" in body:
            given = [name for name in SINGLE_ROOM_FIELDS if name in body]
            if given:
                raise serializers.ValidationError(
                    {"rooms": [f"Give either rooms or {', '.join(given)}, not both."]})
        elif not attrs.get("room_type"):
            raise serializers.ValidationError({"room_type": ["This field is required."]})
        return attrs

    def to_request(self, *, source: str) -> BookingRequest:
        d = self.validated_data
        g = d["guest"]
        rooms = tuple(services.RoomRequest(room_type_code=r["room_type"], adults=r["adults"],
                                           children=r["children"], child_ages=r["child_ages"],
                                           extras=[dict(e) for e in r["extras"]] if "extras" in r else None)
                      for r in d.get("rooms") or ())
        return BookingRequest(
            rooms=rooms, hotel_code=d["hotel"], room_type_code=d.get("room_type", ""),
            rate_plan_code=d.get("rate_plan"),
            check_in=d["check_in"], check_out=d["check_out"], adults=d["adults"], children=d["children"],
            child_ages=d["child_ages"], room_count=d["room_count"], promo_code=d.get("promo_code"),
            guest=GuestDetails(first_name=g["first_name"], last_name=g["last_name"], email=g["email"],
                               phone=g["phone"], loyalty_number=g["loyalty_number"]),
            card=_card(d["payment"]), payment_method=d["payment"].get("payment_method", ""),
            special_requests=d["special_requests"], arrival_time=d["arrival_time"], channel=d["channel"],
            billing_address=d["billing_address"],
            source=d["source"] or source, expected_total=d.get("expected_total"),
            marketing_consent=d["marketing_consent"], consent_source="API",
            extras=tuple(dict(e) for e in d["extras"]),
            access_code=d["access_code"],
        )



# --- views ----------------------------------------------------------------------------------------------

def _scope(request) -> str:
    """Whose idempotency keys these are: one caller never sees another's answers."""
    key = api_key_of(request)
    return f"api_key:{key.pk}" if key is not None else f"user:{request.user.pk}"




IDEMPOTENCY_HEADER = OpenApiParameter(
    idempotency.HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Optional, up to 200 characters (a UUID is a good choice). The same key with the same body "
                "answers the first answer again (status and body, with `Idempotent-Replayed: true`) and never "
                "charges twice; the same key with another body answers 422 IDEMPOTENCY_KEY_REUSED; while the "
                "first request with the key is still running, 409 IDEMPOTENCY_IN_PROGRESS. Keys are per API key.")

_SEED_REQUEST = {
    "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": "2024-03-15",
    "check_out": "2024-03-18", "adults": 2, "children": 0, "child_ages": [], "room_count": 1,
    "guest": {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
              "phone": "+1 212 555 0199", "loyalty_number": ""},
    "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123",
                "holder_name": "John Smith"},
    "special_requests": "High floor, please", "expected_total": "664.14",
}
_SEED_RESPONSE = {
    "confirmation_number": "GH-NYC-2024031500001", "status": "CONFIRMED", "guest_name": "John Smith",
    "hotel": {"code": "NYC", "name": "Grand Hotel NYC", "address": "123 Main St, New York, NY 10001"},
    "check_in": "2024-03-15", "check_out": "2024-03-18",
    "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"},
    "rate_plan": {"code": "AAA", "name": "AAA Member Rate"}, "guests": {"adults": 2, "children": 0},
    "special_requests": "High floor, please",
    "pricing": {"currency": "USD", "nightly_rates": [{"date": "2024-03-15", "rate": "189.00"},
                                                     {"date": "2024-03-16", "rate": "219.00"},
                                                     {"date": "2024-03-17", "rate": "199.00"}],
                "subtotal": "607.00", "rate_plan_discount": "-60.70", "promotion_discount": "0.00",
                "discount": "-60.70",
                "discounts": [{"kind": "RATE_PLAN", "code": "AAA", "name": "AAA Member Rate", "amount": "-60.70"}],
                "room_total": "546.30", "taxes": "72.84",
                "tax_lines": [{"name": "NYC Hotel Room Tax", "amount": "72.84"}], "fees": "45.00",
                "grand_total": "664.14",
                "total": "664.14"},
    "cancellation_policy": {"name": "Flexible 24-Hour",
                            "description": "Free cancellation until 24 hours before check-in",
                            "free_until": "2024-03-14T15:00:00-04:00"},
    "payment": {"status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"},
    "payment_terms": {"guarantee": "PREPAY", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
                      "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"},
    "rooms": [{"room": 1, "number": "GH-NYC-2024031500001", "status": "CONFIRMED",
               "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"}, "room_count": 1, "adults": 2,
               "children": 0, "child_ages": [],
               "nights": [{"date": "2024-03-15", "rate": "189.00"}, {"date": "2024-03-16", "rate": "219.00"},
                          {"date": "2024-03-17", "rate": "199.00"}],
               "totals": {"subtotal": "607.00", "discount": "-60.70", "room_total": "546.30", "taxes": "72.84",
                          "fees": "45.00", "grand_total": "664.14", "currency": "USD"}}],
}
_SEED_REQUEST_ROOMS = {
    **{k: v for k, v in _SEED_REQUEST.items() if k not in ("room_type", "adults", "children", "child_ages",
                                                           "room_count")},
    "rooms": [{"room_type": "DELUXE-KING", "adults": 2},
              {"room_type": "STANDARD-QUEEN", "adults": 1, "children": 1, "child_ages": [7]}],
    "expected_total": "1205.88",
}


_SEED_REQUEST_STRIPE = {**_SEED_REQUEST, "payment": {"payment_method": "pm_1PgXyZ2eZvKYlo2C9yqQh7k3"}}
_SEED_PENDING = {
    **_SEED_RESPONSE, "confirmation_number": None, "status": "PENDING",
    "payment": {"status": "REQUIRES_ACTION", "last_four": "3184", "amount": "0.00", "currency": "USD",
                "client_secret": "pi_3PgXyZ2eZvKYlo2C1a2b3c4d_secret_e5f6g7h8",
                "status_url": "/api/v1/bookings/pending/.eJyrVkosL1ayUoJLdQ:1sZk2W:Xq3mN"},
}


class BookingCreateApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "book"

    @extend_schema(
        operation_id="booking_create",
        summary="Book a stay and pay for it",
        description=(
            "Validates the stay (same rules and codes as the search), prices it, holds the rooms for every "
            "night, charges the card and confirms, all or nothing. The API key must reach the hotel. "
            "The confirmation email is sent after commit.\n\n"
            "Several rooms in one booking: `rooms` (each with room_type, adults, children, child_ages) instead of "
            "room_type/adults/children/child_ages/room_count. One confirmation number (the other rooms are "
            "numbered <number>-2, -3, ...), one charge for the sum of what each room's terms ask now, every room "
            "held or none (an error about one room names it: `room`, from 1).\n\n"
            "Payment: a Stripe PaymentMethod id (`payment.payment_method`, pm_...) made in the guest's browser "
            "by Stripe.js, or, with the built-in test gateway only, the card fields. With Stripe on, a body "
            "carrying card fields is refused (400 CARD_DATA_NOT_ACCEPTED) and nothing is sent anywhere.\n\n"
            "201: confirmed. 202: the booking is PENDING, its rooms held for a short time (15 minutes by default): "
            "the guest's bank wants the payment authenticated (`payment.status` REQUIRES_ACTION, with "
            "`payment.client_secret` for stripe.handleNextAction), or the provider's answer is awaited "
            "(PROCESSING). Then GET `payment.status_url` (also the Location header) for the outcome."),
        tags=["bookings"],
        parameters=[
            IDEMPOTENCY_HEADER,
            OpenApiParameter("Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201, 202],
                             description="201: the new booking, /api/v1/bookings/{confirmation_number}; 202: "
                                         "where its payment stands, /api/v1/bookings/pending/{token}"),
            OpenApiParameter("Idempotent-Replayed", OpenApiTypes.STR, OpenApiParameter.HEADER, response=True,
                             description='"true" when this is the stored answer to an earlier request with the '
                                         "same Idempotency-Key"),
        ],
        request=BookingCreateInput,
        examples=[OpenApiExample("The seed's stay", value=_SEED_REQUEST, request_only=True),
                  OpenApiExample("Two rooms in one booking", value=_SEED_REQUEST_ROOMS, request_only=True),
                  OpenApiExample("The seed's stay, card from Stripe.js", value=_SEED_REQUEST_STRIPE,
                                 request_only=True),
                  OpenApiExample("Confirmed", value=_SEED_RESPONSE, response_only=True, status_codes=["201"]),
                  OpenApiExample("3-D Secure needed", value=_SEED_PENDING, response_only=True,
                                 status_codes=["202"])],
        responses={
            201: BookingOutput,
            202: OpenApiResponse(PendingBookingOutput, description=(
                "PENDING: the rooms are held, the payment is not settled: REQUIRES_ACTION (3-D Secure; "
                "client_secret given) or PROCESSING. GET payment.status_url for the outcome.")),
            400: error_doc(
                "INVALID_DATES, INVALID_PARTY, UNKNOWN_ROOM_TYPE, UNKNOWN_RATE_PLAN, UNKNOWN_PROMO_CODE, "
                "UNKNOWN_EXTRA, EXTRA_NOT_AVAILABLE (new: an extra the hotel does not have, no longer offers, or "
                "above its maximum quantity), VALIDATION_ERROR (a missing or malformed field; `fields` says "
                "which), MALFORMED_REQUEST (the body is not JSON), CARD_DATA_NOT_ACCEPTED (card fields while "
                "Stripe is on: send payment.payment_method; nothing was sent anywhere)",
                ("Dates", {"code": "INVALID_DATES", "message": "Check-out must be after check-in.",
                           "retryable": False, "field": "check_out"}),
                ("Card data", {"code": "CARD_DATA_NOT_ACCEPTED", "message": CardDataNotAccepted.default_message,
                               "retryable": False}),
                ("Room type", {"code": "UNKNOWN_ROOM_TYPE", "message": "Grand Hotel NYC has no room type PENT.",
                               "retryable": False, "room_type": "PENT"})),
            401: error_doc("AUTHENTICATION_REQUIRED: no API key, or an invalid one"),
            403: error_doc("FORBIDDEN: a staff session without the permission to book, or a channel key"),
            402: error_doc(
                "PAYMENT_FAILED: the card was declined (retry with another card)",
                ("Declined", {"code": "PAYMENT_FAILED", "message": "The card was declined for insufficient "
                              "funds.", "retryable": True, "retry_action": "UPDATE_PAYMENT",
                              "decline_code": "insufficient_funds"})),
            404: error_doc("HOTEL_NOT_FOUND: no such hotel, or the API key does not reach it"),
            409: error_doc(
                "SOLD_OUT naming the date; PRICE_CHANGED with the new quote and its payment_terms (nothing "
                "booked); RESTRICTED (minimum stay, closed to arrival); RATE_NOT_AVAILABLE; IDEMPOTENCY_IN_PROGRESS",
                ("Sold out", {"code": "SOLD_OUT", "message": "Sorry, Deluxe King Room is sold out on March 16, "
                              "2024 (0 left). Please choose different dates or room type.", "retryable": False,
                              "date": "2024-03-16", "available": 0}),
                ("Price changed", {"code": "PRICE_CHANGED", "message": "The price has changed since it was "
                                   "shown. Please review the new total.", "retryable": True,
                                   "retry_action": "CONFIRM_NEW_PRICE", "expected_total": "600.00",
                                   "new_total": "664.14", "quote": {"currency": "USD", "total": "664.14"}})),
            422: error_doc("IDEMPOTENCY_KEY_REUSED: the Idempotency-Key came before with another body"),
            429: error_doc("RATE_LIMITED"),
            500: error_doc("SYSTEM_ERROR: nothing internal is shown; the request is logged (card masked)"),
        },
    )
    def post(self, request):
        card_data_refuse(request.data)
        data = BookingCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        key = idempotency.key_validate(request.headers.get(idempotency.HEADER))
        hotel = hotel_get(data.validated_data["hotel"])
        if not can_reach_hotel(request, hotel):
            raise HotelNotFound(f"No hotel with code {data.validated_data['hotel']}.")
        api_key = api_key_of(request)
        booking = data.to_request(source=api_key.name if api_key else "API")
        if key is None:
            return self._book(request, booking)

        scope = _scope(request)
        replay = idempotency.idempotency_begin(scope=scope, key=key,
                                               fingerprint=idempotency.request_fingerprint(request.data))
        if replay is not None:
            headers = {"Idempotent-Replayed": "true"}
            if replay.status == 201:
                headers["Location"] = location_of(replay.body["confirmation_number"])
            elif replay.status == 202:
                headers["Location"] = replay.body["payment"]["status_url"]
            return Response(replay.body, status=replay.status, headers=headers)
        try:
            response = self._book(request, booking)
        except DomainError as exc:  # a considered answer: keep it for replays
            idempotency.idempotency_finish(scope=scope, key=key, status=exc.http_status,
                                           body={"error": exc.as_dict()})
            raise
        except BaseException:
            idempotency.idempotency_abandon(scope=scope, key=key)
            raise
        idempotency.idempotency_finish(scope=scope, key=key, status=response.status_code, body=response.data)
        return response

    def _book(self, request, booking: BookingRequest) -> Response:
        reservation = services.booking_create(request=booking, gateway=payments.default_gateway(),
                                              actor=caller_of(request))
        return booking_answer(reservation)






class BookingDetailApi(BookingModifyCancelMethods, APIView):
    """GET here; PATCH (change) and DELETE (cancel) come from manage.py, which owns those use cases."""

    permission_classes = [HotelWork]
    hotel_work = {"GET": "view_booking", "PATCH": "modify_booking", "DELETE": "cancel_booking"}

    @extend_schema(
        operation_id="booking_retrieve",
        summary="A booking and its status history",
        description=("The booking as booking_create answered it, as it stands now (after changes and "
                     "cancellations), with every status change and who made it. A partner key reads the bookings "
                     "it made (every booking of its hotels if it is hotel-wide); a multi-room booking is read by "
                     "its first room's number, one of its rooms alone by that room's own number."),
        tags=["bookings"],
        parameters=[OpenApiParameter("confirmation_number", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="e.g. GH-NYC-2024031500001")],
        responses={
            200: BookingDetailOutput,
            401: error_doc("AUTHENTICATION_REQUIRED"),
            403: error_doc("FORBIDDEN: a staff session without the permission to view bookings, or a channel key"),
            404: error_doc("RESERVATION_NOT_FOUND: no such booking at a hotel this API key reaches, or (a partner key "
                        "without hotel-wide scope) one it did not make"),
            429: error_doc("RATE_LIMITED"),
        },
    )
    def get(self, request, confirmation_number: str):
        reservation = services.reservation_detail_get(confirmation_number=confirmation_number,
                                                      hotels=reach_of(request))
        return Response(BookingDetailOutput(booking_data(reservation, history=True, caller=caller_of(request))).data)


urlpatterns = [
    path("bookings", BookingCreateApi.as_view(), name="api-booking-create"),
    *pending_patterns,
    path("bookings/<str:confirmation_number>", BookingDetailApi.as_view(), name="api-booking-detail"),
]
