"""On the books, pickup and pace, to the cent."""

from datetime import date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from inventory.models import Hotel
from reports.selectors import Window, on_the_books, pace_report, pickup_report
from reports.selectors.forecast import a_year_before

from .conftest import NEW_YORK, at, book, cancel, d

pytestmark = pytest.mark.django_db

JUNE = Window.nights(d(6, 1), d(6, 30))


def test_on_the_books_for_the_next_365_nights(june):
    """July 1, 12:00: F's last night (July 1, SQ BAR Thursday 149.00) and I (July 16 and 17, DK BAR Friday
    189.00 and Saturday 219.00) are on the books; nothing after July."""
    [books] = on_the_books(hotels=Hotel.objects.all())
    assert books.start == d(7, 1)
    months = dict(books.months)
    assert list(months)[0] == d(7, 1) and list(months)[-1] == date(2028, 6, 1)  # to June 29, 2028: 365 nights
    july = months[d(7, 1)]
    assert (july.sold, july.available, july.room_revenue) == (3, 16 * 31, D("557.00"))
    assert july.occupancy == D("0.60")           # 3 / 496 = 0.6048...%
    assert july.adr == D("185.67")               # 557.00 / 3 = 185.666...
    assert july.tax_total == D("17.88") + D("48.96") and july.fee_total == D("45.00")
    assert all(f.sold == 0 for m, f in months.items() if m != d(7, 1))
    assert (books.total.sold, books.total.room_revenue) == (3, D("557.00"))
    # The seed opened inventory up to May 1, 2028: nothing is for sale after that.
    assert months[date(2028, 5, 1)].available == 16 and months[date(2028, 6, 1)].available == 0


def test_pickup_since_may_15(june):
    """Booked since May 15 and still on the books: F (May 20, 2 June nights, 298.00), G (May 25, 3 nights
    189 + 219 + 199 = 607.00, as booked: leaving early did not unbook it) and H (June 1, 3 nights
    888.30). Cancelled since, but booked before: C (cancelled May 20: 2 nights, 329 + 329 = 658.00). D was
    booked (May 16) and cancelled since, E booked and a no-show: neither is on the books nor was before."""
    [pickup] = pickup_report(hotels=Hotel.objects.all(), window=JUNE, since=d(5, 15))
    assert (pickup.booked.sold, pickup.booked.room_revenue) == (2 + 3 + 3, D("298.00") + D("607.00") + D("888.30"))
    assert (pickup.cancelled.sold, pickup.cancelled.room_revenue) == (2, D("658.00"))
    assert (pickup.net_rooms, pickup.net_revenue) == (6, D("1135.30"))

    days = {p.day: p for p in pickup.days}
    assert list(days)[0] == d(5, 15) and list(days)[-1] == d(7, 1)
    assert (days[d(5, 20)].booked.sold, days[d(5, 20)].cancelled.sold, days[d(5, 20)].net_rooms) == (2, 2, 0)
    assert days[d(5, 25)].booked.room_revenue == D("607.00")
    assert days[d(6, 1)].booked.room_revenue == D("888.30")
    assert sum(p.net_rooms for p in pickup.days) == 6
    curve = dict(pickup.curve())
    assert (curve[d(5, 19)], curve[d(5, 20)], curve[d(5, 25)], curve[d(6, 1)], curve[d(7, 1)]) == (0, 0, 3, 6, 6)


def test_pickup_from_a_day_later(june):
    """Since May 21: F (May 20) is no longer picked up, C's cancellation (May 20) no longer lost; but D, booked
    May 16, was on the books then and was cancelled since (June 17): Fri 189 + Sat 219 lost."""
    [pickup] = pickup_report(hotels=Hotel.objects.all(), window=JUNE, since=d(5, 21))
    assert (pickup.booked.sold, pickup.booked.room_revenue) == (6, D("607.00") + D("888.30"))
    assert (pickup.cancelled.sold, pickup.cancelled.room_revenue) == (2, D("408.00"))
    assert dict((p.day, p.cancelled.sold) for p in pickup.days)[d(6, 17)] == 2
    assert (pickup.net_rooms, pickup.net_revenue) == (4, D("1087.30"))


def test_pickup_cannot_start_in_the_future(june):
    from hotelbooking.errors import InvalidDates

    with pytest.raises(InvalidDates):
        pickup_report(hotels=Hotel.objects.all(), window=JUNE, since=d(7, 2))


def test_pace_against_the_same_date_last_year(db):
    """Now is May 20, 2027 (10:00 New York). A year ago, on May 20, 2026, the June 2026 nights on the books were
    X's two (booked May 10, 2026) and Z's one (booked May 1, cancelled later, on May 22); Y was booked after
    (May 25). This year W (two June nights, booked May 10) is on the books; V was booked and cancelled before now.

    June 5, 2026 is a Friday: X DK BAR Fri 189 + Sat 219; Y DK BAR Mon 8 + Tue 9 189 + 189; Z SQ BAR Thu 149.
    June 1, 2027 is a Tuesday: W DK BAR Tue 189 + Wed 189; V JS BAR Thu 3 329.
    """
    with at(date(2026, 5, 1), 9):
        call_command("seed_demo", stdout=StringIO())
        z = book(date(2026, 6, 4), 1, room_type="STANDARD-QUEEN", last_name="Zed")
    with at(date(2026, 5, 10), 10):
        book(date(2026, 6, 5), 2, last_name="Xu")
    cancel(z, date(2026, 5, 22))
    with at(date(2026, 5, 25), 10):
        book(date(2026, 6, 8), 2, last_name="Young")
    with at(d(5, 1), 9):  # a year later: the seed opens the new year's nights
        call_command("seed_demo", stdout=StringIO())
    with at(d(5, 10), 10):
        book(d(6, 1), 2, last_name="Wu")
        v = book(d(6, 3), 1, room_type="JUNIOR-SUITE", last_name="Vo")
    cancel(v, d(5, 12))

    now = datetime(2027, 5, 20, 10, 0, tzinfo=NEW_YORK)
    with time_machine.travel(now, tick=False):
        [pace] = pace_report(hotels=Hotel.objects.all(), window=JUNE)
    assert pace.as_of_last_year == datetime(2026, 5, 20, 10, 0, tzinfo=NEW_YORK)
    assert pace.last_window == Window.nights(date(2026, 6, 1), date(2026, 6, 30))
    [row] = pace.rows
    assert row.month == d(6, 1)
    assert (row.this_year.sold, row.this_year.room_revenue, row.this_year.adr) == (2, D("378.00"), D("189.00"))
    assert (row.last_year.sold, row.last_year.room_revenue) == (3, D("189.00") + D("219.00") + D("149.00"))
    assert (row.rooms_change, row.revenue_change) == (-1, D("378.00") - D("557.00"))
    assert (row.last_year_final.sold, row.last_year_final.room_revenue) == (4, D("408.00") + D("378.00"))
    assert pace.total.this_year.sold == 2 and pace.total.last_year.room_revenue == D("557.00")


def test_a_year_before_february_29():
    leap = datetime(2028, 2, 29, 8, 30, tzinfo=NEW_YORK)
    assert a_year_before(leap) == datetime(2027, 2, 28, 8, 30, tzinfo=NEW_YORK)
    assert Window.nights(date(2028, 2, 1), date(2028, 2, 29)).year_before() == Window.nights(d(2, 1), d(2, 28))
