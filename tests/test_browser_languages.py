"""The Spanish and German guest pages end to end in a real browser (headless Chromium): the browser's language
chooses German; the switcher (a plain POST form) chooses Spanish and keeps the page; the payment, confirmation
and lookup pages then read in that language with its dates and amounts, and the display currency shows an
indicative amount beside the charge. Screenshots at 1366 and 390 px go to $SCREENSHOT_DIR (or the test's tmp).
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connections
from django.utils import translation
from django.utils.formats import date_format

from tests import test_browser_booking as booking

pytestmark = booking.pytestmark
demo = booking.demo

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
NBSP = "\xa0"


@pytest.fixture
def browser(demo):
    """Headless Chromium; each test opens its own contexts (one per guest, with their browser's language)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=booking.CHROMIUM, args=booking.CHROMIUM_ARGS)
        refused = []
        try:
            yield chromium, refused
            assert refused == [], refused  # nothing the Content-Security-Policy blocked
        finally:
            chromium.close()
            connections.close_all()


def _tab(browser, locale: str):
    chromium, refused = browser
    context = chromium.new_context(locale=locale, viewport=DESKTOP, device_scale_factor=1)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return tab


def _shots(tab, shots, name: str):
    """Desktop and 390 px, full length, from the top; nothing may be wider than the screen."""
    for label, size in (("1366", DESKTOP), ("390", PHONE)):
        tab.set_viewport_size(size)
        overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the {label} px screen"
        tab.evaluate("window.scrollTo(0, 0)")
        path = shots / f"languages-{name}-{label}.png"
        tab.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000
    tab.set_viewport_size(DESKTOP)


def _book_until_the_bank_asks(tab, base_url, friday):
    tab.goto(base_url + "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""}))
    tab.fill("#id_first_name", "Juan")
    tab.fill("#id_last_name", "García")
    tab.fill("#id_email", "juan.garcia@example.com")
    tab.select_option("#id_payment_method", "pm_card_authenticationRequired")
    tab.click("#booking-form button[type=submit]")
    tab.wait_for_url(re.compile(r"/book/pay/[^/]+/$"))


def _day(day: date, language: str) -> str:
    with translation.override(language):
        return date_format(day, translation.gettext("l, F j, Y"))


def test_a_german_browser_pays_sees_its_confirmation_and_finds_it_again_in_german(browser, demo, shots):
    from bookings.models import Reservation

    friday = booking._next_friday()
    tab = _tab(browser, "de-DE")
    _book_until_the_bank_asks(tab, demo.url, friday)

    assert tab.locator("html").get_attribute("lang") == "de"
    assert tab.locator("h1").inner_text() == "Bestätigen Sie die Zahlung bei Ihrer Bank"
    step = tab.locator("#payment-step").inner_text()
    assert f"diese Zahlung über 664,14{NBSP}$ zu bestätigen (3-D Secure)" in step
    stay = tab.locator("#stay").inner_text()
    assert _day(friday, "de") in stay and f"664,14{NBSP}$" in stay and "für Sie reserviert" in stay
    _shots(tab, shots, "de-pay")

    tab.click("text=Authentifizierung abschließen (Test)")
    tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    r = Reservation.objects.get()
    assert r.status == "CONFIRMED" and r.language == "de"
    main = tab.locator("main").inner_text()
    assert "Vielen Dank, Juan. Ihre Buchung ist bestätigt" in main and "Stornierung" in main
    assert f"{_day(friday, 'de')} ab 15:00 Uhr" in main and "2 Erwachsene" in main
    assert f"664,14{NBSP}$ bezahlt mit Visa mit Endziffern 3184." in main
    _shots(tab, shots, "de-confirmation")

    other = _tab(browser, "de-DE")  # another browser: it must give the last name
    other.goto(f"{demo.url}/booking/{r.confirmation_number}/")
    assert other.locator("h1").inner_text() == "Ihre Buchung finden"
    other.fill("#id_last_name", "Smith")
    other.click("text=Meine Buchung anzeigen")
    assert "Wir konnten keine Buchung mit dieser Bestätigungsnummer" in other.locator("[role=alert]").inner_text()
    _shots(other, shots, "de-lookup")
    other.fill("#id_last_name", "García")
    other.click("text=Meine Buchung anzeigen")
    other.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    assert other.locator("#confirmation-number").inner_text() == r.confirmation_number


def test_the_switcher_turns_the_pages_spanish_and_shows_euros_as_indicative(browser, demo, shots):
    from bookings.models import Reservation
    from currency.models import ExchangeRate

    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.92"), as_of=date.today())
    friday = booking._next_friday()
    tab = _tab(browser, "en-US")
    _book_until_the_bank_asks(tab, demo.url, friday)
    pay_url = tab.url
    assert tab.locator("h1").inner_text() == "Confirm the payment with your bank"

    tab.select_option("#switch-language", "es")
    tab.click("#language-switcher button")
    tab.wait_for_load_state()
    assert tab.url == pay_url  # the same page, now in Spanish
    assert tab.locator("html").get_attribute("lang") == "es"
    assert tab.locator("h1").inner_text() == "Confirme el pago con su banco"
    tab.select_option("#switch-currency", "EUR")
    tab.click("#currency-switcher button")
    tab.wait_for_load_state()
    assert tab.url == pay_url
    stay = tab.locator("#stay").inner_text()
    assert f"664,14{NBSP}US$" in stay and f"≈ 611,01{NBSP}€" in stay and "orientativo" in stay
    assert f"usted paga 664,14{NBSP}US$" in stay
    _shots(tab, shots, "es-pay")

    tab.click("text=Completar la autenticación (prueba)")
    tab.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    r = Reservation.objects.get()
    assert (r.status, r.language, r.currency, r.grand_total) == ("CONFIRMED", "en", "USD", Decimal("664.14"))
    main = tab.locator("main").inner_text()
    assert "Gracias, Juan. Su reserva está confirmada" in main
    assert f"{_day(friday, 'es')} a partir de las 15:00" in main and "2 adultos" in main
    assert f"≈ 611,01{NBSP}€" in tab.locator("[data-total]").inner_text()
    _shots(tab, shots, "es-confirmation")

    other = _tab(browser, "en-US")
    other.goto(f"{demo.url}/booking/{r.confirmation_number}/")
    other.select_option("#switch-language", "es")
    other.click("#language-switcher button")
    other.wait_for_load_state()
    assert other.locator("h1").inner_text() == "Encuentre su reserva"
    assert "Apellido del huésped" in other.locator("form.card").inner_text()
    _shots(other, shots, "es-lookup")
