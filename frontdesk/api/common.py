"""What every front-desk API view shares: the hotel and reservation the caller may reach, error docs, tags.

A front-desk API key, or a staff session holding the permission for the work (hotelbooking.permissions; 403
without it) at the hotels the staff member belongs to; other keys are told these resources do not exist (404).
Thin views: parse with a small serializer, call one service or selector, serialize.
"""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from bookings.services import reservation_get
from hotelbooking.api import ErrorSerializer, hotels_for
from hotelbooking.errors import HotelNotFound
from pricing.search import hotel_get

from .. import services

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
