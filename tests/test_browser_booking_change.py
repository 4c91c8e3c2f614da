"""A clerk moves every room of a two-room booking to new dates from the console, in a real browser (Playwright
driving Debian's headless Chromium), at 1280 px and 390 px: the desk row's Change, "Change every room's dates",
each room's new price and the booking's, Confirm. Screenshots go to $SCREENSHOT_DIR (default: the test's tmp dir)
as booking-change-<width>-<step>.png.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.test_browser_booking import (
    _next_friday,
    browse,
    pytestmark,  # noqa: F401  (browser, chromium present, transactional db)
)
from tests.test_browser_desk_booking import console  # noqa: F401  (a fixture: the demo with its desk groups)


@pytest.fixture
def two_rooms(console):  # noqa: F811  (the fixture above)
    from bookings.services import RoomRequest, booking_create
    from bookings.tests.booking_setup import seed_request
    from bookings.tests.faulty_gateway import FaultyGateway

    friday = _next_friday() + timedelta(days=14)
    rooms = (RoomRequest("DELUXE-KING", adults=2), RoomRequest("STANDARD-QUEEN", adults=1, children=1,
                                                               child_ages=[7]))
    return booking_create(request=seed_request(friday, rooms=rooms), gateway=FaultyGateway()), friday


@pytest.mark.parametrize("width,height", [(1280, 900), (390, 844)])
def test_a_clerk_moves_every_room_of_a_booking_to_new_dates(console, two_rooms, shots, width, height):  # noqa: F811
    from bookings.models import Reservation

    lead, friday = two_rooms
    tuesday = friday + timedelta(days=4)

    def run(tab):
        tab.goto(console.url + "/admin/login/")
        tab.fill("#id_username", "frontdesk")
        tab.fill("#id_password", "frontdesk")
        tab.click("input[type=submit]")
        tab.wait_for_url("**/admin/frontdesk/stay/desk/**")
        tab.goto(f"{console.url}/admin/bookings/reservation/{lead.pk}/change-dates/")
        tab.click("#change-every-room")
        tab.wait_for_url(f"**/reservation/{lead.pk}/change-booking-dates/")
        tab.fill("#id_check_out", tuesday.isoformat())
        tab.click("input[name=quote]")
        table = tab.locator("#booking-change")
        assert "871.92" in table.inner_text() and "708.72" in table.inner_text()
        assert "1580.64" in table.locator("tfoot").inner_text()
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        tab.screenshot(path=str(shots / f"booking-change-{width}-1-preview.png"), full_page=True)
        tab.click("input[name=confirm]")
        tab.wait_for_url(f"**/reservation/{lead.pk}/change/")
        assert "2 rooms changed; new total 1580.64" in tab.locator(".messagelist").inner_text()
        tab.screenshot(path=str(shots / f"booking-change-{width}-2-done.png"), full_page=True)

    browse({"width": width, "height": height}, run)
    rooms = [Reservation.objects.get(pk=r.pk) for r in lead.booking_rooms()]
    assert [(r.check_out, r.grand_total) for r in rooms] == [(tuesday, Decimal("871.92")),
                                                             (tuesday, Decimal("708.72"))]
