"""What a channel's reservation message says: OTA_HotelResNotifRQ or OTA_HotelResModifyNotifRQ (2003B to 2015A
shapes), read into plain data. Nothing here touches the database; the channel's profile decides the words.

Every RoomStay is one room (several make a multi-room booking); its GuestCounts give the party, infants apart
when the profile says so. Guests, the booker, loyalty numbers, the arrival time, services, comments (guest-visible
ones as requests, `GuestViewable="false"` ones as staff notes) and the payment guarantee are read too. A card's
number and security code are never read into anything: only its brand, and a token where the channel sends one.
"""

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from hotelbooking.errors import InvalidDates, InvalidParty, MalformedMessage, RequiredFieldMissing, UnsupportedMessage

from ..ota_xml import _amount, clean_text

BOOK, MODIFY, CANCEL = "Book", "Modify", "Cancel"
# The ResStatus spellings published partners use; a channel's profile may add its own (res_status_words).
STATUS_WORDS = {"commit": BOOK, "book": BOOK, "reserved": BOOK, "new": BOOK, "confirmed": BOOK,
                "modify": MODIFY, "modified": MODIFY, "modification": MODIFY,
                "cancel": CANCEL, "cancelled": CANCEL, "canceled": CANCEL, "cancellation": CANCEL}
NOTIF, MODIFY_NOTIF = "OTA_HotelResNotifRQ", "OTA_HotelResModifyNotifRQ"
ROOTS = {NOTIF: ("HotelReservations/HotelReservation", BOOK),
         MODIFY_NOTIF: ("HotelResModifies/HotelResModify", MODIFY)}
AQC_INFANT, AQC_CHILD = "7", "8"
MAX_ROOM_STAYS = 9
_CARD_DIGITS = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    loyalty_number: str = ""

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class Party:
    adults: int = 1
    children: int = 0
    child_ages: tuple[int, ...] = ()  # every child's, or none when some are not given
    partial_ages: tuple[int, ...] = ()  # the ages given when not every child's is
    infants: int = 0
    infant_ages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Stay:
    """One RoomStay: one room (or NumberOfUnits rooms of one type, in a single-stay message)."""

    index: str
    room_type_code: str = ""
    rate_plan_code: str = ""
    check_in: date | None = None
    check_out: date | None = None
    party: Party = Party()
    units: int = 1
    total: Decimal | None = None
    currency: str = ""
    service_rphs: tuple[str, ...] = ()
    guest_rphs: tuple[str, ...] = ()  # the ResGuests staying in this room (ResGuest@ResGuestRPH)
    cancelled: bool = False


@dataclass(frozen=True)
class Service:
    code: str
    quantity: int = 1
    rph: str = ""


@dataclass(frozen=True)
class ResNotification:
    echo_token: str
    action: str
    external_reference: str
    hotel_code: str = ""
    message: str = NOTIF
    status_word: str = ""
    our_number: str = ""  # our confirmation number, when the channel quotes it back (Expedia's type 3)
    stays: tuple[Stay, ...] = ()
    guest: Person | None = None
    other_guests: tuple[Person, ...] = ()
    guests_by_rph: tuple[tuple[str, Person], ...] = ()
    booker: Person | None = None
    arrival_time: time | None = None
    special_requests: str = ""
    internal_notes: str = ""
    services: tuple[Service, ...] = ()
    guarantee: dict = field(default_factory=dict)
    total: Decimal | None = None
    currency: str = ""

    def fingerprint(self) -> str:
        """Everything the message asks, without its echo token: equal for a duplicate delivery."""
        data = repr((self.action, self.external_reference, self.hotel_code, self.stays, self.guest,
                     self.other_guests, self.guests_by_rph, self.booker, self.arrival_time, self.special_requests,
                     self.internal_notes, self.services, sorted(self.guarantee.items()), self.total, self.currency))
        return hashlib.sha256(data.encode()).hexdigest()

    # The first room's figures, as single-room code and older callers read them.
    @property
    def first(self) -> Stay:
        return self.stays[0] if self.stays else Stay(index="1")

    @property
    def room_type_code(self) -> str:
        return self.first.room_type_code

    @property
    def rate_plan_code(self) -> str:
        return self.first.rate_plan_code

    @property
    def check_in(self):
        return self.first.check_in

    @property
    def check_out(self):
        return self.first.check_out

    @property
    def room_count(self) -> int:
        return self.first.units if len(self.stays) == 1 else len(self.stays)


@dataclass(frozen=True)
class Vocabulary:
    """What the channel's profile says about reading its messages."""

    words: dict = field(default_factory=lambda: dict(STATUS_WORDS))
    channel_id_type: str = "14"
    hotel_id_type: str = "10"
    infants_apart: bool = True
    infant_max_age: int = 1


