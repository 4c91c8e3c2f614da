"""The guest's 3-D Secure path in a real browser, with the built-in test gateway (Stripe.js cannot load offline, so
the bank's window is the test gateway's "Complete authentication (test)" button; the rest is ours).

Book with Stripe's test payment method that asks for 3-D Secure, land on the payment page, authenticate, see the
confirmation of 664.14; and a lost gateway answer on "We are confirming your payment", which refreshes itself
until the payment is settled. Screenshots of both pages, desktop and 390 px wide, go to test-results/.
"""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

import time_machine
from django.utils import timezone

from tests import test_browser_booking as booking

# The booking browser tests' fixtures (headless Chromium failing on any CSP violation, the seeded live server).
pytestmark = booking.pytestmark
demo, page = booking.demo, booking.page

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _book_page(page, base_url, friday):
    page.goto(base_url + "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""}))
    assert "664.14" in page.locator("#price").inner_text()


def _guest(page, payment_method):
    page.fill("#id_first_name", "John")
    page.fill("#id_last_name", "Smith")
    page.fill("#id_email", "john.smith@example.com")
    page.select_option("#id_payment_method", payment_method)


def _shots(page, name: str) -> list[Path]:
    """The page at desktop width and at 390 px, full length; asserts nothing is wider than the screen."""
    RESULTS.mkdir(exist_ok=True)
    paths = []
    for label, size in (("desktop", DESKTOP), ("390px", PHONE)):
        page.set_viewport_size(size)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the {label} screen"
        path = RESULTS / f"{name}-{label}.png"
        # From the top: a full-page capture of a page scrolled by a field's focus leaves parts unpainted.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths


def test_a_guest_authenticates_a_3d_secure_payment_and_sees_the_confirmation(page, demo):
    from bookings.models import Payment, Reservation

    friday = booking._next_friday()
    page.set_viewport_size(DESKTOP)
    _book_page(page, demo.url, friday)
    _guest(page, "pm_card_authenticationRequired")
    _shots(page, "book-test-gateway")
    page.click("#booking-form button[type=submit]")

    page.wait_for_url(re.compile(r"/book/pay/[^/]+/$"))
    step = page.locator("#payment-step").inner_text()
    assert "Your bank asks you to confirm this payment of 664.14 USD (3-D Secure)." in step
    assert "Test gateway: no bank is asked." in step
    assert "Your room is held for you until" in page.locator("#stay").inner_text()
    assert Reservation.objects.get().status == "PENDING"
    for path in _shots(page, "3ds-authenticate"):
        assert path.stat().st_size > 10_000

    page.click("text=Complete authentication (test)")

    page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    text = page.locator("main").inner_text()
    assert "Your booking is confirmed" in text and "Paid 664.14 USD by Visa ending in 3184." in text
    r = Reservation.objects.get()
    assert r.status == "CONFIRMED" and page.locator("#confirmation-number").inner_text() == r.confirmation_number
    assert [p.amount for p in Payment.objects.all()] == [Decimal("664.14")]


def test_a_failed_authentication_brings_the_guest_back_to_the_form_saying_why(page, demo):
    from bookings.models import Reservation

    _book_page(page, demo.url, booking._next_friday())
    _guest(page, "pm_card_authenticationRequired")
    page.click("#booking-form button[type=submit]")
    page.wait_for_url(re.compile(r"/book/pay/[^/]+/$"))

    page.click("text=Fail authentication (test)")

    page.wait_for_url(re.compile(r"/book/\?"))
    assert "The payment was declined. Please use another card." in page.locator("#form-errors").inner_text()
    assert Reservation.objects.count() == 0
    assert "664.14" in page.locator("#price").inner_text()


def test_a_lost_answer_shows_we_are_confirming_until_the_payment_is_settled(page, demo):
    from bookings.models import Payment, Reservation
    from bookings.tests.faulty_gateway import FaultyGateway

    faulty = FaultyGateway()
    faulty.fail_next("charge", "timeout_after")  # the test gateway charges, and its answer is lost
    with mock.patch("bookings.payments.default_gateway", return_value=faulty):
        _book_page(page, demo.url, booking._next_friday())
        _guest(page, "pm_card_visa")
        page.click("#booking-form button[type=submit]")

        page.wait_for_url(re.compile(r"/book/pay/[^/]+/return$"))
        assert "We are confirming your payment" in page.locator("h1").inner_text()
        assert "Your payment of 664.14 USD is being confirmed" in page.locator("#payment-step").inner_text()
        _shots(page, "3ds-confirming")
        # It asks again by itself (a meta refresh: no script needed).
        with page.expect_navigation(url=re.compile(r"/return$"), timeout=10_000):
            pass
        assert Reservation.objects.get().status == "PENDING"

        # Past the settle task's back-off the next refresh asks the gateway again, with the same key.
        with time_machine.travel(timezone.now() + timedelta(seconds=40)):
            page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"), timeout=15_000)

    assert "Your booking is confirmed" in page.locator("main").inner_text()
    assert faulty.total_moved == Decimal("664.14")
    assert [p.amount for p in Payment.objects.all()] == [Decimal("664.14")]
