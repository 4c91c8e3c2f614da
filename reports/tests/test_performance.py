"""June 2027's occupancy, ADR, RevPAR and revenue at Grand Hotel NYC, to the cent, against the sums done by hand
(the month itself is in conftest.py)."""

from datetime import timedelta
from decimal import Decimal as D

import pytest

from bookings.models import ReservationNight
from inventory.models import Hotel, InventoryDay
from reports.selectors import CANCELLATION, NO_SHOW, UNUSED_NIGHTS, Window, performance_report
from tests.factories import (
    HotelFactory,
    InventoryDayFactory,
    RatePlanFactory,
    ReservationFactory,
    ReservationNightFactory,
    RoomTypeFactory,
)

from .conftest import d

pytestmark = pytest.mark.django_db

JUNE = Window.nights(d(6, 1), d(6, 30))

# Room nights sold in June, night by night, with the room line the folio posts for each:
#   A  Jun 1 (Tue)              DK BAR 189.00                                   1 room night    189.00
#   B  Jun 7, 8 (Mon, Tue)      SQ AAA 149.00 - 14.90 = 134.10, 2 rooms        4 room nights   536.40
#   G  Jun 11, 12 (Fri, Sat)    DK BAR 189.00 + 219.00 (Sunday 13th not used)  2 room nights   408.00
#   H  Jun 14, 15, 16           JS AAA 329.00 - 32.90 = 296.10                 3 room nights   888.30
#   F  Jun 29, 30 (Tue, Wed)    SQ BAR 149.00 + 149.00 (Jul 1 is July's)       2 room nights   298.00
SOLD = 1 + 4 + 2 + 3 + 2                                                # 12
ROOM_REVENUE = D("189.00") + D("536.40") + D("408.00") + D("888.30") + D("298.00")   # 2319.70
# 12% room tax on the undiscounted rate, and the 15.00 resort fee, of those nights:
TAX = (D("22.68") + D("71.52")                 # A 12% of 189; B 12% of 4 x 149
       + D("22.68") + D("26.28")               # G 12% of 189 and of 219
       + D("118.44") + D("35.76"))             # H 12% of 3 x 329; F 12% of 2 x 149   -> 297.36
FEES = 15 * D(1 + 4 + 2 + 3 + 2)               # 180.00
# Revenue, not rooms: what bookings kept without a stay, on their arrival date (unused nights on their own).
NO_SHOW_PENALTY = D("170.10") + D("22.68") + D("15.00")   # E's first night: AAA 189 - 18.90, tax, fee = 207.78
CANCELLATION_PENALTY = D("408.00") + D("48.96") + D("30.00")  # D cancelled 19 h before: 100% = 486.96
UNUSED = D("199.00") + D("23.88") + D("15.00")            # G's Sunday night, paid and not used = 237.88
RETAINED = NO_SHOW_PENALTY + CANCELLATION_PENALTY + UNUSED   # 932.62
# 16 rooms for 30 nights, less room 1101 out of order on June 10, 11 and 12.
AVAILABLE = 16 * 30 - 3                                   # 477


def test_june_to_the_cent(june):
    [report] = performance_report(hotels=Hotel.objects.all(), window=JUNE)
    t = report.total

    assert (t.available, t.out_of_order, t.sold) == (AVAILABLE, 3, SOLD) == (477, 3, 12)
    assert t.room_revenue == ROOM_REVENUE == D("2319.70")
    assert t.occupancy == D("2.52")                        # 12 / 477 = 2.5157...%
    assert t.adr == D("193.31")                            # 2319.70 / 12 = 193.3083...
    assert t.revpar == D("4.86")                           # 2319.70 / 477 = 4.8631...
    assert dict(t.taxes) == {"NYC Hotel Room Tax": TAX} and TAX == D("297.36")
    assert dict(t.fees) == {"Resort fee": FEES} and FEES == D("180.00")
    assert dict(t.retained) == {NO_SHOW: D("207.78"), CANCELLATION: D("486.96"), UNUSED_NIGHTS: D("237.88")}
    assert t.revenue == ROOM_REVENUE + FEES + RETAINED == D("3432.32")
    assert t.total_revenue == ROOM_REVENUE + FEES + RETAINED + TAX == D("3729.68")
    assert t.bookings == {june.A.pk, june.B.pk, june.F.pk, june.G.pk, june.H.pk}


