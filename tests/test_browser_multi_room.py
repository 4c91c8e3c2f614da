"""Two rooms with breakfast, booked in a real browser at 1366 and 390 px wide.

The guest searches for two rooms (two adults each), books the Deluxe King on AAA, gives the second room one adult
and a child on the book page, adds breakfast (every room takes it), pays once and sees both rooms on the
confirmation and in Manage my booking. A Friday-to-Monday Deluxe King on AAA is 664.14 a room; breakfast for two
adds 147.00 and its 12% tax 17.64: 828.78 a room, 1,657.56 for the two, one charge. Screenshots go to
$SCREENSHOT_DIR (default: the test's tmp dir)."""

import re
from datetime import timedelta

import pytest

from .test_browser_booking import _next_friday, browse, demo, fill_guest_and_card  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_wider_than_the_screen(tab, name):
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{name} is {overflow}px wider than the screen"


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_two_rooms_with_breakfast(demo, shots, width, height):  # noqa: F811
    from bookings.models import Reservation
    from bookings.payments.models import PaymentAttempt

    friday = _next_friday()

    def run(tab):
        tab.goto(demo.url + "/")
        tab.select_option("#id_hotel", "NYC")
        tab.fill("#id_check_in", friday.isoformat())
        tab.fill("#id_check_out", (friday + timedelta(days=3)).isoformat())
        tab.fill("#id_rooms", "2")
        tab.fill("#id_adults", "2")
        tab.select_option("#id_rate_plan", "AAA")
        tab.click("form.search-form button[type=submit]:not([name=party_update])")
        king = tab.locator("#rate-DELUXE-KING-AAA")
        assert "664.14 USD" in king.inner_text() and "1,328.28 USD for 2 rooms" in king.inner_text()
        assert "2 rooms" in tab.locator(".stay-summary").inner_text()
        tab.screenshot(path=str(shots / f"rooms-{width}-1-search.png"), full_page=True)
        king.locator("a.book").click()
        tab.wait_for_url(re.compile(r"/book/\?.*rooms=2"))

        rooms = tab.locator("#rooms")
        assert rooms.locator("fieldset.room-party").count() == 2
        tab.select_option("#room-2-adults", "1")
        tab.select_option("#room-2-children", "1")
        tab.click("#rooms-update")
        tab.wait_for_url(re.compile(r"party_form=1.*room_children=1"))
        price = tab.locator("#price").inner_text()
        assert "Room 1 · 2 adults" in price and "Room 2 · 1 adult, 1 child" in price
        assert "Total for 2 rooms: 1,328.28 USD" in price

        tab.check("#extras input[value=BRKF]")  # the script re-prices at once
        tab.wait_for_url(re.compile(r"extra=BRKF"))
        price = tab.locator("#price").inner_text()
        assert price.count("Breakfast (6 guest-nights)") == 2 and "Total for 2 rooms: 1,657.56 USD" in price
        assert "Room 2 · 1 adult, 1 child" in price  # the rooms kept their parties
        pay = tab.locator("#booking-form button[type=submit]")
        assert pay.inner_text() == "Pay 1,657.56 USD and book"
        _no_wider_than_the_screen(tab, "the book page")
        tab.screenshot(path=str(shots / f"rooms-{width}-2-book.png"), full_page=True)
        if width == 390:  # phone first: the total and the Pay button are on screen while the form is filled
            tab.locator("#id_first_name").scroll_into_view_if_needed()
            assert pay.is_visible() and "1,657.56 USD" in tab.locator(".pay-total").inner_text()
            tab.screenshot(path=str(shots / f"rooms-{width}-2-book-sticky.png"))

        fill_guest_and_card(tab, "Ana", "Ruiz", "ana.ruiz@example.com", exp_year=friday.year + 4)
        pay.click()
        tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))

        lead = Reservation.objects.get(lead__isnull=True)
        rooms = lead.booking_rooms()
        assert [(r.adults, r.children, str(r.grand_total), r.status) for r in rooms] == [
            (2, 0, "828.780", "CONFIRMED"), (1, 1, "828.780", "CONFIRMED")]
        assert [str(a.amount) for a in PaymentAttempt.objects.filter(step="BOOKING")] == ["1657.560"]
        listed = tab.locator("#rooms").inner_text()
        assert lead.confirmation_number in listed and f"{lead.confirmation_number}-2" in listed
        main = tab.locator("main").inner_text()
        assert "Total for 2 rooms: 1,657.56 USD" in main and "Paid 1,657.56 USD by Visa ending in 4242." in main
        _no_wider_than_the_screen(tab, "the confirmation")
        tab.screenshot(path=str(shots / f"rooms-{width}-3-confirmation.png"), full_page=True)

        tab.goto(demo.url + "/manage/")
        tab.fill("#id_confirmation_number", lead.confirmation_number)
        tab.fill("#id_last_name", "Ruiz")
        tab.click("main form button[type=submit]")
        tab.wait_for_url(re.compile(r"/manage/booking/$"))
        summary = tab.locator(".booking-summary").inner_text()
        assert "Room 1" in summary and "Room 2" in summary and "1 adult, 1 child" in summary
        assert "1,657.56 USD" in tab.locator("[data-total]").inner_text()
        assert tab.locator("a[href$='/manage/booking/cancel/']").inner_text() == "Cancel every room"
        _no_wider_than_the_screen(tab, "Manage my booking")
        tab.screenshot(path=str(shots / f"rooms-{width}-4-manage.png"), full_page=True)

    browse({"width": width, "height": height}, run)
