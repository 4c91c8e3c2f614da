"""Public content API: a hotel's description, photos (every rendition's absolute URL), facts and amenities, and
its room types'. Beside the availability answer, which stays as it is; public like it (no API key needed)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import ErrorSerializer

from ..models import Amenity, RoomType
from ..selectors import hotel_content, hotel_get
from .hotels import LocalClockTimeField


@extend_schema_field({"type": "string", "format": "uri", "example": "https://hotel.example/media/CACHE/images/x.jpg"})
class AbsoluteUrlField(serializers.CharField):
    """A media URL made absolute on the request's host (unchanged when MEDIA_URL is absolute already, e.g. a CDN)."""

    def to_representation(self, value):
        if not value:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(value) if request is not None else str(value)


class NullWhenBlankChoiceField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class RenditionOutput(serializers.Serializer):
    width = serializers.IntegerField(help_text="Pixels; at most the uploaded photo's width")
    height = serializers.IntegerField()
    url = AbsoluteUrlField()


class PhotoOutput(serializers.Serializer):
    alt_text = serializers.CharField(help_text="What the photo shows: use it as the image's alt text")
    caption = serializers.CharField(help_text="May be empty")
    renditions = RenditionOutput(many=True, help_text="JPEG renditions, narrowest first (480, 960 and 1600 px "
                                                      "wide, each at most as wide as the upload): an HTML srcset")


class AmenityOutput(serializers.Serializer):
    code = serializers.CharField(help_text="Stable key, e.g. wifi")
    label = serializers.CharField(help_text="What guests read, e.g. Free Wi-Fi")
    icon = NullWhenBlankChoiceField(choices=Amenity.Icon.choices, help_text="An icon key, or null")


class BrandOutput(serializers.Serializer):
    color = serializers.CharField(allow_null=True, help_text="#RRGGBB, or null")
    text_color = serializers.CharField(allow_null=True,
                                       help_text="#000000 or #ffffff: the text colour that reads on `color`, or null")
    logo_url = AbsoluteUrlField(allow_null=True, help_text="The logo, at most 480 x 160 px (PNG), or null")

    def to_representation(self, hotel):
        return {
            "color": hotel.brand_color or None,
            "text_color": hotel.brand_text_color or None,
            "logo_url": self.fields["logo_url"].to_representation(hotel.logo_rendition.url if hotel.logo else None),
        }


class RoomTypeContentOutput(serializers.Serializer):
    code = serializers.CharField(help_text="As in the availability and booking requests, e.g. DELUXE-KING")
    name = serializers.CharField()
    description = serializers.CharField()
    max_adults = serializers.IntegerField()
    max_children = serializers.IntegerField()
    max_occupancy = serializers.IntegerField()
    bed_type = NullWhenBlankChoiceField(choices=RoomType.BedType.choices, help_text="null: not given")
    bed_count = serializers.IntegerField()
    beds = serializers.CharField(source="beds_label", help_text='E.g. "1 King bed"; empty when no bed type is given')
    size_m2 = serializers.FloatField(allow_null=True, help_text="Square metres, or null")
    view = NullWhenBlankChoiceField(choices=RoomType.View.choices, help_text="null: not given")
    amenities = AmenityOutput(many=True, source="amenities.all")
    photos = PhotoOutput(many=True, source="photos.all")


class HotelContentOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(help_text="Plain text; blank lines part paragraphs")
    address = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    map_url = serializers.CharField(help_text="An OpenStreetMap link to the hotel (empty when it has no address)")
    phone = serializers.CharField()
    email = serializers.CharField()
    check_in_time = LocalClockTimeField(help_text="Local check-in time, HH:MM (hotel's own clock, no offset)")
    check_out_time = LocalClockTimeField(help_text="Local check-out time, HH:MM (hotel's own clock, no offset)")
    house_rules = serializers.ListField(child=serializers.CharField(), source="house_rule_list")
    brand = BrandOutput(source="*")
    amenities = AmenityOutput(many=True, source="amenities.all")
    photos = PhotoOutput(many=True, source="photos.all")


class HotelContentResponseOutput(serializers.Serializer):
    hotel = HotelContentOutput()
    room_types = RoomTypeContentOutput(many=True, help_text="In the hotel's order, as the search lists them")


class HotelContentApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="hotel_content",
        summary="Hotel and room content",
        description=(
            "What a booking page shows beside the prices: the hotel's description, address and map link, times, "
            "house rules, brand, amenities and photos, and for each room type its facts (beds, size, view), "
            "amenities and photos. Photos come as renditions of several widths (absolute URLs), for an HTML "
            "srcset. Public: no API key needed."
        ),
        tags=["catalogue"],
        auth=[],
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="Hotel code, e.g. NYC")],
        responses={
            200: HotelContentResponseOutput,
            404: OpenApiResponse(ErrorSerializer, description="HOTEL_NOT_FOUND"),
            429: OpenApiResponse(ErrorSerializer, description="RATE_LIMITED"),
        },
    )
    def get(self, request, code: str):
        content = hotel_content(hotel=hotel_get(code))
        return Response(HotelContentResponseOutput(content, context={"request": request}).data)