def test_night_by_night(june):
    [report] = performance_report(hotels=Hotel.objects.all(), window=JUNE)
    days = dict(report.days)
    assert len(days) == 30 and sum(f.sold for f in days.values()) == SOLD

    monday = days[d(6, 7)]  # B's two rooms
    assert (monday.sold, monday.available, monday.room_revenue, monday.occupancy, monday.adr, monday.revpar) == (
        2, 16, D("268.20"), D("12.50"), D("134.10"), D("16.76"))
    assert (monday.tax_total, monday.fee_total, monday.total_revenue) == (D("35.76"), D("30.00"), D("333.96"))

    out_of_order = days[d(6, 11)]  # G's Friday while room 1101 is out of order: 1 of 15
    assert (out_of_order.available, out_of_order.out_of_order, out_of_order.sold) == (15, 1, 1)
    assert out_of_order.occupancy == D("6.67") and out_of_order.revpar == D("12.60")

    left_early = days[d(6, 13)]  # G's Sunday: paid, nobody in the room
    assert (left_early.sold, left_early.room_revenue, left_early.adr) == (0, D("0"), None)
    assert left_early.retained == {UNUSED_NIGHTS: UNUSED} and left_early.total_revenue == D("237.88")

    assert days[d(6, 18)].retained == {CANCELLATION: D("486.96")} and days[d(6, 18)].sold == 0
    assert days[d(6, 25)].retained == {NO_SHOW: D("207.78")} and days[d(6, 25)].sold == 0
    assert days[d(6, 1)].room_revenue == D("189.00")      # A's last night; its May nights are May's
    assert days[d(6, 30)].room_revenue == D("149.00")     # F's second night; its third is July's
    assert days[d(6, 2)].occupancy == D("0.00") and days[d(6, 2)].adr is None


def test_a_stay_across_the_window_keeps_its_folio_shares(june):
    """A's three nights are cut to the window after its postings are made: June 1 gets exactly the 189.00,
    22.68 and 15.00 the folio posted for it, and May 30 to June 1 adds up to A's booked total."""
    [may_end] = performance_report(hotels=Hotel.objects.all(), window=Window.nights(d(5, 30), d(5, 31)))
    [june_1] = performance_report(hotels=Hotel.objects.all(), window=Window.nights(d(6, 1), d(6, 1)))
    assert june_1.total.total_revenue == D("226.68")
    assert may_end.total.total_revenue + june_1.total.total_revenue == june.A.grand_total == D("691.24")


def test_a_pending_hold_sells_no_room_night(june):
    """A booking whose payment is still pending holds rooms (InventoryDay.sold) but is not on the books."""
    from bookings.models import Status

    hold = ReservationFactory(hotel=june.hotel, room_type=june.A.room_type, rate_plan=june.A.rate_plan,
                              check_in=d(6, 2), check_out=d(6, 3), status=Status.PENDING, grand_total=D("189"))
    ReservationNightFactory(reservation=hold, date=d(6, 2), rate=D("189.00"))
    [report] = performance_report(hotels=Hotel.objects.all(), window=JUNE)
    assert report.total.sold == SOLD and report.total.room_revenue == ROOM_REVENUE


def test_the_group_is_reported_per_currency_never_converted(june):
    paris = HotelFactory(code="PAR", name="Grand Hotel Paris", currency="EUR", timezone="Europe/Paris")
    suite = RoomTypeFactory(hotel=paris, code="SUITE")
    for i in range(30):
        InventoryDayFactory(room_type=suite, date=d(6, 1) + timedelta(days=i), total=4)
    stay = ReservationFactory(hotel=paris, room_type=suite, rate_plan=RatePlanFactory(hotel=paris), currency="EUR",
                              check_in=d(6, 10), check_out=d(6, 12), status="CHECKED_OUT", room_total=D("500.50"),
                              grand_total=D("500.50"))
    ReservationNightFactory(reservation=stay, date=d(6, 10), rate=D("250.25"))
    ReservationNightFactory(reservation=stay, date=d(6, 11), rate=D("250.25"))
    assert ReservationNight.objects.filter(reservation=stay).count() == 2

    eur, usd = performance_report(hotels=Hotel.objects.all(), window=JUNE)
    assert (eur.currency, [h.code for h in eur.hotels]) == ("EUR", ["PAR"])
    assert (eur.total.available, eur.total.sold, eur.total.room_revenue) == (120, 2, D("500.50"))
    assert (eur.total.occupancy, eur.total.adr, eur.total.revpar) == (D("1.67"), D("250.25"), D("4.17"))
    assert (usd.currency, usd.total.room_revenue, usd.total.available) == ("USD", ROOM_REVENUE, AVAILABLE)


