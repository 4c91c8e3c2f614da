"""A guest pays a payment link in a real browser (Playwright driving Debian's headless Chromium), on a desktop
and on a 390 px phone: the page shows the hotel, the booking and the amount, fits the screen, and takes the card.

Screenshots are written to $SCREENSHOT_DIR (default: the test's tmp dir) as paylink-<width>-<step>.png.
"""

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


@pytest.fixture
def link(live_server):
    """A 200.00 USD deposit link for the seed's stay booked to be paid at the hotel."""
    from bookings.payments import TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create
    from frontdesk.paylinks import payment_link_create

    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    reservation = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, card=None, collect_payment=False,
        guest=GuestDetails("Ana", "Lopez", "ana@example.com")), gateway=TestGateway())
    return payment_link_create(reservation=reservation, purpose="DEPOSIT", amount="200.00")


def _pay(tab, url, shots, width):
    tab.goto(url)
    assert tab.locator("h1").inner_text() == "Payment for your stay at Grand Hotel NYC"
    summary = tab.locator("#pay-summary").inner_text()
    assert "200.00 USD" in summary and "Deposit" in summary and "Ana Lopez" in summary
    # Fits the screen: nothing wider than the viewport, the pay button on screen-wide on a phone.
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    button = tab.locator("#payment-form button[type=submit]")
    assert button.inner_text() == "Pay 200.00 USD"
    form_box, button_box = tab.locator("#payment-form").bounding_box(), button.bounding_box()
    assert button_box["width"] >= form_box["width"] - 40 and button_box["height"] >= 44  # thumb-sized
    assert form_box["x"] >= 0 and form_box["x"] + form_box["width"] <= width
    tab.screenshot(path=str(shots / f"paylink-{width}-1-open.png"), full_page=True)

    tab.fill("#id_card_number", "4000000000000002")
    tab.select_option("#id_exp_month", "12")
    tab.select_option("#id_exp_year", str(timezone.localdate().year + 4))
    tab.fill("#id_cvc", "123")
    tab.fill("#id_holder_name", "Ana Lopez")
    button.click()
    tab.wait_for_selector("#form-errors")
    assert "The card was declined. Please use another card." in tab.locator("#form-errors").inner_text()
    assert tab.input_value("#id_card_number") == "" and tab.input_value("#id_holder_name") == "Ana Lopez"
    tab.screenshot(path=str(shots / f"paylink-{width}-2-declined.png"), full_page=True)

    tab.fill("#id_card_number", "4242424242424242")
    tab.fill("#id_cvc", "123")
    tab.locator("#payment-form button[type=submit]").click()
    tab.wait_for_selector("#pay-status")
    assert "Thank you: 200.00 USD has been paid." in tab.locator("#pay-status").inner_text()
    assert tab.locator("#payment-form").count() == 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    tab.screenshot(path=str(shots / f"paylink-{width}-3-paid.png"), full_page=True)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}],
                         ids=["desktop", "phone-390"])
def test_a_guest_pays_a_deposit_link(link, live_server, shots, viewport):
    from bookings.models import Payment
    from frontdesk.paylinks import payment_link_token

    url = f"{live_server.url}/pay/{payment_link_token(link)}/"
    [request] = [m for m in mail.outbox if m.subject.startswith("Payment request")]
    assert request.to == ["ana@example.com"] and url.split("/pay/")[1] in request.body
    browse(viewport, lambda tab: _pay(tab, url, shots, viewport["width"]))

    link.refresh_from_db()
    assert link.state == "PAID"
    assert list(Payment.objects.filter(reservation=link.reservation).values_list("purpose", "amount")) == [
        ("LINK", 200)]
