"""The report pages in the admin: who may read them, which hotels they show, every table as CSV, bad input."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from bookings.models import Status
from frontdesk.permissions import FRONT_DESK_GROUP
from hotelbooking.permissions import WORK, key_may
from inventory.models import Hotel
from tests.factories import (
    HotelFactory,
    InventoryDayFactory,
    RatePlanFactory,
    ReservationFactory,
    ReservationNightFactory,
    RoomTypeFactory,
    staff_user,
)

from .conftest import d

pytestmark = pytest.mark.django_db

BASE = "/admin/reports/report"
JUNE = "first=2027-06-01&last=2027-06-30"
PAGES = ["performance", "forecast", "production", "day"]


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def boston(june):
    """Another hotel, in the same currency, with one booked night on June 7 (100.00) and 10 rooms."""
    hotel = HotelFactory(code="BOS", name="Grand Hotel Boston")
    queen = RoomTypeFactory(hotel=hotel, code="QUEEN", name="Queen")
    for day in range(1, 31):
        InventoryDayFactory(room_type=queen, date=d(6, day), total=10)
    stay = ReservationFactory(hotel=hotel, room_type=queen, rate_plan=RatePlanFactory(hotel=hotel, code="BAR"),
                              check_in=d(6, 7), check_out=d(6, 8), status=Status.CONFIRMED, guest_last_name="Boyle",
                              confirmation_number="GH-BOS-2027060700001", grand_total=D("100.00"))
    ReservationNightFactory(reservation=stay, date=d(6, 7), rate=D("100.00"))
    return hotel


@pytest.fixture
def manager(client, june):
    client.force_login(staff_user("gm", perms=["reports.view_reports"], hotels=[june.hotel]))
    return client


def test_view_reports_is_a_work_for_staff_only():
    assert WORK["view_reports"] == "reports.view_reports"
    assert not any(key_may(type("Key", (), {"scope": scope})(), "view_reports")
                   for scope in ("partner", "frontdesk", "channel"))


def test_a_manager_reads_june_on_the_performance_page(manager):
    page = manager.get(f"{BASE}/performance/?hotel=NYC&{JUNE}").content.decode()
    for figure in ("2.52%", "193.31 USD", "4.86 USD", "2,319.70 USD", "3,729.68 USD", "12 / 477"):
        assert figure in page
    assert '<svg class="report-chart report-chart-wide" id="occupancy-adr-usd"' in page
    assert "style=" not in page.split('id="occupancy-adr-usd"')[1].split("</svg>")[0]


def test_the_performance_tables_as_csv(manager):
    revenue = rows(manager.get(f"{BASE}/performance/?hotel=NYC&{JUNE}&format=csv&table=revenue-usd"))
    assert revenue == [
        ["Line", "Amount", "Kind"],
        ["Room revenue", "2319.70", "room"],
        ["Resort fee", "180.00", "fee"],
        ["No-show penalties", "207.78", "retained"],
        ["Cancellation penalties", "486.96", "retained"],
        ["Nights paid, not used (early departures)", "237.88", "retained"],
        ["Revenue without taxes", "3432.32", "subtotal"],
        ["NYC Hotel Room Tax", "297.36", "tax"],
        ["Total revenue", "3729.68", "total"],
    ]
    response = manager.get(f"{BASE}/performance/?hotel=NYC&{JUNE}&format=csv&table=nights-usd")
    assert response["Content-Disposition"] == \
        'attachment; filename="performance-nights-usd-NYC-2027-06-01_2027-06-30.csv"'
    nights = rows(response)
    assert nights[0] == ["Night", "Available", "Out of order", "Sold", "Occupancy %", "ADR", "RevPAR", "Room revenue",
                         "Taxes", "Fees", "Extras", "Retained", "Total revenue"]
    assert len(nights) == 1 + 30 + 1
    assert nights[7] == ["2027-06-07", "16", "0", "2", "12.50", "134.10", "16.76", "268.20", "35.76", "30.00", "0.00",
                         "0.00", "333.96"]
    assert nights[2] == ["2027-06-02", "16", "0", "0", "0.00", "", "0.00", "0.00", "0.00", "0.00", "0.00", "0.00",
                         "0.00"]
    assert nights[-1] == ["Total", "477", "3", "12", "2.52", "193.31", "4.86", "2319.70", "297.36", "180.00",
                          "0.00", "932.62", "3729.68"]


def test_the_other_pages_tables_as_csv(manager):
    channels = rows(manager.get(f"{BASE}/production/?{JUNE}&format=csv&table=channels-usd"))
    assert channels == [
        ["Channel", "Bookings", "Room nights", "Share %", "Room revenue", "ADR", "Total revenue"],
        # Direct's total: A 189.00 + 22.68 + 15.00, B 536.40 + 71.52 + 60.00, F 298.00 + 35.76 + 30.00.
        ["Direct (website)", "3", "7", "58.33", "1023.40", "146.20", "1258.36"],
        ["Phone", "1", "3", "25.00", "888.30", "296.10", "1051.74"],
        ["OTA: BOOKING_COM", "1", "2", "16.67", "408.00", "204.00", "724.84"],  # its unused Sunday included
        ["Total", "5", "12", "100.00", "2319.70", "193.31", "3034.94"],
    ]
    lost = rows(manager.get(f"{BASE}/production/?{JUNE}&format=csv&table=lost-bookings-usd"))
    assert [r[2:4] + r[6:7] + r[8:] for r in lost[1:]] == [
        ["Pat Clark", "2027-06-10", "Cancelled", "2027-05-20 09:00", "766.96", "0.00", "766.96"],
        ["Pat Davis", "2027-06-18", "Cancelled", "2027-06-17 20:00", "486.96", "486.96", "0.00"],
        ["Pat Evans", "2027-06-25", "No-show", "", "664.14", "207.78", "456.36"],
    ]
    pickup = rows(manager.get(f"{BASE}/forecast/?{JUNE}&since=2027-05-15&format=csv&table=pickup-usd"))
    assert pickup[0][:3] == ["Booked on", "Room nights booked", "Room revenue booked"]
    page = manager.get(f"{BASE}/forecast/?{JUNE}&since=2027-05-15").content.decode()
    assert "Now against July 1, 2026 12:00 (America/New_York), for the nights June 1, 2026 to June 30, 2026." in page
    assert pickup[1:] == [  # the days something happened
        ["2027-05-20", "2", "298.00", "2", "658.00", "0", "-360.00", "0"],
        ["2027-05-25", "3", "607.00", "0", "0.00", "3", "607.00", "3"],
        ["2027-06-01", "3", "888.30", "0", "0.00", "3", "888.30", "6"],
        ["Total", "8", "1793.30", "2", "658.00", "6", "1135.30", "6"]]
    assert pickup[-1] == ["Total", "8", "1793.30", "2", "658.00", "6", "1135.30", "6"]
    arrivals = rows(manager.get(f"{BASE}/day/?day=2027-06-14&format=csv&table=arrivals"))
    assert [r[:7] for r in arrivals[1:]] == [["GH-NYC-2027061400001", "NYC", "Pat Hill", "Junior Suite", "1",
                                              "1401", "2027-06-14"]]


def test_a_guest_name_that_looks_like_a_formula_is_quoted_in_the_csv(manager, june):
    stay = ReservationFactory(hotel=june.hotel, room_type=june.A.room_type, rate_plan=june.A.rate_plan,
                              check_in=d(6, 20), check_out=d(6, 21), status=Status.CONFIRMED,
                              guest_first_name="", guest_last_name='=HYPERLINK("http://evil")')
    arrivals = rows(manager.get(f"{BASE}/day/?day=2027-06-20&format=csv&table=arrivals"))
    assert arrivals[1][2] == """'=HYPERLINK("http://evil")"""
    page = manager.get(f"{BASE}/day/?day=2027-06-20").content.decode()
    assert "=HYPERLINK(&quot;http://evil&quot;)" in page and stay.confirmation_number in page