def test_two_hotels_in_one_currency_add_up(june):
    boston = HotelFactory(code="BOS", name="Grand Hotel Boston", currency="USD")
    queen = RoomTypeFactory(hotel=boston, code="QUEEN")
    InventoryDay.objects.bulk_create([InventoryDay(room_type=queen, date=day, total=10) for day in JUNE.dates()])
    stay = ReservationFactory(hotel=boston, room_type=queen, rate_plan=RatePlanFactory(hotel=boston),
                              check_in=d(6, 7), check_out=d(6, 8), status="CONFIRMED", room_total=D("100.01"),
                              grand_total=D("100.01"))
    ReservationNightFactory(reservation=stay, date=d(6, 7), rate=D("100.01"))

    [usd] = performance_report(hotels=Hotel.objects.all(), window=JUNE)
    by_hotel = {h.code: f for h, f in usd.by_hotel}
    assert by_hotel["BOS"].sold == 1 and by_hotel["BOS"].room_revenue == D("100.01")
    assert by_hotel["NYC"].room_revenue == ROOM_REVENUE
    assert usd.total.sold == SOLD + 1 and usd.total.available == AVAILABLE + 300
    assert usd.total.room_revenue == D("2419.71")
    assert usd.total.adr == D("186.13")        # 2419.71 / 13 = 186.1315...
    assert usd.total.occupancy == D("1.67")    # 13 / 777 = 1.6731...%
    monday = dict(usd.days)[d(6, 7)]
    assert (monday.sold, monday.available, monday.room_revenue) == (3, 26, D("368.21"))


def test_rates_and_shares_are_rounded_once_in_the_currency():
    from hotelbooking.money import money_per, percent_share

    assert money_per(D("1000"), 3, "JPY") == D("333") and money_per(D("1000"), 3, "KWD") == D("333.333")
    assert money_per(D("2319.70"), 0, "USD") is None and percent_share(5, 0) is None
    assert percent_share(1, 8) == D("12.50") and percent_share(1, 3) == D("33.33") and percent_share(2, 3) == D("66.67")


def test_extras_are_revenue_of_their_own_not_fees(db):
    """Breakfast for two on a Tuesday and Wednesday DK BAR stay: 2 x 2 x 24.50 = 98.00, its 12% tax in the room tax,
    the report's Extras line, not Fees; revenue and total revenue add it."""
    from io import StringIO

    from django.core.management import call_command

    from bookings.payments import Card, TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    from .conftest import at

    with at(d(8, 1), 9):
        call_command("seed_demo", stdout=StringIO())
        r = booking_create(request=BookingRequest(
            hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="BAR", check_in=d(9, 7),
            check_out=d(9, 9), adults=2, guest=GuestDetails("Bea", "Breakfast", "bea@example.com"),
            card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"), extras=({"code": "BRKF", "quantity": 1},)),
            gateway=TestGateway())
        [report] = performance_report(hotels=Hotel.objects.filter(code="NYC"), window=Window.nights(d(9, 1), d(9, 30)))
    t = report.total
    assert r.grand_total == D("563.12")                    # 378.00 + 57.12 tax + 30.00 fee + 98.00 breakfast
    assert t.room_revenue == D("378.00") and dict(t.fees) == {"Resort fee": D("30.00")}
    assert dict(t.extras) == {"Breakfast": D("98.00")} and t.extra_total == D("98.00")
    assert dict(t.taxes) == {"NYC Hotel Room Tax": D("57.12")}  # 12% of 378.00 and of 98.00
    assert t.revenue == D("506.00") and t.total_revenue == r.grand_total
