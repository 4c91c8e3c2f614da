"""Four languages and the display currency, end to end: the guest's browser language or switcher choice, the
pages and emails it gives, amounts and dates in the locale's format, and prices shown (never charged) in another
currency. The clock is pinned: Monday March 1, 2027; the stay is Friday March 5 to Monday March 8."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail
from django.test import Client

from bookings.cancellations import reservation_cancel
from bookings.models import Reservation
from bookings.payments import TestGateway
from bookings.services import booking_create
from bookings.tests.booking_setup import seed_request
from bookings.tests.test_booking_pages import _form_data
from currency.models import ExchangeRate

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
FRIDAY = date(2027, 3, 5)


@pytest.fixture
def pinned():
    with time_machine.travel(datetime(2027, 3, 1, 15, tzinfo=UTC), tick=False):
        yield


def _book_url() -> str:
    return "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": FRIDAY.isoformat(),
        "check_out": (FRIDAY + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""})


def _book_on_the_site(client: Client, capture, **headers) -> Reservation:
    page = client.get(_book_url(), **headers)
    with capture(execute=True):
        response = client.post(_book_url(), _form_data(page), **headers)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Reservation.objects.get(confirmation_number=response["Location"].rstrip("/").rsplit("/", 1)[-1])


def _text(response) -> str:
    return re.sub(r"[ \t\r\n]+", " ", response.content.decode())  # not str.split(): it splits at no-break spaces


def test_english_is_the_default_when_the_browser_asks_for_nothing_we_write(pinned, nyc, client,
                                                                          django_capture_on_commit_callbacks):
    r = _book_on_the_site(client, django_capture_on_commit_callbacks)
    page = client.get(f"/booking/{r.confirmation_number}/")
    text = _text(page)
    assert '<html lang="en">' in text and page["Content-Language"] == "en"
    assert "Confirmation number" in text and "Friday, March 5, 2027 from 3:00 PM" in text
    assert "664.14 USD" in text
    assert r.language == "en" and mail.outbox[-1].subject.startswith("Your reservation at Grand Hotel NYC")

    japanese = Client().get(f"/booking/{r.confirmation_number}/", HTTP_ACCEPT_LANGUAGE="ja")
    assert '<html lang="en">' in _text(japanese) and "Find your booking" in _text(japanese)


def test_a_german_browser_books_in_german_and_gets_its_email_in_german(pinned, nyc, client,
                                                                     django_capture_on_commit_callbacks):
    r = _book_on_the_site(client, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    assert r.language == "de"

    page = client.get(f"/booking/{r.confirmation_number}/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    text = _text(page)
    assert '<html lang="de">' in text and page["Content-Language"] == "de"
    assert "Bestätigungsnummer" in text and "Vielen Dank, John." in text
    assert "Freitag, 5. März 2027 ab 15:00 Uhr" in text and "Montag, 8. März 2027 bis 11:00 Uhr" in text
    assert "2 Erwachsene" in text and f"664,14{NBSP}$" in text and "Zimmerpreis gesamt" in text
    assert f"Jetzt belastet: 664,14{NBSP}$" in text  # the payment-terms line

    message = mail.outbox[-1]
    assert message.subject == f"Ihre Reservierung im Grand Hotel NYC ist bestätigt: {r.confirmation_number}"
    body = message.body
    assert "Guten Tag John Smith," in body and "Anreise:  Freitag, 5. März 2027 ab 15:00 Uhr" in body
    assert "Gesamt              664,14" in body and f"Bezahlt: 664,14{NBSP}$ mit visa mit Endziffern 4242" in body
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html and "Ihre Reservierung ist bestätigt" in html and "Zwischensumme" in html


def test_the_switcher_changes_the_language_and_keeps_the_page(pinned, nyc, client,
                                                              django_capture_on_commit_callbacks):
    r = _book_on_the_site(client, django_capture_on_commit_callbacks)
    page_url = f"/booking/{r.confirmation_number}/"
    english = _text(client.get(page_url))
    assert 'action="/i18n/setlang/"' in english and '<label for="switch-language">Language</label>' in english
    assert '<option value="es" lang="es">Español</option>' in english

    response = client.post("/i18n/setlang/", {"language": "es", "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    spanish = _text(client.get(page_url))  # no Accept-Language: the cookie decides
    assert '<html lang="es">' in spanish and "Número de confirmación" in spanish
    assert "viernes, 5 de marzo de 2027 a partir de las 15:00" in spanish
    assert '<option value="es" lang="es" selected>Español</option>' in spanish
    # The choice outranks the browser's language.
    assert "Número de confirmación" in _text(client.get(page_url, HTTP_ACCEPT_LANGUAGE="de"))


def test_the_switcher_needs_its_csrf_token():
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "de", "next": "/"}).status_code == 403


def test_the_lookup_page_and_its_errors_in_the_browsers_language(pinned, nyc, django_capture_on_commit_callbacks):
    r = _book_on_the_site(Client(), django_capture_on_commit_callbacks)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="es")
    page = _text(stranger.get(f"/booking/{r.confirmation_number}/"))
    assert "Encuentre su reserva" in page and "Apellido del huésped" in page
    wrong = _text(stranger.post(f"/booking/{r.confirmation_number}/", {"last_name": "Jones"}))
    assert "No hemos encontrado ninguna reserva con ese número de confirmación y ese apellido." in wrong


def test_the_partner_api_answers_in_english_whatever_the_client_asks(pinned, nyc, partner_client):
    response = partner_client.get("/api/v1/hotels/NOPE/availability", {"check_in": "2027-03-05",
                                                                       "check_out": "2027-03-08"},
                                  HTTP_ACCEPT_LANGUAGE="de")
    body = response.json()
    assert response.status_code in (400, 404) and body["error"]["code"] == "HOTEL_NOT_FOUND"
    assert body["error"]["message"] == "No hotel with code NOPE."
    assert "Content-Language" not in response
    # DRF's own messages too: it has German ones, which a partner asking for German does not get.
    invalid = partner_client.post("/api/v1/bookings", {}, format="json", HTTP_ACCEPT_LANGUAGE="de").json()
    assert invalid["error"]["message"] == "hotel: This field is required.", invalid


def test_emails_follow_the_language_of_the_booking_not_of_whoever_changes_it(pinned, nyc,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = booking_create(request=seed_request(FRIDAY, language="es-MX"), gateway=TestGateway())
    assert r.language == "es"
    confirmed = mail.outbox[-1]
    assert confirmed.subject == f"Su reserva en Grand Hotel NYC está confirmada: {r.confirmation_number}"
    assert "Estimado/a John Smith:" in confirmed.body and "viernes, 5 de marzo de 2027" in confirmed.body

    with django_capture_on_commit_callbacks(execute=True):  # a clerk in English cancels it
        reservation_cancel(confirmation_number=r.confirmation_number, reason="Change of plans",
                           gateway=TestGateway())
    cancelled = mail.outbox[-1]
    assert cancelled.subject == f"Su reserva en Grand Hotel NYC ha sido cancelada: {r.confirmation_number}"
    assert "Su reserva en Grand Hotel NYC ha sido cancelada." in cancelled.body
    assert f"Reembolso:            664,14{NBSP}US$" in cancelled.body
    assert f"Penalización por cancelación: 0,00{NBSP}US$" in cancelled.body  # a long label keeps its space
    assert "Esperamos darle la bienvenida en otra ocasión." in cancelled.alternatives[0][0]


def test_a_language_we_do_not_write_gets_english_emails(pinned, nyc, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = booking_create(request=seed_request(FRIDAY, language="ja"), gateway=TestGateway())
    assert r.language == ""
    assert mail.outbox[-1].subject == f"Your reservation at Grand Hotel NYC is confirmed: {r.confirmation_number}"


def test_prices_can_be_shown_in_another_currency_marked_indicative_while_the_charge_stays(
        pinned, nyc, client, django_capture_on_commit_callbacks):
    ExchangeRate.objects.create(base="USD", quote="EUR", rate=Decimal("0.92"), as_of=date(2027, 3, 1))
    r = _book_on_the_site(client, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="de")
    page_url = f"/booking/{r.confirmation_number}/"
    before = _text(client.get(page_url, HTTP_ACCEPT_LANGUAGE="de"))
    assert "data-indicative" not in before and '<label for="switch-currency">Preise anzeigen in</label>' in before

    response = client.post("/currency/", {"currency": "EUR", "next": page_url})
    assert response.status_code == 302 and response["Location"] == page_url
    page = _text(client.get(page_url, HTTP_ACCEPT_LANGUAGE="de"))
    assert f'data-indicative="EUR">≈ 611,01{NBSP}€' in page
    assert f"(unverbindlich, zum Kurs vom 1. März 2027; Sie zahlen 664,14{NBSP}$)" in page
    assert f"664,14{NBSP}$" in page  # the charge, in the hotel's currency, still stated
    r.refresh_from_db()
    assert (r.currency, r.grand_total) == ("USD", Decimal("664.14"))

    client.post("/currency/", {"currency": "XYZ", "next": "https://evil.example/"})  # unknown; foreign page
    assert "data-indicative" not in _text(client.get(page_url))
    assert client.post("/currency/", {"currency": "EUR", "next": "https://evil.example/"})["Location"] == "/"
