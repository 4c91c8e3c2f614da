"""Every guest page passes axe-core's WCAG 2.1 A/AA rules with no serious or critical violation, on a desktop
and on a 390 px phone: the search form and its results, the search form asking the children's ages (and refusing
one age too few), the results and the book page with them, the book page (and its error summary after a declined
card), the book page for two rooms with breakfast (and with a party refused), the confirmation, Manage my booking
(lookup, the booking, the change form), the privacy request page, and the results, two-room book page and Manage
my booking in German.
"""

import re
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections

from tests.axe import axe_available, axe_serious
from tests.test_browser_booking import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.skipif(not axe_available(), reason="node_modules/axe-core is not installed (make install)"),
    pytest.mark.django_db(transaction=True),
]

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(live_server):
    # A Tuesday in a quiet week: the stay below is a Friday to Monday, three weeks ahead.
    with time_machine.travel("2027-03-02T15:00:00Z", tick=True):
        call_command("seed_demo", stdout=StringIO())
        yield live_server


def _checked(tab, shots, viewport: str, name: str) -> list[str]:
    tab.screenshot(path=str(shots / f"a11y-{name}-{viewport}.png"), full_page=True)
    return [f"{name}: {line}" for line in axe_serious(tab)]


def _walk(tab, base: str, shots, viewport: str) -> list[str]:
    from django.urls import reverse

    from bookings.manage_links import manage_token
    from bookings.models import Reservation

    found = []
    tab.goto(base + "/")
    found += _checked(tab, shots, viewport, "search-form")
    tab.fill("#id_children", "2")  # our script adds an age select per child
    tab.locator("#child-ages-2").wait_for()
    found += _checked(tab, shots, viewport, "search-form-ages")
    tab.goto(f"{base}/?hotel=NYC&check_in=2027-03-26&check_out=2027-03-29&adults=2&children=2&child_ages=4")
    found += _checked(tab, shots, viewport, "search-ages-refused")  # one age for two children: the error
    tab.goto(f"{base}/?hotel=NYC&check_in=2027-03-26&check_out=2027-03-29&adults=2&children=2&child_ages=4,13")
    tab.wait_for_selector("#room-JUNIOR-SUITE")
    found += _checked(tab, shots, viewport, "search-results-ages")
    tab.locator("#room-JUNIOR-SUITE a.book").first.click()
    tab.wait_for_url(re.compile(r"/book/\?"))
    found += _checked(tab, shots, viewport, "book-ages")  # the rooms form with each child's age
    tab.goto(f"{base}/?hotel=NYC&check_in=2027-03-26&check_out=2027-03-29&adults=2&children=0&rate_plan=BAR")
    tab.wait_for_selector("#room-DELUXE-KING")
    found += _checked(tab, shots, viewport, "search-results")
    tab.locator("#room-DELUXE-KING a.book").first.click()
    tab.wait_for_url(re.compile(r"/book/\?"))
    found += _checked(tab, shots, viewport, "book")

    tab.fill("#id_first_name", "Ana")
    tab.fill("#id_last_name", "Lopez")
    tab.fill("#id_email", "ana.lopez@example.com")
    tab.fill("#id_card_number", "4000000000000002")
    tab.select_option("#id_exp_month", "12")
    tab.select_option("#id_exp_year", "2031")
    tab.fill("#id_cvc", "123")
    tab.fill("#id_holder_name", "Ana Lopez")
    tab.click("#booking-form button[type=submit]")
    tab.wait_for_selector("#form-errors")
    found += _checked(tab, shots, viewport, "book-declined")

    tab.fill("#id_card_number", "4242424242424242")
    tab.fill("#id_cvc", "123")
    tab.click("#booking-form button[type=submit]")
    tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    found += _checked(tab, shots, viewport, "confirmation")

    reservation = Reservation.objects.order_by("-pk").first()
    tab.goto(base + "/manage/")
    found += _checked(tab, shots, viewport, "manage-lookup")
    tab.goto(base + reverse("manage-link", args=[manage_token(reservation)]))
    tab.wait_for_url(re.compile(r"/manage/booking/$"))
    found += _checked(tab, shots, viewport, "manage-booking")
    change = tab.locator("a[href$='/manage/booking/change/']")
    if change.count():
        change.first.click()
        found += _checked(tab, shots, viewport, "manage-change")
    tab.goto(base + "/privacy/")
    found += _checked(tab, shots, viewport, "privacy-request")
    rooms = ("/book/?hotel=NYC&room_type=DELUXE-KING&rate_plan=BAR&check_in=2027-03-26&check_out=2027-03-29"
             "&adults=2&children=0&rooms=2&party=2-0,1-1&extras=BRKF:1")
    tab.goto(base + rooms)  # two rooms with breakfast: the rooms form and a price per room
    found += _checked(tab, shots, viewport, "book-rooms")
    tab.goto(base + rooms.replace("party=2-0,1-1", "party=2-0,0-1"))  # a party refused: the error and the form
    found += _checked(tab, shots, viewport, "book-rooms-refused")
    # The same pages in German (the switcher's cookie): longer words, the same structure.
    tab.context.add_cookies([{"name": "django_language", "value": "de", "url": base}])
    tab.goto(f"{base}/?hotel=NYC&check_in=2027-03-26&check_out=2027-03-29&adults=2&children=0&rooms=2")
    found += _checked(tab, shots, viewport, "search-results-de")
    tab.goto(base + rooms)
    found += _checked(tab, shots, viewport, "book-rooms-de")
    tab.goto(base + reverse("manage-link", args=[manage_token(reservation)]))
    tab.wait_for_url(re.compile(r"/manage/booking/$"))
    found += _checked(tab, shots, viewport, "manage-booking-de")
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_guest_page_has_no_serious_accessibility_violation(demo, shots, viewport):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORTS[viewport], device_scale_factor=1)
        context.set_default_timeout(15_000)
        tab = context.new_page()
        try:
            found = _walk(tab, demo.url, shots, viewport)
        finally:
            context.close()
            browser.close()
            connections.close_all()
    assert found == []


def test_the_check_finds_what_a_screen_reader_user_would_miss():
    """The check itself can fail: an image with no alt text and an unlabeled field are reported."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page()
            tab.set_content('<html lang="en"><head><title>t</title></head><body><main><img src="data:,">'
                            '<input type="text"></main></body></html>')
            found = axe_serious(tab)
        finally:
            browser.close()
    assert [line.split(" ")[0] for line in found] == ["image-alt", "label"]
