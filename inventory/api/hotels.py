"""Public catalogue API: the list of hotels. Thin: a selector and a small serializer."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import ErrorSerializer

from ..selectors import hotel_list


@extend_schema_field({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "15:00"})
class LocalClockTimeField(serializers.TimeField):
    """A wall-clock time in the hotel's zone: not an RFC 3339 time, which would need an offset."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class HotelListItemOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Hotel code, e.g. NYC")
    brand_code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    timezone = serializers.CharField(help_text="IANA time zone, e.g. America/New_York")
    currency = serializers.CharField(help_text="ISO 4217 code")
    check_in_time = LocalClockTimeField(help_text="Local check-in time, HH:MM (hotel's own clock, no offset)")
    check_out_time = LocalClockTimeField(help_text="Local check-out time, HH:MM (hotel's own clock, no offset)")


class HotelListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hotels_list",
        summary="List hotels",
        description="Every hotel open for booking. Public: no API key needed.",
        tags=["catalogue"],
        auth=[],
        responses={200: HotelListItemOutput(many=True), 429: ErrorSerializer},
    )
    def get(self, request):
        return Response(HotelListItemOutput(hotel_list(), many=True).data)