def test_staff_without_the_permission_get_403(client, june):
    call_command("front_desk_group", verbosity=0)
    clerk = staff_user("desk", hotels=[june.hotel], groups=[FRONT_DESK_GROUP])
    assert not clerk.has_perm("reports.view_reports")
    assert not Group.objects.get(name=FRONT_DESK_GROUP).permissions.filter(codename="view_reports").exists()
    client.force_login(clerk)
    for page in PAGES:
        assert client.get(f"{BASE}/{page}/").status_code == 403
        assert client.get(f"{BASE}/{page}/?format=csv&table=arrivals").status_code == 403
    assert f'href="{BASE}/"' not in client.get("/admin/").content.decode()


def test_the_admin_index_leads_a_manager_to_the_reports(manager):
    assert f'href="{BASE}/"' in manager.get("/admin/").content.decode()
    response = manager.get(f"{BASE}/?{JUNE}")  # Reports opens the performance report
    assert response.status_code == 200 and "193.31 USD" in response.content.decode()
    assert manager.get(f"{BASE}/1/change/").status_code == 404  # no rows: no change page


def test_a_manager_of_another_hotel_sees_nothing_of_it(client, june, boston):
    client.force_login(staff_user("bos-gm", perms=["reports.view_reports"], hotels=[boston]))
    for page in PAGES:
        assert client.get(f"{BASE}/{page}/?hotel=NYC&{JUNE}").status_code == 404
        assert client.get(f"{BASE}/{page}/?hotel=NYC&{JUNE}&format=csv&table=arrivals").status_code == 404
    page = client.get(f"{BASE}/performance/?{JUNE}").content.decode()  # "all my hotels" is Boston alone
    assert "Grand Hotel Boston" in page and "Grand Hotel NYC" not in page
    revenue = rows(client.get(f"{BASE}/performance/?{JUNE}&format=csv&table=revenue-usd"))
    assert revenue[1] == ["Room revenue", "100.00", "room"] and revenue[-1] == ["Total revenue", "100.00", "total"]
    day = client.get(f"{BASE}/day/?day=2027-06-07").content.decode()
    assert "GH-BOS-2027060700001" in day and "GH-NYC" not in day


