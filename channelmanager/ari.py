"""OpenTravel (2003/05) ARI messages: OTA_HotelAvailNotifRQ and OTA_HotelRateAmountNotifRQ.

Pure builders: they take the state to send and return XML bytes. Consecutive nights with the same figures are
sent as one date range (StatusApplicationControl Start..End, both inclusive), which loses nothing.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from hotelbooking.money import round_money

OTA_NS = "http://www.opentravel.org/OTA/2003/05"
OTA_VERSION = "1.0"
# OpenTravel's UIT code list: 10 = hotel.
REQUESTOR_TYPE_HOTEL = "10"
# MaxAdvancedBookingOffset has no "no limit": lifting a maximum lead time sends this, beyond any open inventory.
NO_MAX_LEAD_DAYS = 999


def q(tag: str) -> str:
    """An OpenTravel element's name. Elements are written unqualified under the root's default namespace
    (xmlns), since ElementTree's default_namespace option refuses unqualified attributes."""
    return tag


@dataclass(frozen=True)
class Credentials:
    username: str
    secret: str

    def masked(self) -> "Credentials":
        return Credentials(mask(self.username, keep=2), mask(self.secret))


def mask(value: str, *, keep: int = 0) -> str:
    if not value:
        return ""
    return value[:keep] + "***"


@dataclass(frozen=True)
class AvailDay:
    """What a channel may sell of one room type on one night."""

    date: date
    booking_limit: int
    stop_sell: bool = False
    closed_to_arrival: bool = False
    closed_to_departure: bool = False
    min_stay: int | None = None
    max_stay: int | None = None
    min_advance_days: int | None = None
    max_advance_days: int | None = None

    def figures(self) -> tuple:
        return (self.booking_limit, self.stop_sell, self.closed_to_arrival, self.closed_to_departure,
                self.min_stay or 1, self.max_stay, self.min_advance_days or 0, self.max_advance_days)


@dataclass(frozen=True)
class RateDay:
    date: date
    amount: Decimal


def runs(items: Iterable, *, key: Callable) -> list[tuple[date, date, list]]:
    """Group items (with a .date) into runs of consecutive nights with the same key: (start, end, items)."""
    out: list[tuple[date, date, list]] = []
    for item in sorted(items, key=lambda i: i.date):
        if out and out[-1][1] + timedelta(days=1) == item.date and key(out[-1][2][0]) == key(item):
            start, _, group = out[-1]
            group.append(item)
            out[-1] = (start, item.date, group)
        else:
            out.append((item.date, item.date, [item]))
    return out


def _root(name: str, *, echo_token: str, timestamp: datetime, credentials: Credentials) -> ET.Element:
    root = ET.Element(q(name), {"xmlns": OTA_NS, "EchoToken": echo_token,
                                "TimeStamp": timestamp.isoformat(timespec="seconds"), "Version": OTA_VERSION})
    pos = ET.SubElement(root, q("POS"))
    source = ET.SubElement(pos, q("Source"))
    attrs = {"Type": REQUESTOR_TYPE_HOTEL, "ID": credentials.username or "-"}
    if credentials.secret:
        attrs["MessagePassword"] = credentials.secret
    ET.SubElement(source, q("RequestorID"), attrs)
    return root


def to_bytes(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def avail_notif(*, hotel_code: str, inv_type_code: str, days: list[AvailDay], echo_token: str,
                timestamp: datetime, credentials: Credentials, arrival_based: bool = True,
                max_nights: int | None = None) -> bytes:
    """OTA_HotelAvailNotifRQ: rooms left to sell (BookingLimit) and restrictions, per run of nights.

    Each run gets three AvailStatusMessages (the schema allows one RestrictionStatus per message): the
    master status with BookingLimit, minimum and maximum stay (LengthsOfStay@ArrivalDateBased says whether
    they count on the arrival night or on every night, as the hotel's rule does) and the lead times
    (RestrictionStatus@Min/MaxAdvancedBookingOffset, in days); arrival; and departure. Open restrictions are
    sent explicitly, so lifting one at the hotel lifts it at the channel: minimum stay 1, maximum stay
    `max_nights` (the longest stay bookable at all), lead time from 0 to NO_MAX_LEAD_DAYS days.
    """
    root = _root("OTA_HotelAvailNotifRQ", echo_token=echo_token, timestamp=timestamp, credentials=credentials)
    messages = ET.SubElement(root, q("AvailStatusMessages"), {"HotelCode": hotel_code})
    for start, end, group in runs(days, key=AvailDay.figures):
        day = group[0]
        control = {"Start": start.isoformat(), "End": end.isoformat(), "InvTypeCode": inv_type_code}
        master = ET.SubElement(messages, q("AvailStatusMessage"),
                               {"BookingLimit": str(max(0, day.booking_limit)), "BookingLimitMessageType": "SetLimit"})
        ET.SubElement(master, q("StatusApplicationControl"), control)
        stays = ET.SubElement(master, q("LengthsOfStay"), {"ArrivalDateBased": "true" if arrival_based else "false"})
        ET.SubElement(stays, q("LengthOfStay"), {"MinMaxMessageType": "SetMinLOS", "Time": str(day.min_stay or 1),
                                                 "TimeUnit": "Day"})
        longest = day.max_stay or max_nights
        if longest:
            ET.SubElement(stays, q("LengthOfStay"), {"MinMaxMessageType": "SetMaxLOS", "Time": str(longest),
                                                     "TimeUnit": "Day"})
        furthest = NO_MAX_LEAD_DAYS if day.max_advance_days is None else day.max_advance_days
        ET.SubElement(master, q("RestrictionStatus"), {
            "Status": "Close" if day.stop_sell else "Open",
            "MinAdvancedBookingOffset": f"P{day.min_advance_days or 0}D", "MaxAdvancedBookingOffset": f"P{furthest}D"})
        for restriction, closed in (("Arrival", day.closed_to_arrival), ("Departure", day.closed_to_departure)):
            message = ET.SubElement(messages, q("AvailStatusMessage"))
            ET.SubElement(message, q("StatusApplicationControl"), control)
            ET.SubElement(message, q("RestrictionStatus"),
                          {"Restriction": restriction, "Status": "Close" if closed else "Open"})
    return to_bytes(root)


def rate_amount_notif(*, hotel_code: str, inv_type_code: str, currency: str, plans: dict[str, list[RateDay]],
                      echo_token: str, timestamp: datetime, credentials: Credentials) -> bytes:
    """OTA_HotelRateAmountNotifRQ: the nightly rate of each mapped rate plan (before tax, per room), per run."""
    root = _root("OTA_HotelRateAmountNotifRQ", echo_token=echo_token, timestamp=timestamp, credentials=credentials)
    messages = ET.SubElement(root, q("RateAmountMessages"), {"HotelCode": hotel_code})
    for rate_code, days in plans.items():
        for start, end, group in runs(days, key=lambda d: d.amount):
            message = ET.SubElement(messages, q("RateAmountMessage"))
            ET.SubElement(message, q("StatusApplicationControl"), {
                "Start": start.isoformat(), "End": end.isoformat(), "InvTypeCode": inv_type_code,
                "RatePlanCode": rate_code})
            rates = ET.SubElement(message, q("Rates"))
            rate = ET.SubElement(rates, q("Rate"))
            amounts = ET.SubElement(rate, q("BaseByGuestAmts"))
            ET.SubElement(amounts, q("BaseByGuestAmt"), {
                "AmountBeforeTax": str(round_money(group[0].amount, currency)), "CurrencyCode": currency})
    return to_bytes(root)