def _find(node, path):
    return None if node is None else node.find(path)


def _attr(node, name: str) -> str:
    return "" if node is None else (node.get(name) or "").strip()


def _text(node) -> str:
    return "" if node is None else "".join(node.itertext()).strip()


def _int(value: str, what: str, *, default: int) -> int:
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise InvalidParty(f"{what} must be a whole number, not {clean_text(value, 20)!r}.") from None
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


def card_numbers_removed(value: str) -> str:
    """Free text with anything shaped like a card number (13 to 19 digits) blanked: channels sometimes put a
    virtual card in a comment, and a card number has no place in our database."""
    return _CARD_DIGITS.sub("[card number removed]", value)


def _free_text(value: str, limit: int) -> str:
    return clean_text(card_numbers_removed(value), limit)


def parse(root: ET.Element, *, vocabulary: Vocabulary | None = None) -> ResNotification:
    """The message's one reservation, or a clear error (MALFORMED_REQUEST, REQUIRED_FIELD_MISSING, ...)."""
    v = vocabulary or Vocabulary()
    if root.tag not in ROOTS:
        raise MalformedMessage(f"Expected OTA_HotelResNotifRQ or OTA_HotelResModifyNotifRQ, got "
                               f"{clean_text(str(root.tag), 60)}.")
    path, default_action = ROOTS[root.tag]
    echo_token = clean_text(_attr(root, "EchoToken"), 64)
    reservations = root.findall(path)
    if not reservations:
        raise RequiredFieldMissing(f"{path} is required.")
    if len(reservations) > 1:
        raise UnsupportedMessage(f"Send one {path.split('/')[-1]} per message.")
    res = reservations[0]
    word = _attr(res, "ResStatus") or _attr(root, "ResStatus")
    if root.tag == MODIFY_NOTIF and word.lower() in ("commit", "initiate", ""):
        word = word or MODIFY  # OpenTravel's payload words on the modify message: a modification
        action = MODIFY
    else:
        action = v.words.get((word or default_action).lower())
    if action is None:
        raise UnsupportedMessage(f"ResStatus {clean_text(word, 30)} is not supported: use Commit, Book, Reserved, "
                                 "Modify or Cancel.")
    reference, our_number = _references(res, v)
    if not reference:
        raise RequiredFieldMissing("HotelReservation/UniqueID@ID (the channel's reservation id) is required.",
                                   field="UniqueID")
    hotel_code = clean_text(_attr(res.find(".//BasicPropertyInfo"), "HotelCode"), 40)
    common = dict(echo_token=echo_token, action=action, external_reference=reference, hotel_code=hotel_code,
                  message=root.tag, status_word=clean_text(word, 20), our_number=our_number)
    stays = tuple(_stay(s, i, v, needed=action != CANCEL)
                  for i, s in enumerate(res.findall("RoomStays/RoomStay"), start=1))
    if action == CANCEL:
        return ResNotification(**common, stays=stays)
    if not stays:
        raise RequiredFieldMissing("RoomStays/RoomStay is required.", field="RoomStay")
    if len(stays) > MAX_ROOM_STAYS:
        raise UnsupportedMessage(f"A reservation holds at most {MAX_ROOM_STAYS} RoomStays.")
    if len(stays) > 1 and any(s.units > 1 for s in stays):
        raise UnsupportedMessage("With several RoomStays, each is one room: send NumberOfUnits=\"1\".")
    guest, others, booker, arrival, by_rph = _guests(res)
    requests, notes = _comments(res)
    partial = [s for s in stays if s.party.partial_ages]
    if partial:
        notes = "\n".join(filter(None, [notes, *(
            f"Room {s.index}: child ages given by the channel {', '.join(map(str, s.party.partial_ages))} "
            f"(not every child's)" for s in partial)]))
    total_node = _find(res, "ResGlobalInfo/Total")
    totals = [s.total for s in stays]
    if total_node is not None:
        total, currency = _amount(_attr(total_node, "AmountAfterTax")), clean_text(
            _attr(total_node, "CurrencyCode"), 3).upper()
    elif all(t is not None for t in totals) and len({s.currency for s in stays}) == 1:
        total, currency = sum(totals, Decimal("0")), stays[0].currency
    else:
        total, currency = None, ""
    return ResNotification(
        **common, stays=stays, guest=guest, other_guests=others, guests_by_rph=by_rph, booker=booker,
        arrival_time=arrival,
        special_requests=requests, internal_notes=notes, services=_services(res), guarantee=_guarantee(res),
        total=total, currency=currency)


