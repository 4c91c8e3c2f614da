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
        return (self.booking_limit, *self.restrictions())

    def restrictions(self) -> tuple:
        return (self.stop_sell, self.closed_to_arrival, self.closed_to_departure, self.min_stay or 1, self.max_stay,
                self.min_advance_days or 0, self.max_advance_days)


@dataclass(frozen=True)
class TaxAmount:
    """One tax on a nightly amount: on top of AmountBeforeTax, inside AmountAfterTax."""

    name: str
    amount: Decimal
    percent: Decimal | None = None


@dataclass(frozen=True)
class FeeAmount:
    """A fee the guest pays: `per` says for what ("room per night", "guest per night", "room per stay");
    `in_after_tax` when AmountAfterTax holds it (the nightly ones)."""

    name: str
    amount: Decimal
    per: str
    in_after_tax: bool = False


@dataclass(frozen=True)
class GuestAmount:
    """The price of one room for one night: for `guests` adults, or (None) for the room whoever stays."""

    guests: int | None
    before_tax: Decimal
    after_tax: Decimal
    taxes: tuple[TaxAmount, ...] = ()


@dataclass(frozen=True)
class AdditionalAmount:
    """What one more guest adds a night: an adult beyond those priced (AgeQualifyingCode 10) or a child of an
    age band (8, MinAge..MaxAge)."""

    age_qualifying_code: str
    before_tax: Decimal
    after_tax: Decimal
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class RateDay:
    """One night of one rate plan and room type: `amount` is the room's price before tax; `guests`, when given,
    the amounts to send (one per occupancy); `additional` and `fees` what else the channel is told."""

    date: date
    amount: Decimal
    guests: tuple[GuestAmount, ...] = ()
    additional: tuple[AdditionalAmount, ...] = ()
    fees: tuple[FeeAmount, ...] = ()

    def figures(self) -> tuple:
        return (self.amount, self.guests, self.additional, self.fees)


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


def avail_notif(*, hotel_code: str, inv_type_code: str, plans: dict[str | None, list[AvailDay]], echo_token: str,
                timestamp: datetime, credentials: Credentials, arrival_based: bool = True,
                max_nights: int | None = None, limit_per_room_type: bool = False) -> bytes:
    """OTA_HotelAvailNotifRQ: per rate plan (`plans`, keyed by the channel's RatePlanCode; None: the room type
    alone, for a channel with no plan mapped) and run of nights with the same figures, the complete state.

    Each run is one StatusApplicationControl (Start, End, InvTypeCode, RatePlanCode) repeated on the run's
    AvailStatusMessages, all sent together: the first carries BookingLimit (rooms left), the status (open, or
    closed by a stop-sell or a plan off sale), minimum and maximum stay (LengthsOfStay@ArrivalDateBased says
    whether they count on the arrival night or on every night, as the hotel's rule does) and the lead times
    (Min/MaxAdvancedBookingOffset, in days); then closed to arrival and closed to departure, each in a message
    of its own because the schema allows one RestrictionStatus per AvailStatusMessage. Open restrictions are
    sent explicitly, so lifting one at the hotel lifts it at the channel: minimum stay 1, maximum stay
    `max_nights` (the longest stay bookable at all), lead time from 0 to NO_MAX_LEAD_DAYS days.

    `limit_per_room_type`: the rooms left go first, once per run for the room type (BookingLimit with no
    RatePlanCode: one pool for every plan, as channels that keep availability per room type read it), and the
    plans' messages carry their status and restrictions only.
    """
    root = _root("OTA_HotelAvailNotifRQ", echo_token=echo_token, timestamp=timestamp, credentials=credentials)
    messages = ET.SubElement(root, q("AvailStatusMessages"), {"HotelCode": hotel_code})
    pooled = limit_per_room_type and any(plans)
    if pooled:
        for start, end, group in runs(next(iter(plans.values())), key=lambda d: d.booking_limit):
            limit = ET.SubElement(messages, q("AvailStatusMessage"), {
                "BookingLimit": str(max(0, group[0].booking_limit)), "BookingLimitMessageType": "SetLimit"})
            ET.SubElement(limit, q("StatusApplicationControl"), {
                "Start": start.isoformat(), "End": end.isoformat(), "InvTypeCode": inv_type_code})
    for rate_code, days in plans.items():
        for start, end, group in runs(days, key=AvailDay.restrictions if pooled else AvailDay.figures):
            day = group[0]
            control = {"Start": start.isoformat(), "End": end.isoformat(), "InvTypeCode": inv_type_code}
            if rate_code:
                control["RatePlanCode"] = rate_code
            limit = {} if pooled else {"BookingLimit": str(max(0, day.booking_limit)),
                                       "BookingLimitMessageType": "SetLimit"}
            master = ET.SubElement(messages, q("AvailStatusMessage"), limit)
            ET.SubElement(master, q("StatusApplicationControl"), control)
            stays = ET.SubElement(master, q("LengthsOfStay"),
                                  {"ArrivalDateBased": "true" if arrival_based else "false"})
            ET.SubElement(stays, q("LengthOfStay"), {"MinMaxMessageType": "SetMinLOS", "Time": str(day.min_stay or 1),
                                                     "TimeUnit": "Day"})
            longest = day.max_stay or max_nights
            if longest:
                ET.SubElement(stays, q("LengthOfStay"), {"MinMaxMessageType": "SetMaxLOS", "Time": str(longest),
                                                         "TimeUnit": "Day"})
            furthest = NO_MAX_LEAD_DAYS if day.max_advance_days is None else day.max_advance_days
            ET.SubElement(master, q("RestrictionStatus"), {
                "Status": "Close" if day.stop_sell else "Open",
                "MinAdvancedBookingOffset": f"P{day.min_advance_days or 0}D",
                "MaxAdvancedBookingOffset": f"P{furthest}D"})
            for restriction, closed in (("Arrival", day.closed_to_arrival), ("Departure", day.closed_to_departure)):
                message = ET.SubElement(messages, q("AvailStatusMessage"))
                ET.SubElement(message, q("StatusApplicationControl"), control)
                ET.SubElement(message, q("RestrictionStatus"),
                              {"Restriction": restriction, "Status": "Close" if closed else "Open"})
    return to_bytes(root)


