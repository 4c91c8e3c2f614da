"""A clerk books a walk-in from the console in a real browser (Playwright driving Debian's headless Chromium), at
1280 px and on a 390 px phone: desk -> New booking -> "Book this" on a room -> name and email -> Book, paying at
the hotel; the confirmation offers "Check in now". Screenshots go to $SCREENSHOT_DIR (default: the test's tmp
dir) as desk-booking-<width>-<step>.png.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.test_browser_booking import (
    browse,
    pytestmark,  # noqa: F401  (browser, chromium present, transactional db)
)


@pytest.fixture
def console(live_server):
    call_command("front_desk_group", verbosity=0)  # a transactional test's flush removed the migration's groups
    call_command("seed_demo", stdout=StringIO())  # the clerk "frontdesk" (password frontdesk) works at NYC
    return live_server


def _walk_in(tab, base_url, shots, width):
    from bookings.models import Payment, Reservation

    tab.goto(base_url + "/admin/login/?next=/admin/frontdesk/stay/desk/")
    tab.fill("#id_username", "frontdesk")
    tab.fill("#id_password", "frontdesk")
    tab.click("input[type=submit]")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/desk/"))
    tab.click("#new-booking")                                                     # click 1
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/"))
    offers = tab.locator("#room-offers")
    assert "Deluxe King Room" in offers.inner_text() and "Book this" in offers.inner_text()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"desk-booking-{width}-1-rooms.png"), full_page=True)
    offers.locator("tr[data-room-type=DELUXE-KING] a.button").click()            # click 2
    tab.wait_for_url(re.compile(r"room_type=DELUXE-KING"))
    total = re.search(r"([\d,]+\.\d\d) USD", tab.locator("#guest").inner_text()).group(1)
    tab.fill("#id_first_name", "Walk")
    tab.fill("#id_last_name", "Inguest")
    tab.fill("#id_email", "walk.in@example.com")
    assert tab.locator("input[name=guarantee][value=AT_HOTEL]").is_checked()   # the walk-in's default
    assert tab.locator("#price-override").count() == 0                          # a clerk, not a manager
    assert not tab.locator("#id_card_number").is_visible()                      # no card for pay at hotel
    tab.check("input[name=guarantee][value=CARD]")
    assert tab.locator("#id_card_number").is_visible()
    tab.check("input[name=guarantee][value=AT_HOTEL]")
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"desk-booking-{width}-2-guest.png"), full_page=True)
    tab.click("#book-button")                                                     # click 3
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/\d+/done/"))
    number = tab.locator("#confirmation-number").inner_text().strip()
    assert re.fullmatch(r"GH-NYC-\d{13}", number)
    assert tab.locator("#booked-total").inner_text() == f"{total} USD"
    assert tab.locator("#booked-charged").inner_text() == "0.00 USD"
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"desk-booking-{width}-3-booked.png"), full_page=True)
    r = Reservation.objects.get(confirmation_number=number)
    assert (r.status, r.channel, Payment.objects.filter(reservation=r).count()) == ("CONFIRMED", "WALK_IN", 0)
    tab.click("#check-in-now")
    tab.wait_for_url(re.compile(rf"/admin/frontdesk/stay/{r.pk}/check-in/"))
    assert number in tab.locator("#content").inner_text()


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_clerk_books_a_walk_in_paying_at_the_hotel_in_three_clicks(console, shots, width, height):
    browse({"width": width, "height": height}, lambda tab: _walk_in(tab, console.url, shots, width))


def _with_breakfast(tab, base_url, shots, width):
    from bookings.models import Reservation

    tab.goto(base_url + "/admin/login/?next=/admin/frontdesk/stay/book/")
    tab.fill("#id_username", "frontdesk")
    tab.fill("#id_password", "frontdesk")
    tab.click("input[type=submit]")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/"))
    tab.locator("#room-offers tr[data-room-type=DELUXE-KING] a.button").click()
    tab.wait_for_url(re.compile(r"room_type=DELUXE-KING"))
    before = re.search(r"([\d,]+\.\d\d) USD", tab.locator("#guest").inner_text()).group(1)
    tab.fill("#id_first_name", "Bree")
    tab.fill("#id_last_name", "Kfast")
    tab.fill("#id_email", "bree@example.com")
    tab.fill("#id_extra_BRKF", "1")
    tab.click("#update-rooms")
    tab.wait_for_selector("#extras-total")
    heading = tab.locator("#guest").inner_text()
    total = re.search(r"([\d,]+\.\d\d) USD", heading).group(1)
    assert "with extras" in heading and total != before
    assert "Breakfast" in tab.locator("#extras-total").inner_text()
    assert tab.input_value("#id_first_name") == "Bree"  # what was typed is kept
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.locator("#extras").screenshot(path=str(shots / f"desk-booking-{width}-4-extras.png"))
    tab.screenshot(path=str(shots / f"desk-booking-{width}-4-extras-page.png"), full_page=True)
    tab.click("#book-button")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/\d+/done/"))
    assert tab.locator("#booked-total").inner_text() == f"{total} USD"
    r = Reservation.objects.get(confirmation_number=tab.locator("#confirmation-number").inner_text().strip())
    assert [e.code for e in r.extras.all()] == ["BRKF"]


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_clerk_adds_breakfast_and_books_at_the_total_shown(console, shots, width, height):
    browse({"width": width, "height": height}, lambda tab: _with_breakfast(tab, console.url, shots, width))
