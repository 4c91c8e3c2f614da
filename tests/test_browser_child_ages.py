"""A family of 2 adults and children aged 4 and 13 priced by age, searched and booked in a real browser at 1366
and 390 px wide.

BAR is priced by occupancy (every room's price for 2 adults, an extra adult 40.00 a night; children up to 2 free, up
to 11 25.00 a night, up to 17 as adults). The guest types 2 children on the search form, our script gives each an
age select, picks 4 and 13: the Junior Suite on AAA, Friday to Monday, is 394 + 444 + 414 = 1252.00 less 10%, the
12% room tax on 1252.00 and the resort fee: 1,322.04 (bookings/tests/test_child_ages_pages.py). The book page,
the confirmation and Manage my booking say "2 adults, 2 children (ages 4, 13)"; the reservation keeps the ages.
Also rooms of two room types (a Deluxe King and a Standard Queen) in one booking, paid once. Screenshots go to
$SCREENSHOT_DIR (default: the test's tmp dir)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from .test_browser_booking import _next_friday, browse, demo, fill_guest_and_card  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_wider_than_the_screen(tab, name):
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"


@pytest.fixture
def by_age(demo):  # noqa: F811
    from pricing.models import ChildAgeBand, Rate, RatePlan

    bar = RatePlan.objects.get(hotel__code="NYC", code="BAR")
    Rate.objects.filter(rate_plan=bar).update(base_occupancy=2, extra_adult_amount=Decimal("40"),
                                              single_occupancy_discount=Decimal("20"))
    for up_to, kind, value in ((2, "FREE", None), (11, "AMOUNT", Decimal("25")), (17, "ADULT", None)):
        ChildAgeBand.objects.create(rate_plan=bar, up_to_age=up_to, kind=kind, value=value)
    return demo


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_family_of_2_adults_and_children_aged_4_and_13_priced_by_age(by_age, shots, width, height):
    from bookings.models import Reservation

    friday = _next_friday()

    def run(tab):
        tab.goto(by_age.url + "/")
        tab.select_option("#id_hotel", "NYC")
        tab.fill("#id_check_in", friday.isoformat())
        tab.fill("#id_check_out", (friday + timedelta(days=3)).isoformat())
        tab.fill("#id_adults", "2")
        assert tab.locator("#child-ages").is_hidden()
        assert tab.locator("[data-child-ages-update]").is_hidden()  # the script does its work
        tab.fill("#id_children", "2")
        assert tab.locator("#child-ages select").count() == 2 and tab.locator("#child-ages").is_visible()
        tab.fill("#id_children", "3")
        assert tab.locator("#child-ages select").count() == 3
        tab.fill("#id_children", "2")
        assert tab.locator("#child-ages select").count() == 2
        assert tab.locator("label[for=child-ages-2]").inner_text() == "Age of child 2"
        tab.select_option("#child-ages-1", "4")
        tab.select_option("#child-ages-2", "13")
        tab.select_option("#id_rate_plan", "AAA")
        tab.screenshot(path=str(shots / f"ages-{width}-0-form.png"), full_page=True)
        tab.click("form.search-form button[type=submit]:not([name=party_update])")
        tab.wait_for_url(re.compile(r"child_ages=4&child_ages=13"))
        assert "2 adults, 2 children (ages 4, 13)" in tab.locator(".stay-summary").inner_text()
        suite = tab.locator("#rate-JUNIOR-SUITE-AAA")
        assert "1,322.04 USD" in suite.inner_text()
        _no_wider_than_the_screen(tab, "the results")
        tab.screenshot(path=str(shots / f"ages-{width}-1-search.png"), full_page=True)

        suite.locator("a.book").click()
        tab.wait_for_url(re.compile(r"/book/\?.*child_ages=4%2C13"))
        assert "2 adults, 2 children (ages 4, 13)" in tab.locator("#stay").inner_text()
        assert [tab.locator(f"#room-1-ages-{n}").input_value() for n in (1, 2)] == ["4", "13"]
        pay = tab.locator("#booking-form button[type=submit]")
        assert pay.inner_text() == "Pay 1,322.04 USD and book"
        _no_wider_than_the_screen(tab, "the book page")
        tab.screenshot(path=str(shots / f"ages-{width}-2-book.png"), full_page=True)

        fill_guest_and_card(tab, "Ana", "Ruiz", "ana.ruiz@example.com", exp_year=friday.year + 4)
        pay.click()
        tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))

        reservation = Reservation.objects.get()
        assert (reservation.children, reservation.child_ages, str(reservation.grand_total)) == (
            2, [4, 13], "1322.040")
        main = tab.locator("main").inner_text()
        assert "2 adults, 2 children (ages 4, 13)" in main and "1,322.04 USD" in main
        _no_wider_than_the_screen(tab, "the confirmation")
        tab.screenshot(path=str(shots / f"ages-{width}-3-confirmation.png"), full_page=True)

        tab.goto(by_age.url + "/manage/")
        tab.fill("#id_confirmation_number", reservation.confirmation_number)
        tab.fill("#id_last_name", "Ruiz")
        tab.click("main form button[type=submit]")
        tab.wait_for_url(re.compile(r"/manage/booking/$"))
        assert "2 adults, 2 children (ages 4, 13)" in tab.locator(".booking-summary").inner_text()
        _no_wider_than_the_screen(tab, "Manage my booking")
        tab.screenshot(path=str(shots / f"ages-{width}-4-manage.png"), full_page=True)

    browse({"width": width, "height": height}, run)


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_deluxe_king_and_a_standard_queen_in_one_booking_paid_once(demo, shots, width, height):  # noqa: F811
    """The seed's prices: the Deluxe King for 2 adults on AAA, 664.14; the Standard Queen for an adult and a child of
    7 (no child bands: the child adds nothing): 541.74; 1,205.88 in one payment."""
    from bookings.models import Reservation
    from bookings.payments.models import PaymentAttempt

    friday = _next_friday()

    def run(tab):
        tab.goto(f"{demo.url}/book/?hotel=NYC&room_type=DELUXE-KING&rate_plan=AAA&check_in={friday.isoformat()}"
                 f"&check_out={(friday + timedelta(days=3)).isoformat()}&adults=2&children=0&rooms=2")
        tab.select_option("#room-2-room-type", "STANDARD-QUEEN")
        tab.select_option("#room-2-adults", "1")
        tab.select_option("#room-2-children", "1")
        tab.select_option("#room-2-ages-1", "7")   # our script added the child's age select
        tab.click("#rooms-update")
        tab.wait_for_url(re.compile(r"party_form=1"))
        price = tab.locator("#price").inner_text()
        assert "Room 1 · Deluxe King Room · 2 adults" in price
        assert "Room 2 · Standard Queen Room · 1 adult, 1 child (age 7)" in price
        assert "Total for 2 rooms: 1,205.88 USD" in price
        pay = tab.locator("#booking-form button[type=submit]")
        assert pay.inner_text() == "Pay 1,205.88 USD and book"
        _no_wider_than_the_screen(tab, "the book page")
        tab.screenshot(path=str(shots / f"types-{width}-1-book.png"), full_page=True)

        fill_guest_and_card(tab, "Ana", "Ruiz", "ana.ruiz@example.com", exp_year=friday.year + 4)
        pay.click()
        tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
        lead = Reservation.objects.get(lead__isnull=True)
        assert [(r.room_type.code, r.adults, r.children, r.child_ages, str(r.grand_total))
                for r in lead.booking_rooms()] == [("DELUXE-KING", 2, 0, [], "664.140"),
                                                   ("STANDARD-QUEEN", 1, 1, [7], "541.740")]
        assert [str(a.amount) for a in PaymentAttempt.objects.filter(step="BOOKING")] == ["1205.880"]
        main = tab.locator("main").inner_text()
        assert "Standard Queen Room" in main and "Total for 2 rooms: 1,205.88 USD" in main
        _no_wider_than_the_screen(tab, "the confirmation")
        tab.screenshot(path=str(shots / f"types-{width}-2-confirmation.png"), full_page=True)

    browse({"width": width, "height": height}, run)