BEFORE_TAX, AFTER_TAX, BOTH = "BEFORE_TAX", "AFTER_TAX", "BOTH"   # Channel.RateAmounts


def rate_amount_notif(*, hotel_code: str, inv_type_code: str, currency: str, plans: dict[str, list[RateDay]],
                      echo_token: str, timestamp: datetime, credentials: Credentials, amounts: str = BEFORE_TAX,
                      tax_details: bool = False) -> bytes:
    """OTA_HotelRateAmountNotifRQ: each mapped rate plan's nightly prices per room, per run of nights.

    `amounts` says which of AmountBeforeTax and AmountAfterTax a BaseByGuestAmt carries (the channel's choice);
    a night priced per occupancy has one BaseByGuestAmt per number of adults (NumberOfGuests,
    AgeQualifyingCode 10) and AdditionalGuestAmounts for a further adult and for children by age (Amount after
    tax, TaxInclusive, when the channel takes after-tax amounts). `tax_details` adds each BaseByGuestAmt's
    Taxes and the Rate's Fees (nightly ones Type Inclusive when inside AmountAfterTax; per-stay ones, never in
    a nightly amount, Exclusive).
    """
    root = _root("OTA_HotelRateAmountNotifRQ", echo_token=echo_token, timestamp=timestamp, credentials=credentials)
    messages = ET.SubElement(root, q("RateAmountMessages"), {"HotelCode": hotel_code})
    m = _money(currency)
    for rate_code, days in plans.items():
        for start, end, group in runs(days, key=RateDay.figures):
            day = group[0]
            message = ET.SubElement(messages, q("RateAmountMessage"))
            ET.SubElement(message, q("StatusApplicationControl"), {
                "Start": start.isoformat(), "End": end.isoformat(), "InvTypeCode": inv_type_code,
                "RatePlanCode": rate_code})
            rate = ET.SubElement(ET.SubElement(message, q("Rates")), q("Rate"))
            by_guest = ET.SubElement(rate, q("BaseByGuestAmts"))
            for amount in day.guests or (GuestAmount(None, day.amount, day.amount),):
                _base_by_guest(by_guest, amount, currency=currency, amounts=amounts, tax_details=tax_details, m=m)
            if day.additional:
                extra = ET.SubElement(rate, q("AdditionalGuestAmounts"))
                for add in day.additional:
                    after = amounts == AFTER_TAX
                    attrs = {"AgeQualifyingCode": add.age_qualifying_code,
                             "Amount": m(add.after_tax if after else add.before_tax), "CurrencyCode": currency,
                             "TaxInclusive": "true" if after else "false"}
                    if add.min_age is not None:
                        attrs["MinAge"] = str(add.min_age)
                    if add.max_age is not None:
                        attrs["MaxAge"] = str(add.max_age)
                    ET.SubElement(extra, q("AdditionalGuestAmount"), attrs)
            if tax_details and day.fees:
                fees = ET.SubElement(rate, q("Fees"))
                for fee in day.fees:
                    inside = fee.in_after_tax and amounts != BEFORE_TAX
                    element = ET.SubElement(fees, q("Fee"), {
                        "Amount": m(fee.amount), "CurrencyCode": currency, "MandatoryIndicator": "true",
                        "Type": "Inclusive" if inside else "Exclusive"})
                    description = ET.SubElement(element, q("Description"), {"Name": fee.name})
                    ET.SubElement(description, q("Text")).text = f"per {fee.per}"
    return to_bytes(root)


def _money(currency: str) -> Callable[[Decimal], str]:
    return lambda amount: str(round_money(amount, currency))


def _base_by_guest(parent: ET.Element, amount: GuestAmount, *, currency: str, amounts: str, tax_details: bool,
                   m) -> None:
    attrs = {}
    if amount.guests is not None:
        attrs.update({"AgeQualifyingCode": "10", "NumberOfGuests": str(amount.guests)})
    if amounts in (BEFORE_TAX, BOTH):
        attrs["AmountBeforeTax"] = m(amount.before_tax)
    if amounts in (AFTER_TAX, BOTH):
        attrs["AmountAfterTax"] = m(amount.after_tax)
    attrs["CurrencyCode"] = currency
    element = ET.SubElement(parent, q("BaseByGuestAmt"), attrs)
    if tax_details and amount.taxes:
        taxes = ET.SubElement(element, q("Taxes"), {"Amount": m(sum((t.amount for t in amount.taxes), Decimal(0))),
                                                    "CurrencyCode": currency})
        for tax in amount.taxes:
            tax_attrs = {"Type": "Exclusive", "Amount": m(tax.amount), "CurrencyCode": currency}
            if tax.percent is not None:
                tax_attrs["Percent"] = format(tax.percent.normalize(), "f")
            ET.SubElement(ET.SubElement(taxes, q("Tax"), tax_attrs), q("TaxDescription"), {"Name": tax.name})
