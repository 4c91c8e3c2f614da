"""A clerk changes a stay under way in a real browser: a room move (an upgrade, repriced) and an extension by
a night, each previewed with its price before it is confirmed; at desktop width and on a 390 px phone.
Screenshots go to test-results/inhouse-*.png."""

import os
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from tests.test_browser_booking import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
PASSWORD = "correct horse battery staple"
NEW_YORK = ZoneInfo("America/New_York")


def _ny(day, hour):
    return datetime.combine(day, time(hour), tzinfo=NEW_YORK)


@pytest.fixture
def in_house(live_server):
    """The seed's stay (Deluxe King, AAA, Friday to Monday, 664.14 paid) checked in to 1204 on Friday, its
    first night posted; the clock then stands on Saturday morning in New York."""
    from io import StringIO

    from django.core.management import call_command

    from bookings.payments import Card, TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create
    from frontdesk.permissions import FRONT_DESK_GROUP
    from frontdesk.services import stay_check_in, stay_nights_post
    from inventory.models import Hotel
    from tests.factories import staff_user

    call_command("seed_demo", stdout=StringIO())
    call_command("front_desk_group", verbosity=0)
    today = timezone.localdate()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    stay = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123")), gateway=TestGateway())
    with time_machine.travel(_ny(friday, 15), tick=False):
        stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=["1204"])
    stay_nights_post(reservation_id=stay.pk, through=friday)
    user = staff_user("maria", groups=[FRONT_DESK_GROUP], hotels=[Hotel.objects.get(code="NYC")])
    user.set_password(PASSWORD)
    user.save()
    with time_machine.travel(_ny(friday + timedelta(days=1), 10), tick=True):
        yield stay, friday


@pytest.fixture
def desk(live_server, in_house):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        refused = []
        tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            tab.goto(live_server.url + "/admin/login/")
            tab.fill("#id_username", "maria")
            tab.fill("#id_password", PASSWORD)
            tab.click("input[type=submit]")
            tab.wait_for_url(live_server.url + "/admin/frontdesk/stay/desk/")  # a clerk lands on the desk
            yield tab
            assert refused == [], refused
        finally:
            context.close()
            browser.close()
            connections.close_all()


def _shot(page, name):
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"inhouse-{name}.png"), full_page=True)


def _phone(page, name):
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    _shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_clerk_moves_the_guest_to_a_suite_from_the_console(desk, live_server, in_house):
    from frontdesk.models import RoomAssignment

    stay, friday = in_house
    page = desk
    page.goto(f"{live_server.url}/admin/frontdesk/stay/{stay.pk}/folio/")
    page.click("#inhouse-actions >> text=Move room")
    page.wait_for_url("**/move-room/")
    radios = page.locator("input[name=to_room]")
    assert radios.first.get_attribute("value") == "1201"  # the stay's own type first
    page.check("input[name=to_room][value='1401']")
    page.check("input[name=reprice][value='1']")
    page.fill("#id_reason", "Upgrade sold at the desk")
    _shot(page, "move-1-pick-1280")
    _phone(page, "move-1-pick")
    page.click("input[type=submit][value='Show the move']")
    preview = page.locator("#move-preview").inner_text()
    assert "1204" in preview and "1401" in preview and "980.34 USD" in preview and "316.20" in preview
    _shot(page, "move-2-preview-1280")
    _phone(page, "move-2-preview")
    page.click("input[type=submit][value='Confirm move']")
    page.wait_for_url("**/folio/")
    message = page.locator(".messagelist").inner_text()
    assert "moved from room 1204 to 1401; 316.20 USD on the folio, settled at check-out" in message
    assert "316.20 USD (charged to the card on file)" in page.locator("#due-at-check-out").inner_text()
    _shot(page, "move-3-done-1280")
    _phone(page, "move-3-done")
    assert list(RoomAssignment.objects.filter(reservation=stay).order_by("pk")
                .values_list("room__number", flat=True)) == ["1204", "1401"]


def test_a_clerk_extends_the_stay_by_a_night(desk, live_server, in_house):
    from bookings.models import Reservation

    stay, friday = in_house
    tuesday = friday + timedelta(days=4)
    page = desk
    page.goto(f"{live_server.url}/admin/frontdesk/stay/{stay.pk}/folio/")
    page.click("#inhouse-actions >> text=Change stay")
    page.wait_for_url("**/change-stay/")
    page.fill("#id_check_out", tuesday.isoformat())
    _shot(page, "extend-1-form-1280")
    _phone(page, "extend-1-form")
    page.click("input[type=submit][value='Show the price']")
    table = page.locator("#change-preview").inner_text()
    assert "664.14 → 871.92 USD" in table and "207.78 USD" in table and "170.10" in table
    _shot(page, "extend-2-preview-1280")
    _phone(page, "extend-2-preview")
    page.click("input[type=submit][value='Confirm change']")
    page.wait_for_url("**/folio/")
    assert "the bill moves by 207.78 USD, settled at check-out" in page.locator(".messagelist").inner_text()
    _shot(page, "extend-3-done-1280")
    assert Reservation.objects.get(pk=stay.pk).check_out == tuesday
