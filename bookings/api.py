"""Partner booking API: create a booking, read it back. Thin: parse, call one service, serialize.

Errors are domain errors raised by the services and mapped to HTTP by hotelbooking.api.exception_handler.
"""

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import ErrorSerializer, HotelWork, api_key_of, caller_of, can_reach_hotel, reach_of
from hotelbooking.errors import CardDataNotAccepted, DomainError, HotelNotFound, PaymentFailed, ReservationNotFound
from hotelbooking.money import round_money
from pricing.api import CancellationPolicyOutput, NightlyRateOutput
from pricing.search import hotel_get

from . import idempotency, payments, services
from .api_manage import BookingModifyCancelMethods
from .models import Channel, PaymentAttempt, Reservation, Status, actor_shown
from .payments import Card
from .payments.stripe_gateway import stripe_enabled
from .services import BookingRequest, GuestDetails
from .services.confirm import NOT_COMPLETED

AMOUNT_HELP = 'Decimal string in the hotel\'s currency with its minor unit, e.g. "664.14".'


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


class BookingCreateInput(serializers.Serializer):
    hotel = serializers.CharField(max_length=100, help_text="Hotel code, e.g. NYC")
    room_type = serializers.CharField(max_length=100, help_text="Room type code, e.g. DELUXE-KING")
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
    guest = GuestInput()
    payment = PaymentInput()
    special_requests = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    expected_total = serializers.DecimalField(
        max_digits=16, decimal_places=4, required=False, allow_null=True,
        help_text="The grand total the guest was shown. If today's price differs, nothing is booked and the "
                  "answer is 409 PRICE_CHANGED with the new quote.")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.DIRECT)
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                   help_text="e.g. the partner's site; defaults to the API key's name")

    def to_request(self, *, source: str) -> BookingRequest:
        d = self.validated_data
        g = d["guest"]
        return BookingRequest(
            hotel_code=d["hotel"], room_type_code=d["room_type"], rate_plan_code=d.get("rate_plan"),
            check_in=d["check_in"], check_out=d["check_out"], adults=d["adults"], children=d["children"],
            child_ages=d["child_ages"], room_count=d["room_count"], promo_code=d.get("promo_code"),
            guest=GuestDetails(first_name=g["first_name"], last_name=g["last_name"], email=g["email"],
                               phone=g["phone"], loyalty_number=g["loyalty_number"]),
            card=_card(d["payment"]), payment_method=d["payment"].get("payment_method", ""),
            special_requests=d["special_requests"], channel=d["channel"],
            source=d["source"] or source, expected_total=d.get("expected_total"),
        )


# --- output ---------------------------------------------------------------------------------------------

class BookingHotelOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()


class BookingRoomTypeOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BookingGuestsOutput(serializers.Serializer):
    adults = serializers.IntegerField()
    children = serializers.IntegerField()


class BookingPricingOutput(serializers.Serializer):
    currency = serializers.CharField()
    nightly_rates = NightlyRateOutput(many=True)
    room_total = serializers.CharField(help_text="Rates less rate-plan and promotion discounts, all rooms. "
                                                 + AMOUNT_HELP)
    taxes = serializers.CharField(help_text=AMOUNT_HELP)
    fees = serializers.CharField(help_text=AMOUNT_HELP)
    grand_total = serializers.CharField(help_text="room_total + taxes + fees. " + AMOUNT_HELP)


class BookingPaymentOutput(serializers.Serializer):
    status = serializers.CharField(help_text="COMPLETED, PARTIALLY_REFUNDED, REFUNDED, or NOT_COLLECTED (the "
                                             "channel collects the money)")
    last_four = serializers.CharField(allow_blank=True)
    amount = serializers.CharField(help_text="Paid so far (charges less refunds). " + AMOUNT_HELP)


class BookingOutput(serializers.Serializer):
    confirmation_number = serializers.CharField(help_text="e.g. GH-NYC-2024031500001")
    status = serializers.ChoiceField(choices=[s for s, _ in Reservation._meta.get_field("status").choices])
    guest_name = serializers.CharField()
    hotel = BookingHotelOutput()
    check_in = serializers.DateField()
    check_out = serializers.DateField()
    room_type = BookingRoomTypeOutput()
    guests = BookingGuestsOutput()
    pricing = BookingPricingOutput()
    cancellation_policy = CancellationPolicyOutput()
    payment = BookingPaymentOutput()


