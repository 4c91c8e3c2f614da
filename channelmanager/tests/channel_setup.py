"""Channels, bookings and message readers shared by the channel manager's tests."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

from bookings.events import event_deliver
from bookings.models import OutboxEvent
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from channelmanager.ari import OTA_NS
from channelmanager.models import Channel, RatePlanMapping, RoomTypeMapping
from inventory.models import RoomType
from pricing.models import RatePlan

NS = {"ota": OTA_NS}


def make_channel(hotel, code="BOOKING_COM", *, endpoint="http://127.0.0.1:9/ota", rooms=None, rates=None, **kw):
    channel = Channel.objects.create(hotel=hotel, code=code, name=kw.pop("name", code.title()),
                                     endpoint_url=endpoint, username=kw.pop("username", "gh-nyc"),
                                     password=kw.pop("password", "s3cret-pass"), **kw)
    rooms = {"DELUXE-KING": "DLXK", "STANDARD-QUEEN": "STDQ"} if rooms is None else rooms
    rates = {"BAR": "BAR-OTA", "AAA": "AAA-OTA"} if rates is None else rates
    for ours, theirs in rooms.items():
        RoomTypeMapping.objects.create(channel=channel, room_type=RoomType.objects.get(hotel=hotel, code=ours),
                                       channel_room_code=theirs)
    for ours, theirs in rates.items():
        RatePlanMapping.objects.create(channel=channel, rate_plan=RatePlan.objects.get(hotel=hotel, code=ours),
                                       channel_rate_code=theirs)
    return channel


def channel_client(channel):
    """An API client holding a key bound to `channel`: the only credentials its inbound messages are taken with."""
    from rest_framework.test import APIClient

    from channelmanager.services import channel_key_create

    _, key = channel_key_create(channel=channel, name=f"{channel.code} inbound")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def book(check_in, nights=3, room_type="DELUXE-KING", email="john@example.com", rooms=1):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code=room_type, rate_plan_code="BAR", check_in=check_in,
        check_out=check_in + timedelta(days=nights), adults=rooms, room_count=rooms,
        guest=GuestDetails("John", "Smith", email), card=Card("4242424242424242", 12, 2030, "123")),
        gateway=TestGateway())


def deliver_all_events() -> int:
    """What the outbox worker does after commit, here and now (tests run inside one transaction)."""
    ids = list(OutboxEvent.objects.filter(delivered_at__isnull=True).order_by("created_at")
               .values_list("pk", flat=True))
    for event_id in ids:
        assert event_deliver(event_id)
    return len(ids)


class RecordingTransport:
    """Stands in for HTTP: records what would be POSTed, answers like a happy OTA."""

    def __init__(self, status=200, body=b'<OTA_HotelAvailNotifRS xmlns="http://www.opentravel.org/OTA/2003/05">'
                 b"<Success/></OTA_HotelAvailNotifRS>"):
        self.status, self.body, self.sent = status, body, []

    def __call__(self, url, body, headers, timeout):
        self.sent.append((url, body, headers))
        return self.status, self.body

    def roots(self):
        return [ET.fromstring(body) for _, body, _ in self.sent]


def expand(root) -> dict:
    """AvailStatusMessages of an OTA_HotelAvailNotifRQ as {(InvTypeCode, date): {figures}}, one per night."""
    out: dict = {}
    for message in root.iterfind("ota:AvailStatusMessages/ota:AvailStatusMessage", NS):
        control = message.find("ota:StatusApplicationControl", NS)
        start, end = date.fromisoformat(control.get("Start")), date.fromisoformat(control.get("End"))
        restriction = message.find("ota:RestrictionStatus", NS)
        stay = message.find("ota:LengthsOfStay/ota:LengthOfStay", NS)
        for i in range((end - start).days + 1):
            figures = out.setdefault((control.get("InvTypeCode"), start + timedelta(days=i)), {})
            if message.get("BookingLimit") is not None:
                figures["limit"] = int(message.get("BookingLimit"))
                figures["min_stay"] = int(stay.get("Time"))
                figures["status"] = restriction.get("Status")
            else:
                figures[restriction.get("Restriction")] = restriction.get("Status")
    return out


def expand_rates(root) -> dict:
    """RateAmountMessages as {(InvTypeCode, RatePlanCode, date): (amount, currency)}, one per night."""
    out = {}
    for message in root.iterfind("ota:RateAmountMessages/ota:RateAmountMessage", NS):
        control = message.find("ota:StatusApplicationControl", NS)
        amount = message.find("ota:Rates/ota:Rate/ota:BaseByGuestAmts/ota:BaseByGuestAmt", NS)
        start, end = date.fromisoformat(control.get("Start")), date.fromisoformat(control.get("End"))
        for i in range((end - start).days + 1):
            out[(control.get("InvTypeCode"), control.get("RatePlanCode"), start + timedelta(days=i))] = (
                amount.get("AmountBeforeTax"), amount.get("CurrencyCode"))
    return out


def res_notif(reference="BDC-1001", *, status="Commit", check_in: date, nights=3, room="DLXK", rate="BAR-OTA",
              adults=2, children=(), units=1, hotel="NYC", email="anna@example.com", echo="echo-1") -> bytes:
    """An OTA_HotelResNotifRQ as channels send it."""
    kids = "".join(f'<GuestCount AgeQualifyingCode="8" Count="1" Age="{age}"/>' for age in children)
    check_out = check_in + timedelta(days=nights)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<OTA_HotelResNotifRQ xmlns="{OTA_NS}" EchoToken="{echo}" TimeStamp="2025-03-01T10:00:00Z" Version="1.0">
  <POS><Source><RequestorID Type="22" ID="BOOKING_COM"/></Source></POS>
  <HotelReservations>
    <HotelReservation ResStatus="{status}" CreateDateTime="2025-03-01T09:59:00Z">
      <UniqueID Type="14" ID="{reference}"/>
      <RoomStays><RoomStay>
        <RoomTypes><RoomType RoomTypeCode="{room}"/></RoomTypes>
        <RatePlans><RatePlan RatePlanCode="{rate}"/></RatePlans>
        <RoomRates><RoomRate RoomTypeCode="{room}" RatePlanCode="{rate}" NumberOfUnits="{units}"/></RoomRates>
        <GuestCounts><GuestCount AgeQualifyingCode="10" Count="{adults}"/>{kids}</GuestCounts>
        <TimeSpan Start="{check_in}" End="{check_out}"/>
        <Total AmountAfterTax="664.14" CurrencyCode="USD"/>
        <BasicPropertyInfo HotelCode="{hotel}"/>
      </RoomStay></RoomStays>
      <ResGuests><ResGuest><Profiles><ProfileInfo><Profile><Customer>
        <PersonName><GivenName>Anna</GivenName><Surname>Berg</Surname></PersonName>
        <Telephone PhoneNumber="+46 8 555 0100"/><Email>{email}</Email>
      </Customer></Profile></ProfileInfo></Profiles></ResGuest></ResGuests>
      <ResGlobalInfo><SpecialRequests><SpecialRequest><Text>High floor, please</Text></SpecialRequest>
      </SpecialRequests></ResGlobalInfo>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>""".encode()


