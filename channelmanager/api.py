"""Inbound OTA reservations: POST an OTA_HotelResNotifRQ (or OTA_HotelResModifyNotifRQ), bare or in a SOAP 1.1
envelope, get the matching RS in the same wrapping. XML in, XML out.

Every answer, errors included (authentication, throttling, malformed XML), is an OpenTravel RS: the project's
exception handler decides the status and code, this view wraps them in OpenTravel's Errors, and a channel whose
profile asks for it gets its business refusals with HTTP 200.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ParseError, PermissionDenied
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from hotelbooking.api import ApiKeyAuthentication, HotelWork, api_key_of
from hotelbooking.errors import DomainError, MalformedMessage
from hotelbooking.permissions import CHANNEL_MESSAGE

from . import ota_xml
from .inbound import channel_reservation_notify
from .inbound.auth import ChannelBasicAuthentication, ChannelCredentials, ChannelWsseAuthentication
from .inbound.envelope import envelope_open, envelope_wrap
from .inbound.message import MODIFY_NOTIF
from .inbound.message import parse as parse_res_notif
from .inbound.profiles import profile_of, vocabulary_of
from .models import ChannelProfile
from .selectors import channel_for_inbound, channel_of_key


class OtaXmlParser(BaseParser):
    """Untrusted XML through defusedxml: no DTD, no entity, at most ota_xml.MAX_BYTES."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(ota_xml.MAX_BYTES + 1) if stream is not None else b""
        try:
            return ota_xml.parse_document(data)
        except MalformedMessage as exc:
            raise ParseError(exc.message) from None


class OtaTextXmlParser(OtaXmlParser):
    media_type = "text/xml"


class OtaXmlRenderer(BaseRenderer):
    media_type = "application/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        error = (data or {}).get("error", {}) if isinstance(data, dict) else {}
        return ota_xml.res_notif_rs(echo_token="", timestamp=timezone.now(), errors=[
            (error.get("code", "SYSTEM_ERROR"), error.get("message", "The request could not be completed."))])


class XmlOnlyNegotiation(BaseContentNegotiation):
    """OTAs send all sorts of Accept headers; the answer is OpenTravel XML whatever they ask for."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


EXAMPLE_RQ = """<?xml version="1.0" encoding="UTF-8"?>
<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="abc-123"
    TimeStamp="2025-03-01T10:00:00Z" Version="1.0" ResStatus="Commit">
  <HotelReservations>
    <HotelReservation ResStatus="Book">
      <UniqueID Type="14" ID="BDC-4711"/>
      <RoomStays><RoomStay>
        <RoomTypes><RoomType RoomTypeCode="DLXK"/></RoomTypes>
        <RatePlans><RatePlan RatePlanCode="BAR-BDC"/></RatePlans>
        <RoomRates><RoomRate RoomTypeCode="DLXK" RatePlanCode="BAR-BDC" NumberOfUnits="1"/></RoomRates>
        <GuestCounts><GuestCount AgeQualifyingCode="10" Count="2"/></GuestCounts>
        <TimeSpan Start="2025-03-14" End="2025-03-17"/>
        <Total AmountAfterTax="664.14" CurrencyCode="USD"/>
        <BasicPropertyInfo HotelCode="NYC"/>
      </RoomStay></RoomStays>
      <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer>
        <PersonName><GivenName>John</GivenName><Surname>Smith</Surname></PersonName>
        <Telephone PhoneNumber="+1 555 0100"/><Email>john@example.com</Email>
      </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>"""

EXAMPLE_RS = """<?xml version='1.0' encoding='utf-8'?>
<OTA_HotelResNotifRS xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="abc-123"
    TimeStamp="2025-03-01T10:00:01+00:00" Version="1.0"><Success /><HotelReservations>
  <HotelReservation ResStatus="Book"><UniqueID Type="14" ID="BDC-4711" /><ResGlobalInfo><HotelReservationIDs>
    <HotelReservationID ResID_Type="14" ResID_Value="BDC-4711" />
    <HotelReservationID ResID_Type="10" ResID_Value="GH-NYC-2025031400001" />
  </HotelReservationIDs></ResGlobalInfo></HotelReservation></HotelReservations></OTA_HotelResNotifRS>"""

EXAMPLE_ERROR = """<?xml version='1.0' encoding='utf-8'?>
<OTA_HotelResNotifRS xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="abc-123"
    TimeStamp="2025-03-01T10:00:01+00:00" Version="1.0"><Errors>
  <Error Type="3" Code="322" ShortText="SOLD_OUT">Sorry, Deluxe King Room is sold out on March 15, 2025.</Error>