class PendingPaymentOutput(BookingPaymentOutput):
    status = serializers.CharField(
        help_text="REQUIRES_ACTION or PROCESSING. REQUIRES_ACTION: the guest's bank wants the payment "
                  "authenticated (3-D Secure): hand client_secret to Stripe.js (stripe.handleNextAction) in the "
                  "guest's browser, then GET status_url. PROCESSING: the provider's answer is awaited; GET "
                  "status_url again in a few seconds (the webhook or our settle task may settle it first)")
    client_secret = serializers.CharField(
        required=False, help_text="With REQUIRES_ACTION only: the PaymentIntent's client secret, for the guest's "
                                  "browser and no one else. Never logged by us.")
    status_url = serializers.CharField(
        help_text="GET it (same API key) for the outcome: 200 CONFIRMED with the booking, 202 while still pending, "
                  "402 PAYMENT_FAILED (the rooms are given back), 410 PAYMENT_LINK_EXPIRED once the hold time "
                  "(BOOKING_HOLD_MINUTES) is over")


class PendingBookingOutput(BookingOutput):
    """A booking whose payment is not settled yet: its rooms are held, nothing is confirmed."""

    confirmation_number = serializers.CharField(
        allow_null=True, help_text="null until the booking is confirmed: the number is given at confirmation")
    status = serializers.CharField(help_text="PENDING: the rooms are held until the payment is settled")
    payment = PendingPaymentOutput()


class StatusChangeOutput(serializers.Serializer):
    to = serializers.CharField()
    at = serializers.DateTimeField()
    by = serializers.CharField(help_text="Who made the change, as a kind and never another caller's name: 'you' "
                                         "(this API key or user), 'partner' (another API key), 'hotel' (hotel "
                                         "staff or its front-desk key), 'channel' (an OTA), 'guest' (the "
                                         "guest's own pages) or 'system'")
    note = serializers.CharField(allow_blank=True)

    def get_fields(self):
        # "from" is a Python keyword, so it cannot be a class attribute; it comes first in the answer.
        fields = super().get_fields()
        return {"from": serializers.CharField(allow_null=True, help_text="null for the booking's creation"),
                **fields}


class BookingDetailOutput(BookingOutput):
    status_history = StatusChangeOutput(many=True)


def booking_data(reservation: Reservation, *, history: bool = False, caller=None) -> dict:
    """The reservation in the shape of BookingOutput (BookingDetailOutput with `history`, whose `by` is told
    relative to `caller`: an API key or a user)."""
    c = reservation.currency
    hotel = reservation.hotel
    paid = services.payment_summary(reservation)
    policy = reservation.cancellation_policy or {}
    data = {
        "confirmation_number": reservation.confirmation_number,
        "status": reservation.status,
        "guest_name": reservation.guest_full_name,
        "hotel": {"code": hotel.code, "name": hotel.name, "address": hotel.address},
        "check_in": reservation.check_in,
        "check_out": reservation.check_out,
        "room_type": {"code": reservation.room_type.code, "name": reservation.room_type.name},
        "guests": {"adults": reservation.adults, "children": reservation.children},
        "pricing": {
            "currency": c,
            "nightly_rates": [{"date": n.date, "rate": str(round_money(n.rate, c))}
                              for n in reservation.nights.all()],
            "room_total": str(round_money(reservation.room_total, c)),
            "taxes": str(round_money(reservation.taxes, c)),
            "fees": str(round_money(reservation.fees, c)),
            "grand_total": str(round_money(reservation.grand_total, c)),
        },
        "cancellation_policy": {
            "name": policy.get("name", ""), "description": policy.get("description", ""),
            "free_until": reservation.free_until.astimezone(hotel.tz) if reservation.free_until else None,
        },
        "payment": {"status": paid["status"], "last_four": paid["last_four"],
                    "amount": str(round_money(paid["amount"], c))},
    }
    if history:
        data["status_history"] = [
            {"from": s.from_status or None, "to": s.to_status, "at": s.at, "by": actor_shown(s, caller=caller),
             "note": s.note}
            for s in reservation.status_changes.all()
        ]
    return data


def pending_booking_data(reservation: Reservation) -> dict:
    """A PENDING reservation in the shape of PendingBookingOutput: the booking, and where its payment stands."""
    from .services import booking_payment_attempt, booking_payment_token

    data = booking_data(reservation)
    attempt = booking_payment_attempt(reservation)
    action = attempt is not None and attempt.state == PaymentAttempt.State.REQUIRES_ACTION
    data["confirmation_number"] = None
    data["payment"] = {
        **data["payment"], "status": "REQUIRES_ACTION" if action else "PROCESSING",
        "last_four": (attempt.last_four if attempt else "") or data["payment"]["last_four"],
        "status_url": reverse("api-booking-pending", args=[booking_payment_token(reservation)]),
        **({"client_secret": attempt.client_secret} if action else {}),
    }
    return data


# --- views ----------------------------------------------------------------------------------------------

def _scope(request) -> str:
    """Whose idempotency keys these are: one caller never sees another's answers."""
    key = api_key_of(request)
    return f"api_key:{key.pk}" if key is not None else f"user:{request.user.pk}"