def cancel_notif(reference="BDC-1001", echo="echo-c") -> bytes:
    return f"""<OTA_HotelResNotifRQ xmlns="{OTA_NS}" EchoToken="{echo}" Version="1.0">
  <HotelReservations><HotelReservation ResStatus="Cancel"><UniqueID Type="14" ID="{reference}"/>
  </HotelReservation></HotelReservations></OTA_HotelResNotifRQ>""".encode()


def read_rs(response) -> dict:
    """The parts of an OTA_HotelResNotifRS a channel reads."""
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{OTA_NS}}}OTA_HotelResNotifRS", response.content
    ids = {e.get("ResID_Type"): e.get("ResID_Value") for e in root.iterfind(".//ota:HotelReservationID", NS)}
    errors = [(e.get("Type"), e.get("Code"), e.get("ShortText"), e.text) for e in root.iterfind(".//ota:Error", NS)]
    return {"success": root.find("ota:Success", NS) is not None, "echo": root.get("EchoToken"),
            "confirmation": ids.get("10"), "reference": ids.get("14"), "errors": errors}


def expand_stay_rules(root) -> dict:
    """The master AvailStatusMessages' stay-length and lead-time figures, {(InvTypeCode, date): {figures}}."""
    out: dict = {}
    for message in root.iterfind("ota:AvailStatusMessages/ota:AvailStatusMessage[@BookingLimit]", NS):
        control = message.find("ota:StatusApplicationControl", NS)
        start, end = date.fromisoformat(control.get("Start")), date.fromisoformat(control.get("End"))
        stays = message.find("ota:LengthsOfStay", NS)
        lengths = {s.get("MinMaxMessageType"): int(s.get("Time")) for s in stays.iterfind("ota:LengthOfStay", NS)}
        restriction = message.find("ota:RestrictionStatus", NS)
        for i in range((end - start).days + 1):
            out[(control.get("InvTypeCode"), start + timedelta(days=i))] = {
                "arrival_based": stays.get("ArrivalDateBased"), **lengths,
                "min_lead": restriction.get("MinAdvancedBookingOffset"),
                "max_lead": restriction.get("MaxAdvancedBookingOffset")}
    return out
