"""Reservation messages in the shapes channel managers and OTAs publish (OpenTravel 2003B-2015A, SOAP 1.1 with a
WS-Security UsernameToken, SiteMinder-style ResStatus words, Expedia-style ResID types 8 and 3 and the modify
message). Our own fixtures, written from the public element lists: every value here is made up."""

import base64
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, timedelta

from channelmanager.ari import OTA_NS

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
                 "#PasswordText")
NS = {"ota": OTA_NS, "soap": SOAP}
# A test card number (the networks' published test range); it must never reach our database.
CARD = "4111111111111111"


@dataclass
class Room:
    room: str = "DLXK"
    rate: str = "BAR-OTA"
    adults: int = 2
    children: tuple = ()          # ages; AgeQualifyingCode 8
    infants: tuple = ()           # ages; AgeQualifyingCode 7
    total: str | None = None
    currency: str = "USD"
    index: str | None = None
    status: str = ""              # RoomStayStatus, e.g. "Cancelled"
    services: tuple = ()          # ServiceRPHs
    units: int = 1
    guests: tuple = ()            # ResGuestRPHs: who sleeps in this room


@dataclass
class Guest:
    first: str = "Anna"
    last: str = "Berg"
    email: str = "anna@example.com"
    phone: str = "+46 8 555 0100"
    loyalty: str = ""
    primary: bool = False
    rph: str = ""


@dataclass
class Message:
    reference: str = "SM-5001"
    status: str = "Commit"
    check_in: date | None = None
    nights: int = 3
    rooms: list = field(default_factory=lambda: [Room()])
    guests: list = field(default_factory=lambda: [Guest()])
    booker: Guest | None = None
    arrival: str = ""
    requests: tuple = ()
    comments: tuple = ()          # (text, guest_viewable)
    services: tuple = ()          # (code, quantity, rph)
    card: bool = False
    total: str | None = None      # ResGlobalInfo/Total
    currency: str = "USD"
    hotel: str = "NYC"
    echo: str = "echo-sm-1"
    root: str = "OTA_HotelResNotifRQ"
    id_type: str | None = None    # the channel's reference as HotelReservationID of this type, not UniqueID
    our_number: tuple | None = None  # (type, value) of our confirmation number, quoted back


def _sub(parent, tag, attrs=None, text=None):
    element = ET.SubElement(parent, tag, {k: str(v) for k, v in (attrs or {}).items() if v not in (None, "")})
    if text is not None:
        element.text = text
    return element


def _customer(parent, g: Guest):
    customer = _sub(_sub(_sub(_sub(parent, "Profiles"), "ProfileInfo"), "Profile", {"ProfileType": "1"}), "Customer")
    name = _sub(customer, "PersonName")
    _sub(name, "GivenName", text=g.first)
    _sub(name, "Surname", text=g.last)
    if g.phone:
        _sub(customer, "Telephone", {"PhoneNumber": g.phone})
    if g.email:
        _sub(customer, "Email", text=g.email)
    if g.loyalty:
        _sub(customer, "CustLoyalty", {"ProgramID": "REWARDS", "MembershipID": g.loyalty})


