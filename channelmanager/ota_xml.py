"""Inbound OpenTravel reservations: parse OTA_HotelResNotifRQ safely, answer OTA_HotelResNotifRS.

Parsing goes through defusedxml with DTDs forbidden, so no entity (external or nested, "billion laughs") is
ever expanded. The message may use the OTA 2003/05 namespace or none; names are read without it.
"""

import codecs
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from hotelbooking.errors import (
    DomainError,
    InvalidDates,
    InvalidParty,
    MalformedMessage,
    RequiredFieldMissing,
    UnsupportedMessage,
    ValidationFailed,
)

from .ari import OTA_NS, OTA_VERSION, q, to_bytes

MAX_BYTES = 512 * 1024
# Character encodings a message may declare (codec names as Python normalises them). Python would otherwise
# hand any codec name to the parser: "rot13", "base64" or "hex" are not text encodings and fail with a
# LookupError deep in expat, and exotic ones such as "unicode_escape" would let a message hide its content.
TEXT_ENCODINGS = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "ascii", "latin-1", "iso8859-1", "cp1252"}
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']{0,60})["']""")
# xs:decimal, the type of OpenTravel's money attributes: no exponent, no NaN or Infinity, no sign but "+".
_AMOUNT = re.compile(r"\+?([0-9]{1,15}(\.[0-9]{0,6})?|\.[0-9]{1,6})")
MAX_AMOUNT = Decimal("1e9")

BOOK, MODIFY, CANCEL = "Book", "Modify", "Cancel"
_ACTIONS = {"book": BOOK, "commit": BOOK, "new": BOOK, "modify": MODIFY, "cancel": CANCEL}

# OpenTravel's UIT code list: 14 = reservation (the channel's id), 10 = hotel (our confirmation number).
RES_ID_TYPE_CHANNEL = "14"
RES_ID_TYPE_HOTEL = "10"


# Our error code -> (OpenTravel error type (EWT), OpenTravel error code (ERR)).
_OTA_ERRORS = {
    "SOLD_OUT": ("3", "322"),                # no availability
    "RESTRICTED": ("3", "322"),
    "UNKNOWN_ROOM_TYPE": ("3", "402"),       # invalid room type
    "UNKNOWN_RATE_PLAN": ("3", "249"),       # invalid rate code
    "RATE_NOT_AVAILABLE": ("3", "249"),
    "INVALID_DATES": ("3", "15"),            # invalid date
    "INVALID_PARTY": ("3", "397"),           # invalid number of adults
    "RESERVATION_NOT_FOUND": ("3", "245"),   # invalid confirmation number
    "MODIFICATION_NOT_ALLOWED": ("3", "450"),
    "CANCELLATION_NOT_ALLOWED": ("3", "450"),
    "CHANNEL_NOT_FOUND": ("6", "392"),       # invalid hotel code
    "HOTEL_NOT_FOUND": ("6", "392"),
    "NOT_FOUND": ("6", "392"),
    "AUTHENTICATION_REQUIRED": ("4", "497"),  # authorization error
    "FORBIDDEN": ("6", "497"),
    "REQUIRED_FIELD_MISSING": ("10", "321"),  # required field missing
    "MALFORMED_REQUEST": ("7", "450"),       # protocol violation, unable to process
    "UNSUPPORTED_MEDIA_TYPE": ("7", "450"),
    "UNSUPPORTED_MESSAGE": ("2", "450"),
    "VALIDATION_ERROR": ("7", "450"),
    "RATE_LIMITED": ("12", "187"),           # system currently unavailable
    "CONCURRENT_MODIFICATION": ("12", "187"),
    "SYSTEM_ERROR": ("13", "448"),           # system error
}


def ota_error_codes(code: str) -> tuple[str, str]:
    return _OTA_ERRORS.get(code, ("3", "450"))


@dataclass(frozen=True)
class Guest:
    first_name: str
    last_name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class ResNotification:
    echo_token: str
    action: str
    external_reference: str
    hotel_code: str = ""
    room_type_code: str = ""
    rate_plan_code: str = ""
    check_in: date | None = None
    check_out: date | None = None
    adults: int = 1
    children: int = 0
    child_ages: list[int] = field(default_factory=list)
    room_count: int = 1
    guest: Guest | None = None
    special_requests: str = ""
    total: Decimal | None = None
    currency: str = ""


def parse_document(data: bytes) -> ET.Element:
    """Parse untrusted XML: DTDs (and with them every entity) refused; namespaces dropped from names."""
    if not data or not data.strip():
        raise MalformedMessage("The body is empty: send an OTA_HotelResNotifRQ.")
    if len(data) > MAX_BYTES:
        raise MalformedMessage(f"The message is larger than {MAX_BYTES // 1024} KB.")
    _check_declared_encoding(data)
    try:
        root = safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise MalformedMessage("DTDs and entities are not accepted in OTA messages.") from None
    except LookupError:  # a codec the declaration check could not see (a declaration in UTF-16, say)
        raise MalformedMessage("The message declares an encoding that is not supported: use UTF-8.") from None
    except (ET.ParseError, ValueError, UnicodeError) as exc:
        raise MalformedMessage(f"The body is not well-formed XML: {str(exc)[:200]}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = element.tag.split("}", 1)[1]
    return root


def _check_declared_encoding(data: bytes) -> None:
    match = _DECLARED_ENCODING.match(data[:200].removeprefix(codecs.BOM_UTF8))
    if match is None:
        return  # no declaration (UTF-8), or one in a wide encoding, which expat reads itself
    name = match.group(1).decode("ascii", "replace").strip()
    try:
        known = codecs.lookup(name).name in TEXT_ENCODINGS
    except LookupError:
        known = False
    if not known:
        raise MalformedMessage(f"The message declares the encoding {clean_text(name, 40)!r}, which is not "
                               "supported: use UTF-8.")


def _find(node: ET.Element | None, path: str) -> ET.Element | None:
    return None if node is None else node.find(path)


def _attr(node: ET.Element | None, name: str) -> str:
    return "" if node is None else (node.get(name) or "").strip()


def _text(node: ET.Element | None) -> str:
    return "" if node is None else "".join(node.itertext()).strip()


def _int(value: str, what: str, *, default: int) -> int:
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidParty(f"{what} must be a whole number, not {value[:20]!r}.") from None
    if not 0 <= number <= 99:
        raise InvalidParty(f"{what} must be between 0 and 99.")
    return number


def _date(value: str, what: str) -> date:
    if not value:
        raise RequiredFieldMissing(f"RoomStay/TimeSpan@{what} is required (YYYY-MM-DD).", field=what)
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise InvalidDates(f"TimeSpan@{what} must be a date in the form YYYY-MM-DD.", field=what) from None


def clean_text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; control characters have no business in names or codes.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)[:limit]


def parse_res_notif(root: ET.Element) -> ResNotification:
    """What an OTA_HotelResNotifRQ asks: book (Commit/Book), modify or cancel one reservation."""
    if root.tag != "OTA_HotelResNotifRQ":
        raise MalformedMessage(f"Expected OTA_HotelResNotifRQ, got {clean_text(str(root.tag), 60)}.")
    echo_token = clean_text(_attr(root, "EchoToken"), 64)
    reservations = root.findall("HotelReservations/HotelReservation")
    if not reservations:
        raise RequiredFieldMissing("HotelReservations/HotelReservation is required.")
    if len(reservations) > 1:
        raise UnsupportedMessage("Send one HotelReservation per message.")
    res = reservations[0]
    status = _attr(res, "ResStatus") or _attr(root, "ResStatus") or BOOK
    action = _ACTIONS.get(status.lower())
    if action is None:
        raise UnsupportedMessage(f"ResStatus {clean_text(status, 30)} is not supported: use Commit, Book, Modify or "
                                 "Cancel.")
    reference = clean_text(_attr(_find(res, "UniqueID"), "ID"), 100)
    if not reference:
        for rid in res.findall("ResGlobalInfo/HotelReservationIDs/HotelReservationID"):
            if _attr(rid, "ResID_Type") == RES_ID_TYPE_CHANNEL:
                reference = clean_text(_attr(rid, "ResID_Value"), 100)
                break
    if not reference:
        raise RequiredFieldMissing("HotelReservation/UniqueID@ID (the channel's reservation id) is required.",
                                   field="UniqueID")
    hotel_code = clean_text(_attr(res.find(".//BasicPropertyInfo"), "HotelCode"), 40)
    if action == CANCEL:
        return ResNotification(echo_token=echo_token, action=action, external_reference=reference,
                               hotel_code=hotel_code)

    stays = res.findall("RoomStays/RoomStay")
    if not stays:
        raise RequiredFieldMissing("RoomStays/RoomStay is required.", field="RoomStay")
    if len(stays) > 1:
        raise UnsupportedMessage("Send one RoomStay per HotelReservation (one room type per reservation).")
    stay = stays[0]
    room_rate = _find(stay, "RoomRates/RoomRate")
    room_type_code = _attr(_find(stay, "RoomTypes/RoomType"), "RoomTypeCode") or _attr(room_rate, "RoomTypeCode")
    rate_plan_code = _attr(_find(stay, "RatePlans/RatePlan"), "RatePlanCode") or _attr(room_rate, "RatePlanCode")
    if not room_type_code:
        raise RequiredFieldMissing("RoomStay/RoomTypes/RoomType@RoomTypeCode is required.", field="RoomTypeCode")
    if not rate_plan_code:
        raise RequiredFieldMissing("RoomStay/RatePlans/RatePlan@RatePlanCode is required.", field="RatePlanCode")
    span = _find(stay, "TimeSpan")
    check_in, check_out = _date(_attr(span, "Start"), "Start"), _date(_attr(span, "End"), "End")
    units = _attr(room_rate, "NumberOfUnits") or _attr(_find(stay, "RoomTypes/RoomType"), "NumberOfUnits")
    room_count = _int(units, "NumberOfUnits", default=1)

    adults, children, ages, ages_known = 0, 0, [], True
    counts = stay.findall("GuestCounts/GuestCount")
    for count in counts:
        n = _int(_attr(count, "Count"), "GuestCount@Count", default=1)
        if _attr(count, "AgeQualifyingCode") in ("8", "7"):  # child, infant
            children += n
            age = _attr(count, "Age")
            if age:
                ages += [_int(age, "GuestCount@Age", default=0)] * n
            else:
                ages_known = False
        else:
            adults += n
    if not counts:
        adults = 1
    total_node = _find(stay, "Total")
    if total_node is None:
        total_node = _find(res, "ResGlobalInfo/Total")
    return ResNotification(
        echo_token=echo_token, action=action, external_reference=reference, hotel_code=hotel_code,
        room_type_code=clean_text(room_type_code, 40), rate_plan_code=clean_text(rate_plan_code, 40),
        check_in=check_in, check_out=check_out, adults=adults, children=children,
        child_ages=ages if ages_known else [], room_count=room_count, guest=_guest(res),
        special_requests=_special_requests(res), total=_amount(_attr(total_node, "AmountAfterTax")),
        currency=clean_text(_attr(total_node, "CurrencyCode"), 3).upper())


def _guest(res: ET.Element) -> Guest:
    customer = res.find("ResGuests/ResGuest/Profiles/ProfileInfo/Profile/Customer")
    if customer is None:
        customer = res.find(".//Customer")
    name = _find(customer, "PersonName")
    first = clean_text(_text(_find(name, "GivenName")), 100)
    last = clean_text(_text(_find(name, "Surname")), 100)
    for value, element in ((first, "GivenName"), (last, "Surname")):
        if not value:
            raise RequiredFieldMissing(f"ResGuests/.../Customer/PersonName/{element} is required.", field=element)
    email = clean_text(_text(_find(customer, "Email")), 254)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        email = ""  # withheld by the channel: the booking gets a placeholder (services.placeholder_email)
    phone = clean_text(_attr(_find(customer, "Telephone"), "PhoneNumber"), 40)
    return Guest(first_name=first, last_name=last, email=email, phone=phone)


def _special_requests(res: ET.Element) -> str:
    parts = [_text(t) for t in res.findall(".//SpecialRequests/SpecialRequest/Text")]
    parts += [_text(t) for t in res.findall(".//Comments/Comment/Text")]
    return clean_text("\n".join(p for p in parts if p), 2000)


def _amount(value: str) -> Decimal | None:
    """The channel's stated total, or None when it states none. Anything that is not a plain amount below
    MAX_AMOUNT (an exponent, NaN, Infinity, a negative number) is refused rather than taken as "no total"."""
    if not value:
        return None
    if not _AMOUNT.fullmatch(value) or Decimal(value) >= MAX_AMOUNT:
        raise ValidationFailed(f"Total@AmountAfterTax must be an amount such as 664.14 (not negative, below "
                               f"{MAX_AMOUNT:,.0f}, without an exponent), not {clean_text(value, 30)!r}.",
                               field="AmountAfterTax")
    return Decimal(value)


def res_notif_rs(*, echo_token: str, timestamp: datetime, action: str = "", external_reference: str = "",
                 confirmation_number: str = "", errors: list[tuple[str, str]] | None = None) -> bytes:
    """OTA_HotelResNotifRS: Success with both reservation ids, or Errors/Error (Type, Code, ShortText)."""
    root = ET.Element(q("OTA_HotelResNotifRS"), {"xmlns": OTA_NS, "EchoToken": echo_token or "-",
                                                 "TimeStamp": timestamp.isoformat(timespec="seconds"),
                                                 "Version": OTA_VERSION})
    if errors:
        container = ET.SubElement(root, q("Errors"))
        for code, message in errors:
            kind, ota_code = ota_error_codes(code)
            error = ET.SubElement(container, q("Error"), {"Type": kind, "Code": ota_code, "ShortText": code})
            error.text = clean_text(message, 500)
        return to_bytes(root)
    ET.SubElement(root, q("Success"))
    reservations = ET.SubElement(root, q("HotelReservations"))
    res = ET.SubElement(reservations, q("HotelReservation"), {"ResStatus": action} if action else {})
    ET.SubElement(res, q("UniqueID"), {"Type": RES_ID_TYPE_CHANNEL, "ID": external_reference})
    ids = ET.SubElement(ET.SubElement(res, q("ResGlobalInfo")), q("HotelReservationIDs"))
    ET.SubElement(ids, q("HotelReservationID"), {"ResID_Type": RES_ID_TYPE_CHANNEL, "ResID_Value": external_reference})
    ET.SubElement(ids, q("HotelReservationID"), {"ResID_Type": RES_ID_TYPE_HOTEL, "ResID_Value": confirmation_number})
    return to_bytes(root)


def response_errors(data: bytes) -> list[str]:
    """The errors an OTA's answer to our ARI message reports (empty when it reports none or is not XML)."""
    try:
        root = parse_document(data)
    except DomainError:
        return []
    return [f"{_attr(e, 'Code')} {_attr(e, 'ShortText')} {_text(e)}".strip() for e in root.iter("Error")]

