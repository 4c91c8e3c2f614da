"""The partner API's answers about bookings: the booking as read back, and a PENDING one with where its payment
stands. Shared by booking_create (api.py), the pending payment's status URL (api_pending.py) and booking_retrieve.
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from hotelbooking.api import ErrorSerializer
from hotelbooking.money import round_money
from pricing.api import CancellationPolicyOutput, NightlyRateOutput, PaymentTermsOutput

from . import services
from .models import PaymentAttempt, Reservation, actor_shown
from .payment_terms import reservation_payment_terms

AMOUNT_HELP = 'Decimal string in the hotel\'s currency with its minor unit, e.g. "664.14".'


def error_doc(description: str, *examples: tuple[str, dict]) -> OpenApiResponse:
    """An error answer in the schema: the Error body, with examples."""
    return OpenApiResponse(ErrorSerializer, description=description, examples=[
        OpenApiExample(title, value={"error": body}) for title, body in examples])


def location_of(confirmation_number: str) -> str:
    return reverse("api-booking-detail", args=[confirmation_number])


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
    payment_terms = PaymentTermsOutput(
        allow_null=True, help_text="What the rate plan's guarantee rule charged at booking, what is left and when, "
                                   "as agreed at booking; null when the channel collected the money")


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
    terms = reservation_payment_terms(reservation)
    data["payment_terms"] = terms.as_dict() if terms else None
    if history:
        data["status_history"] = [
            {"from": s.from_status or None, "to": s.to_status, "at": s.at, "by": actor_shown(s, caller=caller),
             "note": s.note}
            for s in reservation.status_changes.all()
        ]
    return data


def pending_booking_data(reservation: Reservation) -> dict:
    """A PENDING reservation in the shape of PendingBookingOutput: the booking, and where its payment stands."""
    data = booking_data(reservation)
    attempt = services.booking_payment_attempt(reservation)
    action = attempt is not None and attempt.state == PaymentAttempt.State.REQUIRES_ACTION
    data["confirmation_number"] = None
    data["payment"] = {
        **data["payment"], "status": "REQUIRES_ACTION" if action else "PROCESSING",
        "last_four": (attempt.last_four if attempt else "") or data["payment"]["last_four"],
        "status_url": reverse("api-booking-pending", args=[services.booking_payment_token(reservation)]),
        **({"client_secret": attempt.client_secret} if action else {}),
    }
    return data