</Errors></OTA_HotelResNotifRS>"""


def _xml(description: str, example: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(response=OpenApiTypes.STR, description=description,
                           examples=[OpenApiExample("OTA_HotelResNotifRS", value=example)] if example else None)


class IsTheChannel(BasePermission):
    """Only a key bound to the channel in the URL speaks for it (channelmanager.ChannelKey), or the channel
    signed in with its profile's credentials (HTTP Basic, WS-Security); any other key, a partner's of the same
    hotel included, is refused (403)."""

    def has_permission(self, request, view):
        if isinstance(request.auth, ChannelCredentials):
            channel = request.auth.channel
        else:
            HotelWork().has_permission(request, view)
            channel = channel_of_key(api_key_of(request))
        if channel is None or channel.code != str(view.kwargs.get("code", "")).strip().upper():
            raise PermissionDenied("This API key is not the channel's.")
        view.channel = channel
        return True


# What a channel whose profile wants business refusals with HTTP 200 gets them with.
_BUSINESS_STATUSES = {400, 404, 409, 422}
SOAP_CONTENT_TYPE = "text/xml; charset=utf-8"


class ChannelReservationNotifyApi(APIView):
    authentication_classes = [ApiKeyAuthentication, SessionAuthentication, ChannelBasicAuthentication,
                              ChannelWsseAuthentication]
    permission_classes = [IsTheChannel]
    hotel_work = CHANNEL_MESSAGE
    parser_classes = [OtaXmlParser, OtaTextXmlParser]
    renderer_classes = [OtaXmlRenderer]
    content_negotiation_class = XmlOnlyNegotiation

    @extend_schema(
        operation_id="channel_reservation_notify",
        summary="Receive a channel's reservation (OTA_HotelResNotifRQ)",
        description=(
            "A channel (OTA or channel manager) books, modifies or cancels a reservation: an OTA_HotelResNotifRQ or "
            "OTA_HotelResModifyNotifRQ, bare or as the Body of a SOAP 1.1 envelope, as application/xml or text/xml; "
            "the answer (OTA_HotelResNotifRS or OTA_HotelResModifyNotifRS) comes in the same wrapping. ResStatus "
            "Commit, Book, Reserved or New creates it, Modify or Modified changes it (a full overlay: each RoomStay "
            "its room by IndexNumber), Cancel or Cancelled cancels it (the rooms listed, or all); the channel's "
            "profile may add its own words. Several RoomStays make one multi-room booking, all or nothing. The "
            "channel's reservation id (UniqueID@ID, or HotelReservationID of the profile's type) is the key: the "
            "same message twice answers as the first. The channel collects payment. Room, rate and service codes "
            "are the channel's, as mapped in the admin. Success carries HotelReservationIDs (ResID_Type 10, or the "
            "profile's type, is our confirmation number); Errors/Error carries Type and Code from OpenTravel's "
            "lists and ShortText our error code (SOLD_OUT, UNKNOWN_ROOM_TYPE, UNKNOWN_RATE_PLAN, INVALID_DATES, "
            "MALFORMED_REQUEST, ...), with the HTTP status below, or HTTP 200 for business refusals when the "
            "channel's profile asks for it. A channel whose profile accepts sold-out bookings gets them even "
            "with no room left (flagged OVERBOOKED). DTDs and entities are refused. Only the channel itself is "
            "accepted: its own API key (scope channel, bound to this channel), or its profile's username and "
            "password as HTTP Basic or a WS-Security UsernameToken (PasswordText) in the SOAP header; any other "
            "key, a partner key of the same hotel included, gets 403 FORBIDDEN."),
        tags=["channels"],
        # The schema advertises the API key only (tests/test_schema.py); HTTP Basic and the WS-Security
        # UsernameToken (in the SOAP header, which OpenAPI cannot name) are in the description.
        auth=[{"ApiKeyAuth": []}],
        parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     description="Channel code, e.g. BOOKING_COM")],
        request={"application/xml": OpenApiTypes.STR, "text/xml": OpenApiTypes.STR},
        examples=[OpenApiExample("Booking", value=EXAMPLE_RQ, request_only=True, media_type="application/xml")],
        responses={
            (200, "application/xml"): _xml(
                "Success: the reservation was made, changed or cancelled (or already was); or, for a channel whose "
                "profile asks for it, a business refusal (Errors).", EXAMPLE_RS),
            (200, "text/xml"): _xml("The same answer in a SOAP 1.1 envelope, to a request sent in one."),
            400: _xml("Malformed XML, a missing element, invalid dates or party (Errors)."),
            401: _xml("No or an invalid API key or channel credentials (Errors)."),
            403: _xml("FORBIDDEN: the API key is not this channel's (Errors)."),
            404: _xml("The message's HotelCode is not the channel's hotel, or no such reservation to change "
                      "(Errors)."),
            409: _xml("Sold out, restricted, or the reservation cannot be changed (Errors).", EXAMPLE_ERROR),
            415: _xml("Not application/xml or text/xml (Errors)."),
            429: _xml("Too many requests: see Retry-After (Errors)."),
        },
    )
    def post(self, request, code: str):
        if not hasattr(request.data, "tag"):  # no body, or a content type without a parser
            raise MalformedMessage("Send an OTA_HotelResNotifRQ as application/xml or text/xml.")
        opened = getattr(request, "ota_opened", None) or envelope_open(request.data)
        self.opened = opened
        self.echo_token = ota_xml.clean_text(opened.payload.get("EchoToken") or "", 64)
        profile = self.profile = profile_of(self.channel)
        notification = parse_res_notif(opened.payload, vocabulary=vocabulary_of(profile))
        self.echo_token = notification.echo_token
        channel = channel_for_inbound(code=code, hotels=[self.channel.hotel], property_code=notification.hotel_code)
        if channel.pk != self.channel.pk:
            profile = self.profile = profile_of(channel)
        result = channel_reservation_notify(channel=channel, notification=notification)
        answer = ota_xml.res_notif_rs_element(
            echo_token=notification.echo_token, timestamp=timezone.now(), action=result.action,
            external_reference=result.external_reference,
            confirmation_number=result.reservation.confirmation_number, message=self._answer_name(),
            channel_id_type=profile.channel_id_type or ota_xml.RES_ID_TYPE_CHANNEL,
            hotel_id_type=profile.hotel_id_type or ota_xml.RES_ID_TYPE_HOTEL)
        return self._respond(answer, status=200)

    def _answer_name(self) -> str:
        opened = getattr(self, "opened", None)
        if opened is not None and opened.payload.tag == MODIFY_NOTIF:
            return "OTA_HotelResModifyNotifRS"
        return "OTA_HotelResNotifRS"

    def _respond(self, answer, *, status: int) -> Response:
        opened = getattr(self, "opened", None) or getattr(self.request, "ota_opened", None)
        if opened is not None and opened.soap:
            return Response(envelope_wrap(answer), status=status, content_type=SOAP_CONTENT_TYPE)
        return Response(ota_xml.to_bytes(answer), status=status)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        error = response.data.get("error", {}) if isinstance(response.data, dict) else {}
        if isinstance(exc, DomainError):
            error = {"code": exc.code, "message": exc.message}
        if getattr(self, "opened", None) is None and hasattr(self.request, "ota_opened"):
            self.opened = self.request.ota_opened
        answer = ota_xml.res_notif_rs_element(
            echo_token=getattr(self, "echo_token", ""), timestamp=timezone.now(), message=self._answer_name(),
            errors=[(error.get("code", "SYSTEM_ERROR"), error.get("message", "The request could not be completed."))])
        profile = getattr(self, "profile", None)
        if profile is None and getattr(self, "channel", None) is not None:
            profile = profile_of(self.channel)  # the channel is known, its message was not readable
        status = response.status_code
        if (profile is not None and profile.error_style == ChannelProfile.ErrorStyle.OTA_ERRORS
                and status in _BUSINESS_STATUSES):
            status = 200
        out = self._respond(answer, status=status)
        for header in ("WWW-Authenticate", "Retry-After"):
            if header in response:
                out[header] = response[header]
        return out