def _references(res: ET.Element, v: Vocabulary) -> tuple[str, str]:
    """The channel's reservation id (UniqueID, or the HotelReservationID of the channel's type) and our number
    if quoted back."""
    ids = {}
    for rid in res.findall("ResGlobalInfo/HotelReservationIDs/HotelReservationID"):
        ids.setdefault(_attr(rid, "ResID_Type"), clean_text(_attr(rid, "ResID_Value"), 100))
    theirs = ids.get(v.channel_id_type, "") if v.channel_id_type != "14" else ""
    reference = theirs or clean_text(_attr(_find(res, "UniqueID"), "ID"), 100) or ids.get(v.channel_id_type, "") \
        or ids.get("14", "")
    ours = ids.get(v.hotel_id_type, "") if v.hotel_id_type != v.channel_id_type else ""
    return reference, ours


def _stay(stay: ET.Element, ordinal: int, v: Vocabulary, *, needed: bool) -> Stay:
    index = clean_text(_attr(stay, "IndexNumber") or _attr(stay, "RPH") or str(ordinal), 20)
    status = (_attr(stay, "RoomStayStatus") or _attr(stay, "ResStatus") or _attr(stay, "Status")).lower()
    cancelled = v.words.get(status) == CANCEL
    if not needed or cancelled:
        return Stay(index=index, cancelled=cancelled)
    room_rate = _find(stay, "RoomRates/RoomRate")
    room_type = _find(stay, "RoomTypes/RoomType")
    room_type_code = _attr(room_type, "RoomTypeCode") or _attr(room_rate, "RoomTypeCode") or _attr(
        room_type, "RoomType")
    rate_plan_code = _attr(_find(stay, "RatePlans/RatePlan"), "RatePlanCode") or _attr(room_rate, "RatePlanCode")
    if not room_type_code:
        raise RequiredFieldMissing("RoomStay/RoomTypes/RoomType@RoomTypeCode is required.", field="RoomTypeCode")
    if not rate_plan_code:
        raise RequiredFieldMissing("RoomStay/RatePlans/RatePlan@RatePlanCode is required.", field="RatePlanCode")
    span = _find(stay, "TimeSpan")
    units = _attr(room_rate, "NumberOfUnits") or _attr(room_type, "NumberOfUnits")
    total_node = _find(stay, "Total")
    return Stay(
        index=index, room_type_code=clean_text(room_type_code, 40), rate_plan_code=clean_text(rate_plan_code, 40),
        check_in=_date(_attr(span, "Start"), "Start"), check_out=_date(_attr(span, "End"), "End"),
        party=_party(stay, v), units=_int(units, "NumberOfUnits", default=1),
        total=_amount(_attr(total_node, "AmountAfterTax")),
        currency=clean_text(_attr(total_node, "CurrencyCode"), 3).upper(),
        service_rphs=tuple(clean_text(_attr(s, "RPH"), 20) for s in stay.findall("ServiceRPHs/ServiceRPH")),
        guest_rphs=tuple(clean_text(_attr(g, "RPH"), 20) for g in stay.findall("ResGuestRPHs/ResGuestRPH")))


def _party(stay: ET.Element, v: Vocabulary) -> Party:
    counts = stay.findall("GuestCounts/GuestCount")
    if not counts:
        return Party(adults=1)
    adults, ages, unknown, infant_ages, infants = 0, [], 0, [], 0
    for count in counts:
        n = _int(_attr(count, "Count"), "GuestCount@Count", default=1)
        code = _attr(count, "AgeQualifyingCode")
        age_text = _attr(count, "Age")
        age = _int(age_text, "GuestCount@Age", default=0) if age_text else None
        if code not in (AQC_INFANT, AQC_CHILD):
            adults += n
            continue
        infant = v.infants_apart and (code == AQC_INFANT or (age is not None and age <= v.infant_max_age))
        if infant:
            infants += n
            if age is not None:
                infant_ages += [age] * n
        elif age is None:
            unknown += n
        else:
            ages += [age] * n
    children = len(ages) + unknown
    return Party(adults=adults, children=children, child_ages=tuple(ages) if not unknown else (),
                 partial_ages=tuple(ages) if unknown and ages else (), infants=infants, infant_ages=tuple(infant_ages))


def _person(customer: ET.Element | None) -> Person | None:
    if customer is None:
        return None
    name = _find(customer, "PersonName")
    first = clean_text(_text(_find(name, "GivenName")), 100)
    last = clean_text(_text(_find(name, "Surname")), 100)
    if not first and not last:
        return None
    email = clean_text(_text(_find(customer, "Email")), 254)
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        email = ""  # withheld by the channel: the booking gets a placeholder (inbound.book.placeholder_email)
    loyalty = _find(customer, "CustLoyalty")
    return Person(first_name=first, last_name=last, email=email,
                  phone=clean_text(_attr(_find(customer, "Telephone"), "PhoneNumber"), 40),
                  loyalty_number=clean_text(_attr(loyalty, "MembershipID"), 30))


