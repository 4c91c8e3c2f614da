"""A guest books the seed's stay with breakfast (and parking) in a real browser, at 1366 and 390 px wide.

The book page offers the hotel's extras as boxes; ticking one re-prices the stay on the server (a small script of
ours sends the extras form). The Deluxe King at AAA, Friday to Monday, two adults: 664.14; breakfast for two
adds 147.00 and its 12% tax 17.64 (828.78); parking for one car adds 135.00 and 16.20 (979.98). The
confirmation page and email list the extras; Manage my booking takes parking off again (refund 151.20).
Screenshots go to $SCREENSHOT_DIR (default: the test's tmp dir).
"""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail

from .test_browser_booking import _next_friday, browse, demo  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _book_url(base, friday):
    return base + "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0})


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_a_guest_books_with_breakfast_and_changes_the_extras_later(demo, shots, width, height):  # noqa: F811
    from bookings.models import Reservation

    friday = _next_friday()

    def run(tab):
        tab.goto(_book_url(demo.url, friday))
        extras = tab.locator("#extras")
        assert "Breakfast" in extras.inner_text() and "24.50 USD per person per night" in extras.inner_text()
        assert "664.14" in tab.locator("#price").inner_text()

        tab.check("#extras input[value=BRKF]")          # the script re-prices at once
        tab.wait_for_url(re.compile(r"extra=BRKF"))
        price = tab.locator("#price").inner_text()
        assert "Breakfast (6 guest-nights)" in price and "147.00" in price and "828.78 USD" in price
        tab.check("#extras input[value=PARK]")
        tab.wait_for_url(re.compile(r"extra=PARK"))
        assert "979.98 USD" in tab.locator("#price").inner_text()
        tab.uncheck("#extras input[value=PARK]")
        tab.wait_for_function("!location.search.includes('extra=PARK')")
        assert "828.78 USD" in tab.locator("#price").inner_text()
        assert tab.locator("#booking-form button[type=submit]").inner_text() == "Pay 828.78 USD and book"
        tab.locator("#extras").scroll_into_view_if_needed()
        tab.screenshot(path=str(shots / f"extras-{width}-1-book.png"), full_page=True)

        tab.fill("#id_first_name", "John")
        tab.fill("#id_last_name", "Smith")
        tab.fill("#id_email", "john.smith@example.com")
        tab.fill("#id_card_number", "4242424242424242")
        tab.select_option("#id_exp_month", "12")
        tab.select_option("#id_exp_year", str(friday.year + 4))
        tab.fill("#id_cvc", "123")
        tab.fill("#id_holder_name", "John Smith")
        tab.click("#booking-form button[type=submit]")
        tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
        text = tab.locator("main").inner_text()
        assert "Breakfast" in text and "147.00" in text and "828.78 USD" in text
        tab.screenshot(path=str(shots / f"extras-{width}-2-confirmation.png"), full_page=True)

        reservation = Reservation.objects.get()
        assert str(reservation.grand_total) == "828.780"
        assert [(e.code, str(e.amount)) for e in reservation.extras.all()] == [("BRKF", "147.000")]
        assert "Breakfast  147.00" in mail.outbox[0].body

        # Manage my booking: add parking, then see the price; confirm.
        tab.goto(demo.url + "/manage/")
        tab.fill("#id_confirmation_number", reservation.confirmation_number)
        tab.fill("#id_last_name", "Smith")
        tab.click("main form button[type=submit]")
        tab.goto(demo.url + "/manage/booking/change/")
        tab.check(".extras-choices input[value=PARK]")
        tab.click("button[name=quote]")
        section = tab.locator("section[aria-label='New price']")
        assert "Parking" in section.inner_text() and "979.98" in section.inner_text()
        assert "151.20" in section.inner_text()
        tab.screenshot(path=str(shots / f"extras-{width}-3-manage.png"), full_page=True)
        tab.click("button[name=confirm]")
        tab.wait_for_url(re.compile(r"/manage/booking/$"))
        assert "151.20" in tab.locator("main").inner_text()
        reservation.refresh_from_db()
        assert str(reservation.grand_total) == "979.980"

    browse({"width": width, "height": height}, run)
