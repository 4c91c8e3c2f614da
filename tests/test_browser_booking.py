"""A guest books through the pages in a real browser (Playwright driving Debian's headless Chromium).

Search, choose the Deluxe King on the AAA rate, enter guest and card, see the confirmation number; and, with
a declined card, see why with the form still filled in.
"""

import os
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

# Playwright's sync API runs an event loop in this thread; the ORM calls made here are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=StringIO())
    return live_server


@pytest.fixture
def page(demo):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context()
        context.set_default_timeout(15_000)
        tab = context.new_page()
        # The site's Content-Security-Policy is on (DEBUG is off): whatever it blocks, Chromium reports here.
        refused = []
        tab.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)
        try:
            yield tab
            assert refused == [], refused
        finally:
            context.close()
            browser.close()
            # The ORM calls made while Playwright runs get their own connection (Django's connections are
            # context-local): close it, or PostgreSQL cannot drop the test database at the end.
            connections.close_all()


def browse(viewport: dict, run):
    """Run `run(tab)` in a fresh headless Chromium tab of this size; no Content-Security-Policy refusal may occur."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport, device_scale_factor=1)
        context.set_default_timeout(15_000)
        tab = context.new_page()
        refused = []
        tab.on("console", lambda message: refused.append(message.text)
               if "Content Security Policy" in message.text else None)
        try:
            run(tab)
            assert refused == [], refused
        finally:
            context.close()
            browser.close()
            connections.close_all()


def _next_friday():
    today = timezone.localdate()
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def _search_and_choose(page, base_url, friday):
    page.goto(base_url + "/")
    page.select_option("#id_hotel", "NYC")
    page.fill("#id_check_in", friday.isoformat())
    page.fill("#id_check_out", (friday + timedelta(days=3)).isoformat())
    page.fill("#id_adults", "2")
    page.fill("#id_children", "0")
    page.select_option("#id_rate_plan", "AAA")
    page.click("button[type=submit]")
    offer = page.locator("#room-DELUXE-KING")
    assert "664.14" in offer.inner_text()
    offer.locator("a.book").click()
    page.wait_for_url(re.compile(r"/book/\?"))
    assert "664.14" in page.locator("#price").inner_text()


def fill_guest_and_card(page, first_name: str, last_name: str, email: str, *, card="4242424242424242",
                        exp_year: int | None = None):
    """The book page's guest name and email and the test gateway's card fields, as a guest types them."""
    page.fill("#id_first_name", first_name)
    page.fill("#id_last_name", last_name)
    page.fill("#id_email", email)
    page.fill("#id_card_number", card)
    page.select_option("#id_exp_month", "12")
    page.select_option("#id_exp_year", str(exp_year or timezone.localdate().year + 4))
    page.fill("#id_cvc", "123")
    page.fill("#id_holder_name", f"{first_name} {last_name}")


def _fill_guest_and_card(page, card):
    fill_guest_and_card(page, "John", "Smith", "john.smith@example.com", card=card)
    page.fill("#id_phone", "+1 212 555 0199")
    page.fill("#id_special_requests", "High floor, please")


def test_a_guest_searches_chooses_a_room_pays_and_sees_the_confirmation_number(page, demo):
    from bookings.models import Reservation

    friday = _next_friday()
    _search_and_choose(page, demo.url, friday)
    _fill_guest_and_card(page, "4242424242424242")
    page.click("#booking-form button[type=submit]")

    page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    number = page.locator("#confirmation-number").inner_text().strip()
    assert re.fullmatch(rf"GH-NYC-{friday:%Y%m%d}\d{{5}}", number)
    text = page.locator("main").inner_text()
    assert "Your booking is confirmed" in text and "664.14 USD" in text and "ending in 4242" in text
    assert Reservation.objects.get().confirmation_number == number
    assert len(mail.outbox) == 1 and number in mail.outbox[0].subject


def test_a_declined_card_shows_the_decline_with_the_form_still_filled_but_the_card(page, demo):
    from bookings.models import Reservation

    _search_and_choose(page, demo.url, _next_friday())
    _fill_guest_and_card(page, "4000000000000002")
    page.click("#booking-form button[type=submit]")

    page.wait_for_selector("#form-errors")
    assert "The card was declined. Please use another card." in page.locator("#form-errors").inner_text()
    assert page.input_value("#id_first_name") == "John"
    assert page.input_value("#id_last_name") == "Smith"
    assert page.input_value("#id_email") == "john.smith@example.com"
    assert page.input_value("#id_special_requests") == "High floor, please"
    assert page.input_value("#id_exp_month") == "12"
    # Card number and CVC are never written back into the page.
    assert page.input_value("#id_card_number") == "" and page.input_value("#id_cvc") == ""
    assert "4000000000000002" not in page.content()
    assert Reservation.objects.count() == 0

    # The guest types another card and books with the same form.
    page.fill("#id_card_number", "4242424242424242")
    page.fill("#id_cvc", "123")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    assert Reservation.objects.count() == 1