def ota(m: Message) -> ET.Element:
    modify = m.root == "OTA_HotelResModifyNotifRQ"
    root = ET.Element(m.root, {"xmlns": OTA_NS, "EchoToken": m.echo, "TimeStamp": "2026-01-05T10:00:00Z",
                               "Version": "1.003"})
    _sub(_sub(_sub(root, "POS"), "Source"), "RequestorID", {"Type": "22", "ID": "CHANNEL"})
    res = _sub(_sub(root, "HotelResModifies" if modify else "HotelReservations"),
               "HotelResModify" if modify else "HotelReservation",
               {"ResStatus": m.status, "CreateDateTime": "2026-01-05T09:59:00Z"})
    if m.id_type is None:
        _sub(res, "UniqueID", {"Type": "14", "ID": m.reference})
    check_out = m.check_in + timedelta(days=m.nights)
    stays = _sub(res, "RoomStays")
    for i, r in enumerate(m.rooms, start=1):
        stay = _sub(stays, "RoomStay", {"IndexNumber": r.index or str(i), "RoomStayStatus": r.status})
        _sub(_sub(stay, "RoomTypes"), "RoomType", {"RoomTypeCode": r.room})
        _sub(_sub(stay, "RatePlans"), "RatePlan", {"RatePlanCode": r.rate})
        _sub(_sub(stay, "RoomRates"), "RoomRate", {"RoomTypeCode": r.room, "RatePlanCode": r.rate,
                                                   "NumberOfUnits": r.units})
        counts = _sub(stay, "GuestCounts")
        _sub(counts, "GuestCount", {"AgeQualifyingCode": "10", "Count": r.adults})
        for age in r.children:
            _sub(counts, "GuestCount", {"AgeQualifyingCode": "8", "Count": 1, "Age": age})
        for age in r.infants:
            _sub(counts, "GuestCount", {"AgeQualifyingCode": "7", "Count": 1, "Age": age})
        _sub(stay, "TimeSpan", {"Start": m.check_in.isoformat(), "End": check_out.isoformat()})
        if r.total is not None:
            _sub(stay, "Total", {"AmountAfterTax": r.total, "CurrencyCode": r.currency})
        if r.guests:
            guest_rphs = _sub(stay, "ResGuestRPHs")
            for rph in r.guests:
                _sub(guest_rphs, "ResGuestRPH", {"RPH": rph})
        if r.services:
            rphs = _sub(stay, "ServiceRPHs")
            for rph in r.services:
                _sub(rphs, "ServiceRPH", {"RPH": rph})
        _sub(stay, "BasicPropertyInfo", {"HotelCode": m.hotel})
    if m.services:
        services = _sub(res, "Services")
        for code, quantity, rph in m.services:
            _sub(services, "Service", {"ServiceInventoryCode": code, "Quantity": quantity, "ServiceRPH": rph})
    guests = _sub(res, "ResGuests")
    for g in m.guests:
        res_guest = _sub(guests, "ResGuest", {"ArrivalTime": m.arrival if g is m.guests[0] else "",
                                              "PrimaryIndicator": "true" if g.primary else "",
                                              "ResGuestRPH": g.rph})
        _customer(res_guest, g)
    info = _sub(res, "ResGlobalInfo")
    if m.comments:
        comments = _sub(info, "Comments")
        for text, viewable in m.comments:
            _sub(_sub(comments, "Comment", {"GuestViewable": "true" if viewable else "false"}), "Text", text=text)
    if m.requests:
        requests = _sub(info, "SpecialRequests")
        for text in m.requests:
            _sub(_sub(requests, "SpecialRequest"), "Text", text=text)
    if m.card:
        accepted = _sub(_sub(_sub(info, "Guarantee", {"GuaranteeType": "PrePay"}), "GuaranteesAccepted"),
                        "GuaranteeAccepted")
        card = _sub(accepted, "PaymentCard", {"CardCode": "VI", "CardNumber": CARD, "ExpireDate": "1230",
                                              "SeriesCode": "737", "CardType": "Virtual"})
        _sub(card, "CardHolderName", text="Virtual Card")
    if m.total is not None:
        _sub(info, "Total", {"AmountAfterTax": m.total, "CurrencyCode": m.currency})
    ids = _sub(info, "HotelReservationIDs")
    if m.id_type is not None:
        _sub(ids, "HotelReservationID", {"ResID_Type": m.id_type, "ResID_Value": m.reference})
    if m.our_number:
        _sub(ids, "HotelReservationID", {"ResID_Type": m.our_number[0], "ResID_Value": m.our_number[1]})
    if m.booker is not None:
        _customer(info, m.booker)
    return root


def bare(m: Message) -> bytes:
    return ET.tostring(ota(m), encoding="utf-8", xml_declaration=True)


def soap(m: Message, *, username: str | None = None, password: str | None = None,
         password_type: str = PASSWORD_TEXT) -> bytes:
    """The message as the Body of a SOAP 1.1 envelope, with a WS-Security UsernameToken when credentials are given."""
    envelope = ET.Element(f"{{{SOAP}}}Envelope")
    header = ET.SubElement(envelope, f"{{{SOAP}}}Header")
    if username is not None:
        token = ET.SubElement(ET.SubElement(header, f"{{{WSSE}}}Security"), f"{{{WSSE}}}UsernameToken")
        ET.SubElement(token, f"{{{WSSE}}}Username").text = username
        ET.SubElement(token, f"{{{WSSE}}}Password", {"Type": password_type}).text = password
    ET.SubElement(envelope, f"{{{SOAP}}}Body").append(ota(m))
    return ET.tostring(envelope, encoding="utf-8", xml_declaration=True)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def read_answer(response) -> dict:
    """What a channel reads of our answer, bare or in its SOAP envelope."""
    root = ET.fromstring(response.content)
    soap_wrapped = root.tag == f"{{{SOAP}}}Envelope"
    if soap_wrapped:
        root = list(root.find("soap:Body", NS))[0]
    ids = [(e.get("ResID_Type"), e.get("ResID_Value")) for e in root.iterfind(".//ota:HotelReservationID", NS)]
    errors = [(e.get("Type"), e.get("Code"), e.get("ShortText"), e.text) for e in root.iterfind(".//ota:Error", NS)]
    unique = root.find(".//ota:UniqueID", NS)
    return {"soap": soap_wrapped, "name": root.tag.split("}")[1], "success": root.find("ota:Success", NS) is not None,
            "ids": ids, "errors": errors, "echo": root.get("EchoToken"),
            "unique_type": unique.get("Type") if unique is not None else None}
