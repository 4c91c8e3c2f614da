"""June 2027 by channel, rate plan and room type; what cancellations and no-shows cost; the day lists."""

from decimal import Decimal as D

import pytest

from inventory.models import Hotel
from reports.selectors import Window, cancellations_report, day_lists, production_report

from .conftest import d

pytestmark = pytest.mark.django_db

JUNE = Window.nights(d(6, 1), d(6, 30))


def _rows(segments):
    return [(s.label, len(s.figures.bookings), s.figures.sold, s.figures.room_revenue, s.share, s.figures.adr)
            for s in segments]


def test_production_by_channel_rate_plan_and_room_type(june):
    [p] = production_report(hotels=Hotel.objects.all(), window=JUNE)
    # Direct: A 1 night 189.00, B 4 room nights 536.40, F 2 nights 298.00 -> 7, 1023.40; phone: H; OTA: G.
    assert _rows(p.by_channel) == [
        ("Direct (website)", 3, 7, D("1023.40"), D("58.33"), D("146.20")),
        ("Phone", 1, 3, D("888.30"), D("25.00"), D("296.10")),
        ("OTA: BOOKING_COM", 1, 2, D("408.00"), D("16.67"), D("204.00")),
    ]
    # AAA: B 536.40 + H 888.30; BAR: A 189.00 + G 408.00 + F 298.00.
    assert _rows(p.by_rate_plan) == [
        ("AAA: AAA Member Rate", 2, 7, D("1424.70"), D("58.33"), D("203.53")),
        ("BAR: Best Available Rate", 3, 5, D("895.00"), D("41.67"), D("179.00")),
    ]
    assert _rows(p.by_room_type) == [
        ("Standard Queen Room", 2, 6, D("834.40"), D("50.00"), D("139.07")),
        ("Junior Suite", 1, 3, D("888.30"), D("25.00"), D("296.10")),
        ("Deluxe King Room", 2, 3, D("597.00"), D("25.00"), D("199.00")),
    ]
    assert (p.total.sold, p.total.room_revenue) == (12, D("2319.70"))
    # G's Sunday, paid and not used, is the OTA's revenue but not its room night.
    ota = p.by_channel[2].figures
    assert ota.total_revenue == D("408.00") + D("48.96") + D("30.00") + D("237.88")


def test_cancellations_and_no_shows(june):
    [c] = cancellations_report(hotels=Hotel.objects.all(), window=JUNE)
    # C: JS BAR Thu + Fri 658.00 + 78.96 tax + 30.00 fees = 766.96, cancelled free: all lost.
    # D: DK BAR Fri + Sat 408.00 + 48.96 + 30.00 = 486.96, cancelled inside 24 hours: all retained.
    assert (c.cancelled.count, c.cancelled.room_nights) == (2, 4)
    assert (c.cancelled.booked, c.cancelled.retained, c.cancelled.lost) == (D("1253.92"), D("486.96"), D("766.96"))
    # E: DK AAA Fri-Mon 664.14; the first night kept (170.10 + 22.68 + 15.00), the rest lost.
    assert (c.no_shows.count, c.no_shows.room_nights) == (1, 3)
    assert (c.no_shows.booked, c.no_shows.retained, c.no_shows.lost) == (D("664.14"), D("207.78"), D("456.36"))
    assert [(r.reservation.guest_last_name, r.kind, r.retained, r.lost) for r in c.rows] == [
        ("Clark", "Cancelled", D("0"), D("766.96")), ("Davis", "Cancelled", D("486.96"), D("0")),
        ("Evans", "No-show", D("207.78"), D("456.36"))]


def test_a_booking_cancelled_before_it_was_confirmed_is_no_loss(june):
    from bookings.models import Status
    from tests.factories import ReservationFactory

    ReservationFactory(hotel=june.hotel, room_type=june.A.room_type, rate_plan=june.A.rate_plan, check_in=d(6, 3),
                       check_out=d(6, 4), status=Status.CANCELLED, grand_total=D("250.00"))
    [c] = cancellations_report(hotels=Hotel.objects.all(), window=JUNE)
    assert c.cancelled.count == 2


def _names(rows):
    return [r.guest_last_name for r in rows]


def test_arrivals_departures_and_in_house_for_a_day(june):
    hotels = Hotel.objects.all()
    sunday = day_lists(hotels=hotels, day=d(6, 13))   # G left early that morning
    assert (_names(sunday.arrivals), _names(sunday.departures), _names(sunday.in_house)) == ([], ["Green"], [])
    assert sunday.departures[0].room_numbers == ["1202"]
    monday = day_lists(hotels=hotels, day=d(6, 14))   # H arrives; G was due out today but left yesterday
    assert (_names(monday.arrivals), _names(monday.departures), _names(monday.in_house)) == (["Hill"], [], ["Hill"])
    friday = day_lists(hotels=hotels, day=d(6, 25))   # E did not come; D's stay was cancelled
    assert (_names(friday.arrivals), [r.status for r in friday.arrivals], friday.in_house) == (
        ["Evans"], ["NO_SHOW"], [])
    seventh = day_lists(hotels=hotels, day=d(6, 7))
    assert _names(seventh.arrivals) == ["Baker"] and seventh.in_house[0].room_numbers == ["1102", "1103"]
    july = day_lists(hotels=hotels, day=d(7, 1))      # F in house, due out tomorrow
    assert (_names(july.arrivals), _names(july.departures), _names(july.in_house)) == ([], [], ["Fox"])
    assert _names(day_lists(hotels=hotels, day=d(6, 2)).departures) == ["Adams"]
