"""The clerk's console in a real browser: log in, land on today's desk, find a booking by the name it was booked
under and open the stay; the desk at 1280, 1024 and 390 px wide (screenshots in test-results/)."""

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from bookings.models import Guest, Reservation
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.permissions import FRONT_DESK_GROUP
from inventory.models import Hotel
from pricing.search import hotel_today

from .test_browser_booking import CHROMIUM, demo, page  # noqa: F401  (the same browser and live server)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]
RESULTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(__file__).resolve().parent.parent / "test-results")


def _arrival(day, first, last, email, *, nights=2, room_type="DELUXE-KING", requests=""):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code=room_type, rate_plan_code="BAR", check_in=day,
        check_out=day + timedelta(days=nights), adults=2,
        guest=GuestDetails(first, last, email, phone="+1 212 555 0142"), special_requests=requests,
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123")), gateway=TestGateway())


@pytest.fixture
def desk_day(demo):  # noqa: F811
    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():
        call_command("front_desk_group", verbosity=0)
    clerk = User.objects.create_user("maria", password="pw-desk-2026", is_staff=True)
    clerk.groups.add(Group.objects.get(name=FRONT_DESK_GROUP))
    nyc = Hotel.objects.get(code="NYC")
    nyc.staff.add(clerk)
    today = hotel_today(nyc)
    _arrival(today, "Jane", "Doe", "jane@example.com", requests="High floor, far from the lift; late check-in")
    booked = _arrival(today, "Janet", "Traveller", "jane@example.com", room_type="STANDARD-QUEEN",
                      requests="Baby cot")  # booked for someone else under Jane's profile
    vip = _arrival(today, "Ada", "Lovelace-Byron", "ada@example.com", nights=4)
    Guest.objects.filter(pk=vip.guest_id).update(vip=True, loyalty_number="GH-778899")
    Reservation.objects.filter(pk=booked.pk).update(arrival_time=time(22, 15), source="Booking.com")
    return booked


def _shot(tab, width, name):
    tab.set_viewport_size({"width": width, "height": 900})
    tab.screenshot(path=str(RESULTS / name), full_page=True)
    # Nothing sticks out of the page sideways: the tables scroll inside their own box.
    overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{name}: {overflow}px wider than the screen"


def test_a_clerk_finds_a_booking_by_the_booked_name_and_opens_the_stay(page, demo, desk_day):  # noqa: F811
    RESULTS.mkdir(exist_ok=True)
    page.goto(demo.url + "/admin/")
    page.fill("#id_username", "maria")
    page.fill("#id_password", "pw-desk-2026")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/frontdesk/stay/desk/**")
    assert "Arrivals (3)" in page.inner_text("#content")
    for width, name in ((1280, "desk-1280.png"), (1024, "desk-1024.png"), (390, "desk-390.png")):
        _shot(page, width, name)
    # Confirmation numbers and buttons keep to one line.
    for selector in ("td.nowrap a", ".desk-buttons a.button"):
        heights = page.eval_on_selector_all(selector, "els => els.map(e => e.getClientRects().length)")
        assert heights and set(heights) == {1}, (selector, heights)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#console-q", "traveller")
    page.click(".console-search input[type=submit]")
    page.wait_for_url("**/search/?q=traveller")
    results = page.locator("table.desk-results tbody tr")
    assert results.count() == 1
    assert "Janet Traveller" in results.inner_text() and "(profile: Jane Doe)" in results.inner_text()
    _shot(page, 390, "desk-search-390.png")
    page.set_viewport_size({"width": 1280, "height": 900})
    results.locator("a").first.click()
    page.wait_for_url(f"**/admin/frontdesk/stay/{desk_day.pk}/folio/")
    assert desk_day.confirmation_number in page.inner_text("#content")
    assert "History" in page.inner_text("#content")
    _shot(page, 1024, "desk-stay-1024.png")
    # The cancel page from the stay: the figures before confirming, readable on a phone.
    page.locator("p.desk-buttons a", has_text="Cancel").click()
    page.wait_for_url(f"**/admin/frontdesk/stay/{desk_day.pk}/cancel/")
    assert "Refund" in page.inner_text("table.desk-figures")
    _shot(page, 1024, "desk-cancel-1024.png")
    _shot(page, 390, "desk-cancel-390.png")