def _error(description: str, *examples: tuple[str, dict]) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description, examples=[
        OpenApiExample(title, value={"error": body}) for title, body in examples])


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
    "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"}, "guests": {"adults": 2, "children": 0},
    "pricing": {"currency": "USD", "nightly_rates": [{"date": "2024-03-15", "rate": "189.00"},
                                                     {"date": "2024-03-16", "rate": "219.00"},
                                                     {"date": "2024-03-17", "rate": "199.00"}],
                "room_total": "546.30", "taxes": "72.84", "fees": "45.00", "grand_total": "664.14"},
    "cancellation_policy": {"name": "Flexible 24-Hour",
                            "description": "Free cancellation until 24 hours before check-in",
                            "free_until": "2024-03-14T15:00:00-04:00"},
    "payment": {"status": "COMPLETED", "last_four": "4242", "amount": "664.14"},
}


_SEED_REQUEST_STRIPE = {**_SEED_REQUEST, "payment": {"payment_method": "pm_1PgXyZ2eZvKYlo2C9yqQh7k3"}}
_SEED_PENDING = {
    **_SEED_RESPONSE, "confirmation_number": None, "status": "PENDING",
    "payment": {"status": "REQUIRES_ACTION", "last_four": "3184", "amount": "0.00",
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
            "Payment: a Stripe PaymentMethod id (`payment.payment_method`, pm_...) made in the guest's browser "
            "by Stripe.js, or, with the built-in test gateway only, the card fields. With Stripe on, a body "
            "carrying card fields is refused (400 CARD_DATA_NOT_ACCEPTED) and nothing is sent anywhere.\n\n"
            "201: confirmed. 202: the booking is PENDING, its rooms held for BOOKING_HOLD_MINUTES: the guest's bank "
            "wants the payment authenticated (`payment.status` REQUIRES_ACTION, with `payment.client_secret` for "
            "stripe.handleNextAction), or the provider's answer is awaited (PROCESSING). Then GET "
            "`payment.status_url` (also the Location header) for the outcome."),
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
            400: _error(
                "INVALID_DATES, INVALID_PARTY, UNKNOWN_ROOM_TYPE, UNKNOWN_RATE_PLAN, UNKNOWN_PROMO_CODE, "
                "VALIDATION_ERROR (a missing or malformed field; `fields` says which), MALFORMED_REQUEST "
                "(the body is not JSON), CARD_DATA_NOT_ACCEPTED (card fields while Stripe is on: send "
                "payment.payment_method; nothing was sent anywhere)",
                ("Dates", {"code": "INVALID_DATES", "message": "Check-out must be after check-in.",
                           "retryable": False, "field": "check_out"}),
                ("Card data", {"code": "CARD_DATA_NOT_ACCEPTED", "message": CardDataNotAccepted.default_message,
                               "retryable": False}),
                ("Room type", {"code": "UNKNOWN_ROOM_TYPE", "message": "Grand Hotel NYC has no room type PENT.",
                               "retryable": False, "room_type": "PENT"})),
            401: _error("AUTHENTICATION_REQUIRED: no API key, or an invalid one"),
            403: _error("FORBIDDEN: a staff session without the permission to book, or a channel key"),
            402: _error(
                "PAYMENT_FAILED: the card was declined (retry with another card)",
                ("Declined", {"code": "PAYMENT_FAILED", "message": "The card was declined for insufficient "
                              "funds.", "retryable": True, "retry_action": "UPDATE_PAYMENT",
                              "decline_code": "insufficient_funds"})),
            404: _error("HOTEL_NOT_FOUND: no such hotel, or the API key does not reach it"),
            409: _error(
                "SOLD_OUT naming the date; PRICE_CHANGED with the new quote (nothing booked); RESTRICTED "
                "(minimum stay, closed to arrival); RATE_NOT_AVAILABLE; IDEMPOTENCY_IN_PROGRESS",
                ("Sold out", {"code": "SOLD_OUT", "message": "Sorry, Deluxe King Room is sold out on March 16, "
                              "2024 (0 left). Please choose different dates or room type.", "retryable": False,
                              "date": "2024-03-16", "available": 0}),
                ("Price changed", {"code": "PRICE_CHANGED", "message": "The price has changed since it was "
                                   "shown. Please review the new total.", "retryable": True,
                                   "retry_action": "CONFIRM_NEW_PRICE", "expected_total": "600.00",
                                   "new_total": "664.14", "quote": {"currency": "USD", "total": "664.14"}})),
            422: _error("IDEMPOTENCY_KEY_REUSED: the Idempotency-Key came before with another body"),
            429: _error("RATE_LIMITED"),
            500: _error("SYSTEM_ERROR: nothing internal is shown; the request is logged (card masked)"),
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
                headers["Location"] = _location(replay.body["confirmation_number"])
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
        return _booking_answer(reservation)


def _booking_answer(reservation: Reservation) -> Response:
    """201 with the confirmed booking, or 202 with the PENDING one and where its payment stands."""
    if reservation.status == Status.PENDING:
        data = PendingBookingOutput(pending_booking_data(reservation)).data
        return Response(data, status=202, headers={"Location": data["payment"]["status_url"]})
    reservation = services.reservation_detail_get(confirmation_number=reservation.confirmation_number)
    return Response(BookingOutput(booking_data(reservation)).data, status=201,
                    headers={"Location": _location(reservation.confirmation_number)})


class BookingPendingApi(APIView):
    """Where a PENDING booking's payment stands (after 3-D Secure, or a lost answer): asks the provider."""

    permission_classes = [HotelWork]
    hotel_work = "book"

    @extend_schema(
        operation_id="booking_pending_retrieve",
        summary="The outcome of a booking whose payment was pending",
        description=(
            "For the `payment.status_url` of a 202 from booking_create, with the same API key. Asks the payment "
            "provider where the payment stands (after the guest authenticated it, or when its answer was lost) "
            "and confirms the booking or gives its rooms back. 200: CONFIRMED, the booking as from "
            "booking_create, with its confirmation number (Location: the booking). 202: still pending. 402 "
            "PAYMENT_FAILED: declined, or the authentication failed; nothing is booked."),
        tags=["bookings"],
        parameters=[OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="From payment.status_url"),
                    OpenApiParameter("Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200],
                                     description="The booking: /api/v1/bookings/{confirmation_number}")],
        responses={
            200: BookingOutput,
            202: PendingBookingOutput,
            401: _error("AUTHENTICATION_REQUIRED"),
            402: _error("PAYMENT_FAILED: declined or not authenticated; the rooms are given back"),
            403: _error("FORBIDDEN: a staff session without the permission to book, or a channel key"),
            404: _error("RESERVATION_NOT_FOUND: not a token of ours, or a booking this API key does not reach"),
            410: _error("PAYMENT_LINK_EXPIRED: the hold time is over (the booking, if paid, was confirmed or "
                        "released by then: read it with booking_retrieve)"),
            429: _error("RATE_LIMITED"),
        },
    )
    def get(self, request, token: str):
        pending = services.booking_payment_token_read(token)
        reservation = services.booking_payment_pending(pending)
        reach = reach_of(request)
        if reservation is not None and (
                not reach.hotels.filter(pk=reservation.hotel_id).exists()
                or (reach.made_by_key is not None and reservation.created_by_key_id != reach.made_by_key)):
            raise ReservationNotFound("No such payment.")
        if reservation is None:
            raise PaymentFailed(NOT_COMPLETED, decline_code="not_completed")
        reservation = services.booking_payment_confirm(reservation.pk, payments.default_gateway())
        response = _booking_answer(reservation)
        if response.status_code == 201:
            response.status_code = 200
        return response


