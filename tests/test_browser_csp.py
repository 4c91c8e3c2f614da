"""The pages' own scripts run under the Content-Security-Policy in a real browser, and the admin works.

The `page` fixture fails a test on any violation Chromium reports; these tests also check that each moved
script (static/js/) still does its job.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from tests import test_browser_booking as booking
from tests.factories import HotelFactory

# The booking browser tests' fixtures (headless Chromium failing on any CSP violation, the seeded live server).
pytestmark = booking.pytestmark
demo, page = booking.demo, booking.page

PASSWORD = "correct horse battery staple"


def test_the_book_page_script_disables_the_button_once_submitted(page, demo):
    friday = booking._next_friday()
    page.goto(demo.url + "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""}))
    # A submit event without the navigation: only book.js reacts to it.
    page.eval_on_selector("#booking-form", "form => form.dispatchEvent(new Event('submit'))")
    button = page.locator("#booking-form button[type=submit]")
    assert button.is_disabled() and button.inner_text() == "Booking\u2026"


@pytest.fixture
def staff_page(page, demo):
    User.objects.create_superuser("boss", "boss@grandhotel.example", PASSWORD)
    page.goto(demo.url + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(demo.url + "/admin/")
    return page


def test_the_console_hotel_picker_and_the_admin_run_under_the_policy(staff_page, demo):
    from inventory.models import Hotel

    HotelFactory(code="SFO", name="Grand Hotel SFO")
    page = staff_page
    page.goto(demo.url + "/admin/frontdesk/stay/desk/?hotel=NYC")
    with page.expect_navigation():
        page.select_option("#hotel-picker", "SFO")  # console.js submits the picker's form
    assert "hotel=SFO" in page.url

    nyc = Hotel.objects.get(code="NYC")
    for path in (f"/admin/inventory/hotel/{nyc.pk}/inventory-grid/", f"/admin/inventory/hotel/{nyc.pk}/change/",
                 "/admin/inventory/inventoryday/", "/admin/bookings/reservation/", "/admin/auth/user/add/",
                 "/admin/pricing/rateplan/add/", "/admin/frontdesk/stay/rack/?hotel=NYC"):
        page.goto(demo.url + path)
        assert page.locator("#content").count() == 1, path

    # The admin's own scripts still run: the date widget's "Today" shortcut fills the field.
    page.goto(demo.url + "/admin/pricing/rateoverride/add/")
    page.locator("#id_date").locator("xpath=..").get_by_text("Today").click()
    assert page.input_value("#id_date") == timezone.localdate().isoformat()
