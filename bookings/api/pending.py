"""The status URL of a booking whose payment was pending (3-D Secure, or a lost answer): GET it for the outcome.

booking_create answers 202 with it (payment.status_url and the Location header); `booking_answer` is what both
give: 201/200 with the confirmed booking, or 202 with the PENDING one.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, reach_of
from hotelbooking.errors import PaymentFailed, ReservationNotFound

from .. import payments, services
from ..models import Reservation, Status
from ..services.confirm import NOT_COMPLETED
from .output import BookingOutput, PendingBookingOutput, booking_data, error_doc, location_of, pending_booking_data


def booking_answer(reservation: Reservation) -> Response:
    """201 with the confirmed booking, or 202 with the PENDING one and where its payment stands."""
    if reservation.status == Status.PENDING:
        data = PendingBookingOutput(pending_booking_data(reservation)).data
        return Response(data, status=202, headers={"Location": data["payment"]["status_url"]})
    reservation = services.reservation_detail_get(confirmation_number=reservation.confirmation_number)
    return Response(BookingOutput(booking_data(reservation)).data, status=201,
                    headers={"Location": location_of(reservation.confirmation_number)})


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
            401: error_doc("AUTHENTICATION_REQUIRED"),
            402: error_doc("PAYMENT_FAILED: declined or not authenticated; the rooms are given back"),
            403: error_doc("FORBIDDEN: a staff session without the permission to book, or a channel key"),
            404: error_doc("RESERVATION_NOT_FOUND: not a token of ours, or a booking this API key does not reach"),
            410: error_doc("PAYMENT_LINK_EXPIRED: the hold time is over (the booking, if paid, was confirmed or "
                        "released by then: read it with booking_retrieve)"),
            429: error_doc("RATE_LIMITED"),
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
        response = booking_answer(reservation)
        if response.status_code == 201:
            response.status_code = 200
        return response


urlpatterns = [
    path("bookings/pending/<str:token>", BookingPendingApi.as_view(), name="api-booking-pending"),
]
