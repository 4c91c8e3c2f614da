"""A guest asks for their data and opens the emailed link; a clerk opens the guest's data page in the admin. In a
real browser (Playwright driving Debian's headless Chromium), on a desktop and on a 390 px phone.

Screenshots are written to $SCREENSHOT_DIR (default: the test's tmp dir) as privacy-<width>-<step>.png.
"""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.test_browser_booking import (
    browse,
    pytestmark,  # noqa: F401  (browser, chromium present, transactional db)
)

VIEWPORTS = pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                                    ids=["desktop", "phone-390"])


@pytest.fixture
def guest_booking(live_server):
    from bookings.payments import Card, TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, guest=GuestDetails("Ana", "Lopez", "ana@example.com"),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"), marketing_consent=True), gateway=TestGateway())


def _fits(tab, width):
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


@VIEWPORTS
def test_a_guest_asks_for_their_data(guest_booking, live_server, shots, viewport):
    width = viewport["width"]

    def run(tab):
        tab.goto(live_server.url + "/privacy/")
        assert tab.locator("h1").inner_text() == "Your data"
        _fits(tab, width)
        tab.screenshot(path=str(shots / f"privacy-{width}-1-request.png"), full_page=True)
        tab.fill("#id_email", "ana@example.com")
        tab.click("button[type=submit]")
        tab.wait_for_selector(".notice")
        assert "If we hold data for this email address, we have sent it a link." in tab.locator(".notice").inner_text()
        _fits(tab, width)
        tab.screenshot(path=str(shots / f"privacy-{width}-2-sent.png"), full_page=True)

        [message] = [m for m in mail.outbox if m.subject == "Your data at Grand Hotels: your link"]
        path = re.search(r"(/privacy/link/[^/\s]+/)", message.body).group(1)
        tab.goto(live_server.url + path)
        assert tab.locator("button[value=download]").is_visible()
        assert tab.locator("button[value=erase]").is_visible()
        _fits(tab, width)
        tab.screenshot(path=str(shots / f"privacy-{width}-3-link.png"), full_page=True)
        with tab.expect_download() as download:
            tab.click("button[value=download]")
        assert download.value.suggested_filename.startswith("guest-data-")

    browse(viewport, run)


@VIEWPORTS
def test_a_clerk_opens_the_guests_data_page(guest_booking, live_server, shots, viewport):
    from tests.factories import staff_user

    width = viewport["width"]
    clerk = staff_user("privacyclerk", perms=["privacy.export_guest_data", "privacy.erase_guest_data"],
                       hotels=[guest_booking.hotel])
    clerk.set_password("privacy-clerk-pw")
    clerk.save()

    def run(tab):
        tab.goto(live_server.url + f"/admin/login/?next=/admin/privacy/guestdata/{guest_booking.guest_id}/change/")
        tab.fill("#id_username", "privacyclerk")
        tab.fill("#id_password", "privacy-clerk-pw")
        tab.click("input[type=submit]")
        tab.wait_for_selector(".guest-data")
        text = tab.locator(".guest-data").inner_text()
        assert "Ana Lopez <ana@example.com>" in text and guest_booking.confirmation_number in text
        assert "Marketing emails: agreed" in text
        for label in ("Download the data (ZIP)", "Withdraw marketing consent", "Erase personal data"):
            assert tab.get_by_role("button", name=label).is_visible()
        _fits(tab, width)  # the reservations table scrolls inside the page on a phone
        tab.screenshot(path=str(shots / f"privacy-{width}-4-admin.png"), full_page=True)

    browse(viewport, run)