def _location(confirmation_number: str) -> str:
    return reverse("api-booking-detail", args=[confirmation_number])


class BookingDetailApi(BookingModifyCancelMethods, APIView):
    """GET here; PATCH (change) and DELETE (cancel) come from api_manage, which owns those use cases."""

    permission_classes = [HotelWork]
    hotel_work = {"GET": "view_booking", "PATCH": "modify_booking", "DELETE": "cancel_booking"}

    @extend_schema(
        operation_id="booking_retrieve",
        summary="A booking and its status history",
        tags=["bookings"],
        parameters=[OpenApiParameter("confirmation_number", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="e.g. GH-NYC-2024031500001")],
        responses={
            200: BookingDetailOutput,
            401: _error("AUTHENTICATION_REQUIRED"),
            403: _error("FORBIDDEN: a staff session without the permission to view bookings, or a channel key"),
            404: _error("RESERVATION_NOT_FOUND: no such booking at a hotel this API key reaches, or (a partner key "
                        "without hotel-wide scope) one it did not make"),
            429: _error("RATE_LIMITED"),
        },
    )
    def get(self, request, confirmation_number: str):
        reservation = services.reservation_detail_get(confirmation_number=confirmation_number,
                                                      hotels=reach_of(request))
        return Response(BookingDetailOutput(booking_data(reservation, history=True, caller=caller_of(request))).data)


urlpatterns = [
    path("bookings", BookingCreateApi.as_view(), name="api-booking-create"),
    path("bookings/pending/<str:token>", BookingPendingApi.as_view(), name="api-booking-pending"),
    path("bookings/<str:confirmation_number>", BookingDetailApi.as_view(), name="api-booking-detail"),
]
