"""Inbound OpenTravel reservations: parse the document safely, answer OTA_HotelResNotifRS (the message itself
is read by channelmanager.inbound.message).

Parsing goes through defusedxml with DTDs forbidden, so no entity (external or nested, "billion laughs") is
ever expanded. The message may use the OTA 2003/05 namespace or none; names are read without it.
"""

import codecs
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from decimal import Decimal

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from hotelbooking.errors import (
    DomainError,
    MalformedMessage,
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


def clean_text(value: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; control characters have no business in names or codes.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", value)[:limit]


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
                 confirmation_number: str = "", errors: list[tuple[str, str]] | None = None, **kw) -> bytes:
    """OTA_HotelResNotifRS: Success with both reservation ids, or Errors/Error (Type, Code, ShortText)."""
    return to_bytes(res_notif_rs_element(echo_token=echo_token, timestamp=timestamp, action=action,
                                         external_reference=external_reference,
                                         confirmation_number=confirmation_number, errors=errors, **kw))


def res_notif_rs_element(*, echo_token: str, timestamp: datetime, action: str = "", external_reference: str = "",
                         confirmation_number: str = "", errors: list[tuple[str, str]] | None = None,
                         message: str = "OTA_HotelResNotifRS", channel_id_type: str = RES_ID_TYPE_CHANNEL,
                         hotel_id_type: str = RES_ID_TYPE_HOTEL, status_word: str = "",
                         room_numbers: tuple[str, ...] = ()) -> ET.Element:
    """The answer as an element (to send bare or in a SOAP envelope). `message` is OTA_HotelResNotifRS or
    OTA_HotelResModifyNotifRS; the id types are the channel's (its profile); `status_word` is the ResStatus
    echoed (the action by default); `room_numbers` are the other rooms' confirmation numbers."""
    root = ET.Element(q(message), {"xmlns": OTA_NS, "EchoToken": echo_token or "-",
                                   "TimeStamp": timestamp.isoformat(timespec="seconds"), "Version": OTA_VERSION})
    if errors:
        container = ET.SubElement(root, q("Errors"))
        for code, text in errors:
            kind, ota_code = ota_error_codes(code)
            error = ET.SubElement(container, q("Error"), {"Type": kind, "Code": ota_code, "ShortText": code})
            error.text = clean_text(text, 500)
        return root
    ET.SubElement(root, q("Success"))
    modify = message == "OTA_HotelResModifyNotifRS"
    reservations = ET.SubElement(root, q("HotelResModifies" if modify else "HotelReservations"))
    word = status_word or action
    res = ET.SubElement(reservations, q("HotelResModify" if modify else "HotelReservation"),
                        {"ResStatus": word} if word else {})
    ET.SubElement(res, q("UniqueID"), {"Type": channel_id_type, "ID": external_reference})
    ids = ET.SubElement(ET.SubElement(res, q("ResGlobalInfo")), q("HotelReservationIDs"))
    ET.SubElement(ids, q("HotelReservationID"), {"ResID_Type": channel_id_type, "ResID_Value": external_reference})
    ET.SubElement(ids, q("HotelReservationID"), {"ResID_Type": hotel_id_type, "ResID_Value": confirmation_number})
    for number in room_numbers:
        ET.SubElement(ids, q("HotelReservationID"), {"ResID_Type": hotel_id_type, "ResID_Value": number})
    return root


def response_errors(data: bytes) -> list[str]:
    """The errors an OTA's answer to our ARI message reports (empty when it reports none or is not XML)."""
    try:
        root = parse_document(data)
    except DomainError:
        return []
    return [f"{e.get('Code') or ''} {e.get('ShortText') or ''} {''.join(e.itertext()).strip()}".strip()
            for e in root.iter("Error")]

