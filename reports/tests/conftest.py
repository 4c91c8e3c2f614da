"""June 2027 at Grand Hotel NYC, lived day by day through the real services (booking, check-in and out,
cancellation, out of order, night audit), with the clock pinned at each step.

The seed's prices: Deluxe King (DK) 189 Mon-Fri / 219 Sat / 199 Sun, Standard Queen (SQ) 149 / 179 / 159,
Junior Suite (JS) 329 / 379 / 349; AAA is BAR less 10%; the 12% room tax is on the undiscounted rate; the
resort fee is 15.00 per room per night. 16 rooms. June 1, 2027 is a Tuesday.

| booking | made | stay (nights) | what happens |
|---|---|---|---|
| A DK BAR direct | May 3 | May 30 - Jun 2 (Sun, Mon, Tue) | stays; only Jun 1 is in June |
| B SQ AAA x2 rooms direct | May 10 | Jun 7 - 9 (Mon, Tue) | stays |
| C JS BAR direct | May 12 | Jun 10 - 12 (Thu, Fri) | cancelled May 20, free |
| D DK BAR direct | May 16 | Jun 18 - 20 (Fri, Sat) | cancelled Jun 17 20:00, inside 24 h: 100% |
| E DK AAA direct | May 18 | Jun 25 - 28 (Fri, Sat, Sun) | no-show: the first night is kept |
| F SQ BAR direct | May 20 | Jun 29 - Jul 2 (Tue, Wed, Thu) | in house on July 1 |
| G DK BAR Booking.com | May 25 | Jun 11 - 14 (Fri, Sat, Sun) | leaves early on Jun 13: Sunday paid, not used |
| H JS AAA phone | Jun 1 | Jun 14 - 17 (Mon, Tue, Wed) | stays |
| I DK BAR direct | Jun 20 | Jul 16 - 18 (Fri, Sat) | on the books |

Room 1101 (SQ) is out of order for the nights of June 10, 11 and 12 (set May 25). The no-show policy is "the
first night". The clock ends at July 1, 2027, 12:00 in New York.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from bookings.cancellations import reservation_cancel
from bookings.models import Reservation
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.services import night_audits_run_due, room_out_of_order_set, stay_check_in, stay_check_out
from inventory.models import Hotel
from pricing.models import CancellationPolicy

NEW_YORK = ZoneInfo("America/New_York")
END = datetime(2027, 7, 1, 12, 0, tzinfo=NEW_YORK)


def at(day: date, hour: int = 12, minute: int = 0):
    """The clock pinned at a New York wall-clock time."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK), tick=False)


def d(month: int, day: int) -> date:
    return date(2027, month, day)


def book(check_in: date, nights: int, *, room_type="DELUXE-KING", rate_plan="BAR", rooms=1, last_name="Smith",
         channel="DIRECT", source="", hotel="NYC") -> Reservation:
    paid_by_channel = channel == "OTA"
    return booking_create(request=BookingRequest(
        hotel_code=hotel, room_type_code=room_type, rate_plan_code=rate_plan, check_in=check_in,
        check_out=check_in + timedelta(days=nights), adults=rooms, room_count=rooms, channel=channel, source=source,
        guest=GuestDetails("Pat", last_name, f"{last_name.lower()}@example.com"),
        card=None if paid_by_channel else Card(TestGateway.SUCCEEDS, 12, 2030, "123"),
        collect_payment=not paid_by_channel), gateway=TestGateway())


def check_in(r: Reservation, *rooms: str):
    with at(r.check_in, 15):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=list(rooms))


def check_out(r: Reservation, day: date | None = None, hour: int = 10):
    with at(day or r.check_out, hour):
        stay_check_out(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                       paid_at_desk=r.channel == "OTA")


def cancel(r: Reservation, day: date, hour: int = 12):
    with at(day, hour):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="Plans changed", gateway=TestGateway())


@dataclass
class June:
    hotel: Hotel
    A: Reservation
    B: Reservation
    C: Reservation
    D: Reservation
    E: Reservation
    F: Reservation
    G: Reservation
    H: Reservation
    I: Reservation  # noqa: E741

    def refreshed(self) -> "June":
        for name in "ABCDEFGHI":
            getattr(self, name).refresh_from_db()
        return self


def live_june() -> June:
    with at(d(5, 1), 9):
        call_command("seed_demo", stdout=StringIO())
        CancellationPolicy.objects.filter(hotel__code="NYC").update(no_show_penalty_nights=1)
    made = {}
    with at(d(5, 3), 10):
        made["A"] = book(d(5, 30), 3, last_name="Adams")
    with at(d(5, 10), 10):
        made["B"] = book(d(6, 7), 2, room_type="STANDARD-QUEEN", rate_plan="AAA", rooms=2, last_name="Baker")
    with at(d(5, 12), 10):
        made["C"] = book(d(6, 10), 2, room_type="JUNIOR-SUITE", last_name="Clark")
    with at(d(5, 16), 10):
        made["D"] = book(d(6, 18), 2, last_name="Davis")
    with at(d(5, 18), 10):
        made["E"] = book(d(6, 25), 3, rate_plan="AAA", last_name="Evans")
    cancel(made["C"], d(5, 20), 9)
    with at(d(5, 20), 10):
        made["F"] = book(d(6, 29), 3, room_type="STANDARD-QUEEN", last_name="Fox")
    with at(d(5, 25), 10):
        made["G"] = book(d(6, 11), 3, channel="OTA", source="BOOKING_COM", last_name="Green")
        room_out_of_order_set(hotel=Hotel.objects.get(code="NYC"), room_number="1101", start=d(6, 10),
                              end=d(6, 13), reason="Bathroom leak")
    check_in(made["A"], "1201")
    with at(d(6, 1), 9):
        made["H"] = book(d(6, 14), 3, room_type="JUNIOR-SUITE", rate_plan="AAA", channel="PHONE", last_name="Hill")
    check_out(made["A"])
    check_in(made["B"], "1102", "1103")
    check_out(made["B"])
    check_in(made["G"], "1202")
    check_out(made["G"], d(6, 13), 9)  # a day early
    check_in(made["H"], "1401")
    check_out(made["H"])
    cancel(made["D"], d(6, 17), 20)  # 19 hours before the 15:00 check-in
    with at(d(6, 20), 10):
        made["I"] = book(d(7, 16), 2, last_name="Irwin")
    with at(d(6, 26), 3, 1):  # the night audit of June 25: Evans did not come
        night_audits_run_due(gateway=TestGateway())
    check_in(made["F"], "1104")
    return June(hotel=Hotel.objects.get(code="NYC"), **made).refreshed()


@pytest.fixture
def june(db):
    month = live_june()
    with time_machine.travel(END, tick=False):
        yield month
