"""A clerk books a phone guest into two room types in one booking, in a real browser (Playwright driving Debian's
headless Chromium) at 1280 px and on a 390 px phone: New booking -> Phone, 2 adults -> "Book this" on the Deluxe
King -> "Add a room" -> Standard Queen for 1 adult and a child of 7 -> "Update prices" -> name and email -> Book,
paying at the hotel; the confirmation lists both rooms. Screenshots go to $SCREENSHOT_DIR (default: the test's tmp
dir) as desk-booking-rooms-<width>-<step>.png.
"""

import re
from decimal import Decimal

import pytest

from tests.test_browser_booking import (
    browse,
    pytestmark,  # noqa: F401  (browser, chromium present, transactional db)
)
from tests.test_browser_desk_booking import console  # noqa: F401  (a fixture)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "").replace("USD", "").strip())


def _two_room_types(tab, base_url, shots, width):  # noqa: F811
    from bookings.models import Payment, Reservation

    tab.goto(base_url + "/admin/login/?next=/admin/frontdesk/stay/desk/")
    tab.fill("#id_username", "frontdesk")
    tab.fill("#id_password", "frontdesk")
    tab.click("input[type=submit]")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/desk/"))
    tab.click("#new-booking")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/"))
    tab.select_option("#id_booked_how", "PHONE")
    tab.fill("#id_adults", "2")
    tab.click("#show-rooms")
    tab.wait_for_url(re.compile(r"booked_how=PHONE"))
    tab.locator("#room-offers tr[data-room-type=DELUXE-KING] a.button").click()
    tab.wait_for_url(re.compile(r"room_type=DELUXE-KING"))
    tab.fill("#id_first_name", "Phone")
    tab.fill("#id_last_name", "Family")
    tab.fill("#id_email", "phone.family@example.com")
    tab.click("#add-room")                                              # one more line, what was typed kept
    tab.wait_for_selector("#booking-form select[name=room_type_2]")
    assert tab.input_value("#id_last_name") == "Family"
    tab.select_option("#booking-form select[name=room_type_2]", "STANDARD-QUEEN")
    tab.fill("#booking-form input[name=adults_2]", "1")
    tab.fill("#booking-form input[name=children_2]", "1")
    tab.fill("#booking-form input[name=child_ages_2]", "7")
    tab.click("#update-rooms")
    tab.wait_for_selector("#rooms-total")
    lines = tab.locator("#room-lines tbody tr")
    assert lines.count() == 2
    totals = [_amount(lines.nth(i).locator(".room-line-total").inner_text()) for i in range(2)]
    total = _amount(tab.locator("#rooms-total").inner_text())
    assert total == sum(totals) and all(t > 0 for t in totals)
    assert tab.input_value("#booking-form select[name=room_type_2]") == "STANDARD-QUEEN"
    assert tab.locator("input[name=guarantee][value=AT_HOTEL]").is_checked()
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"desk-booking-rooms-{width}-1-lines.png"), full_page=True)
    tab.click("#book-button")
    tab.wait_for_url(re.compile(r"/admin/frontdesk/stay/book/\d+/done/"))
    number = tab.locator("#confirmation-number").inner_text().strip()
    booked = tab.locator("#booked-rooms tbody tr")
    assert booked.count() == 2
    assert [booked.nth(i).locator(".booked-room-number").inner_text() for i in range(2)] == [number, f"{number}-2"]
    assert "Standard Queen Room" in booked.nth(1).inner_text() and "age 7" in booked.nth(1).inner_text()
    assert _amount(tab.locator("#booked-total").inner_text()) == total
    assert tab.locator("#booked-charged").inner_text() == "0.00 USD"
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"desk-booking-rooms-{width}-2-booked.png"), full_page=True)
    lead = Reservation.objects.get(confirmation_number=number)
    rooms = lead.booking_rooms()
    assert [r.room_type.code for r in rooms] == ["DELUXE-KING", "STANDARD-QUEEN"]
    assert [r.grand_total for r in rooms] == totals and all(r.status == "CONFIRMED" for r in rooms)
    assert Payment.objects.filter(reservation__in=rooms).count() == 0


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_clerk_books_a_phone_guest_into_two_room_types(console, shots, width, height):  # noqa: F811
    browse({"width": width, "height": height}, lambda tab: _two_room_types(tab, console.url, shots, width))