def test_a_superuser_sees_the_group(june, boston, admin_client):  # logged in at the fixture's clock
    hotels_csv = rows(admin_client.get(f"{BASE}/performance/?{JUNE}&format=csv&table=hotels-usd"))
    assert [r[:4] + r[7:8] for r in hotels_csv] == [
        ["Hotel", "Available", "Out of order", "Sold", "Room revenue"],
        ["BOS", "300", "0", "1", "100.00"], ["NYC", "477", "3", "12", "2319.70"],
        ["Total", "777", "3", "13", "2419.70"]]
    page = admin_client.get(f"{BASE}/performance/?{JUNE}").content.decode()
    assert "USD — Grand Hotel Boston, Grand Hotel NYC" in page and "All my hotels (per currency)" in page


@pytest.mark.parametrize("query, message", [
    ("first=2027-06-30&last=2027-06-01", "The last night must be on or after the first."),
    ("first=2027-01-01&last=2028-12-31", "A report covers at most 400 nights."),
    ("first=June&last=2027-06-30", "Enter a valid date."),
])
def test_bad_dates_are_said_never_a_500(manager, query, message):
    page = manager.get(f"{BASE}/performance/?{query}")
    assert page.status_code == 200 and message in page.content.decode()
    csv_answer = manager.get(f"{BASE}/performance/?{query}&format=csv&table=revenue-usd")
    assert csv_answer.status_code == 400 and message in csv_answer.content.decode()


def test_a_pickup_date_in_the_future_is_said(manager):
    page = manager.get(f"{BASE}/forecast/?{JUNE}&since=2027-07-02").content.decode()
    assert "The pickup date cannot be in the future." in page


def test_an_unknown_table_or_hotel_is_not_found(manager):
    assert manager.get(f"{BASE}/performance/?{JUNE}&format=csv&table=nope").status_code == 404
    assert manager.get(f"{BASE}/performance/?{JUNE}&format=csv").status_code == 404
    assert manager.get(f"{BASE}/performance/?hotel=XXX").status_code == 404


def test_each_page_defaults_to_the_hotels_month(manager):
    """No dates given: this month in the hotel's time (July 2027 by the fixture's clock)."""
    for page in PAGES:
        assert manager.get(f"{BASE}/{page}/").status_code == 200
    nights = rows(manager.get(f"{BASE}/performance/?format=csv&table=nights-usd"))
    assert nights[1][0] == "2027-07-01" and nights[-2][0] == "2027-07-31"


def test_report_recipients_are_edited_on_the_hotel(june, admin_client):
    from django.core.exceptions import ValidationError

    page = admin_client.get(f"/admin/inventory/hotel/{june.hotel.pk}/change/").content.decode()
    assert 'name="report_recipients"' in page
    hotel = Hotel.objects.get(code="NYC")
    hotel.report_recipients = "gm@grandhotel.example; revenue@grandhotel.example,"
    hotel.full_clean()
    assert hotel.report_recipient_list == ["gm@grandhotel.example", "revenue@grandhotel.example"]
    hotel.report_recipients = "gm@grandhotel.example, not an address"
    with pytest.raises(ValidationError, match="Not an email address: not an address."):
        hotel.full_clean()