def _guests(res: ET.Element):
    """(lead guest, other guests, booker, arrival time, {ResGuestRPH: guest}). The lead is the ResGuest marked
    primary, else the first; the booker is ResGlobalInfo's profile."""
    people, arrival, lead, by_rph = [], None, None, []
    for res_guest in res.findall("ResGuests/ResGuest"):
        arrival = arrival or _time(_attr(res_guest, "ArrivalTime"))
        for customer in res_guest.findall("Profiles/ProfileInfo/Profile/Customer"):
            person = _person(customer)
            if person is None:
                continue
            if lead is None and _attr(res_guest, "PrimaryIndicator").lower() in ("true", "1"):
                lead = person
            if _attr(res_guest, "ResGuestRPH") and person not in [p for _, p in by_rph]:
                by_rph.append((clean_text(_attr(res_guest, "ResGuestRPH"), 20), person))
            people.append(person)
    booker = _person(res.find("ResGlobalInfo/Profiles/ProfileInfo/Profile/Customer"))
    lead = lead or (people[0] if people else None) or booker or _person(res.find(".//Customer"))
    if lead is None or not lead.first_name or not lead.last_name:
        element = "GivenName" if lead is None or not lead.first_name else "Surname"
        raise RequiredFieldMissing(f"ResGuests/.../Customer/PersonName/{element} is required.", field=element)
    others = tuple(p for p in people if p is not lead and p != lead)
    if booker is not None and (booker.first_name, booker.last_name) == (lead.first_name, lead.last_name):
        booker = None
    return lead, others, booker, arrival, tuple(by_rph)


def _time(value: str) -> time | None:
    try:
        return time.fromisoformat(value[:8]) if value else None
    except ValueError:
        return None  # an arrival time we cannot read is left out rather than refusing the booking


def _comments(res: ET.Element) -> tuple[str, str]:
    """(guest-visible requests, hidden notes). A comment with GuestViewable="false" is for the hotel only."""
    visible = []
    for request in res.iter("SpecialRequest"):
        texts = request.findall("Text")
        visible.append("\n".join(_text(t) for t in texts) if texts else _text(request))
    hidden = []
    for comment in res.iter("Comment"):
        texts = [_text(t) for t in comment.findall("Text")] + [_text(t) for t in comment.findall("ListItem")]
        text = "\n".join(t for t in texts if t) or _text(comment)
        if _attr(comment, "GuestViewable").lower() in ("false", "0"):
            hidden.append(text)
        else:
            visible.append(text)
    return (_free_text("\n".join(p for p in visible if p), 2000), _free_text("\n".join(p for p in hidden if p), 4000))


def _services(res: ET.Element) -> tuple[Service, ...]:
    out = []
    for service in res.findall("Services/Service"):
        code = clean_text(_attr(service, "ServiceInventoryCode"), 40)
        if not code:
            continue
        try:
            quantity = max(1, min(99, int(_attr(service, "Quantity") or 1)))
        except ValueError:
            quantity = 1
        out.append(Service(code=code, quantity=quantity, rph=clean_text(_attr(service, "ServiceRPH"), 20)))
    return tuple(out)


def _guarantee(res: ET.Element) -> dict:
    """The payment guarantee as PCI lets us keep it: its type, the card's brand, a token if the channel sends
    one, and where the money is collected. The card number, expiry and security code are not read."""
    guarantee = res.find(".//Guarantee")
    card = res.find(".//PaymentCard")
    deposit = res.find(".//DepositPayments")
    out = {}
    if guarantee is not None:
        out["type"] = clean_text(_attr(guarantee, "GuaranteeType") or _attr(guarantee, "GuaranteeCode"), 40)
    if card is not None:
        number = _find(card, "CardNumber")
        token = _attr(number, "Token") or _attr(card, "Token") or _attr(_find(card, "CardNumber/Token"), "Value")
        virtual = any("virtual" in (card.get(a) or "").lower() for a in card.keys()) or \
            _attr(card, "CardType").lower() in ("virtual", "vcc", "3")
        out.update(kind="VIRTUAL_CARD" if virtual else "CARD",
                   card_brand=clean_text(_attr(card, "CardCode"), 4).upper(),
                   note="Card details are not stored: charge the card from the channel's extranet.")
        if token and not _CARD_DIGITS.fullmatch(token):
            out["token"] = clean_text(token, 100)
    elif deposit is not None or "prepa" in out.get("type", "").lower():
        out.update(kind="CHANNEL_COLLECT", note="Collected by the channel: invoice the channel.")
    return {k: v for k, v in out.items() if v}
