"""A Spanish and a German guest go through every guest page in their language, with the test client: the hotel
page, the search form and its results, the book page (and a form sent back with errors), the confirmation, Manage
my booking and its cancel page. Each page is asserted in real words of that language and with amounts written the
locale's way; a French guest books two rooms. The clock is pinned: Monday March 1, 2027; the seed's stay is Friday
March 5 to Monday March 8 on AAA (664.14)."""

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client

from bookings.models import Reservation

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
SEARCH = {"hotel": "NYC", "check_in": "2027-03-05", "check_out": "2027-03-08", "adults": 2, "children": 0,
          "rate_plan": "AAA"}
GUEST = {"first_name": "Juan", "last_name": "García", "email": "juan.garcia@example.com", "phone": "",
         "loyalty_number": "", "special_requests": "", "billing_address": "", "card_number": "4242424242424242",
         "exp_month": "12", "exp_year": "2030", "cvc": "123", "holder_name": "Juan García"}

# What each language's pages say, page by page (the seed's prices: 664.14 = 221.38 a night on average).
WORDS = {
    "es": {
        "search": ["Habitaciones disponibles", "3 noches", "2 adultos", "por noche", "Cancelación gratuita hasta el",
                   "en total, 3 noches con impuestos y tasas", "Llegada", "Habitaciones", "Código promocional",
                   f"664,14{NBSP}US$", f"221,38{NBSP}US$", "Detalles del precio"],
        "book": ["Complete su reserva", "Datos del huésped", "Nombre", "Apellido", "Correo electrónico",
                 "Habitaciones y huéspedes", "viernes, 5 de marzo de 2027 a partir de las 15:00",
                 f"Pagar 664,14{NBSP}US$ y reservar", "Cancelación", "Total de la habitación"],
        "errors": ["Este campo es requerido.", "Introduzca una dirección de correo electrónico válida."],
        "confirmation": ["Gracias, Juan. Su reserva está confirmada", "Número de confirmación", "2 adultos",
                         f"664,14{NBSP}US$"],
        "lookup": ["Gestionar mi reserva", "Introduzca el número de confirmación de su correo", "Buscar mi reserva"],
        "manage": ["Su reserva", "Confirmada", "Cambiar fechas", "Cancelar la reserva", "Correos con ofertas",
                   "Si cancela ahora", f"664,14{NBSP}US$", "Buscar otra reserva"],
        "cancel": ["Cancele su reserva", "Condiciones aplicables", "Penalización por cancelación", "Reembolso",
                   "Cancelar mi reserva", "Mantener mi reserva"],
        "cancelled": ["está cancelada. Penalización: 0,00", "Reembolso: 664,14"],
        "wrong_dates": "La salida debe ser posterior a la llegada.",
        "hotel": ["Ver precios y reservar", "Dirección", "Ver en el mapa", "Normas de la casa", "Habitaciones",
                  "a partir de las 15:00", "1 cama king", "Vistas a la ciudad"],
    },
    "de": {
        "search": ["Verfügbare Zimmer", "3 Nächte", "2 Erwachsene", "pro Nacht", "Kostenlose Stornierung bis",
                   "gesamt, 3 Nächte inkl. Steuern und Gebühren", "Anreise", "Zimmer", "Aktionscode",
                   f"664,14{NBSP}$", f"221,38{NBSP}$", "Preisdetails"],
        "book": ["Schließen Sie Ihre Buchung ab", "Angaben zum Gast", "Vorname", "Nachname", "E-Mail",
                 "Zimmer und Gäste", "Freitag, 5. März 2027 ab 15:00 Uhr", f"664,14{NBSP}$ bezahlen und buchen",
                 "Stornierung", "Zimmerpreis gesamt"],
        "errors": ["Dieses Feld ist zwingend erforderlich.", "Gib eine gültige E-Mail Adresse an."],  # Django's words
        "confirmation": ["Vielen Dank, Juan. Ihre Buchung ist bestätigt", "Bestätigungsnummer", "2 Erwachsene",
                         f"664,14{NBSP}$"],
        "lookup": ["Meine Buchung verwalten", "Geben Sie die Bestätigungsnummer aus Ihrer E-Mail",
                   "Meine Buchung finden"],
        "manage": ["Ihre Buchung", "Bestätigt", "Daten ändern", "Buchung stornieren", "E-Mails mit Angeboten",
                   "Wenn Sie jetzt stornieren", f"664,14{NBSP}$", "Eine andere Buchung suchen"],
        "cancel": ["Ihre Buchung stornieren", "Geltende Bedingungen", "Stornogebühr", "Erstattung",
                   "Meine Buchung stornieren", "Meine Buchung behalten"],
        "cancelled": ["ist storniert. Stornogebühr: 0,00", "Erstattung: 664,14"],
        "wrong_dates": "Die Abreise muss nach der Anreise liegen.",
        "hotel": ["Preise ansehen und buchen", "Adresse", "Auf der Karte zeigen", "Hausordnung", "Zimmer",
                  "ab 15:00 Uhr", "1 Kingsize-Bett", "Stadtblick"],
    },
}
# English words that must not be left on those pages.
ENGLISH = ["Available rooms", "per night", "Complete your booking", "Guest details", "First name", "Rooms and guests",
           "Confirmation number", "Manage my booking", "Your booking", "Cancel booking", "If you cancel now"]


@pytest.fixture
def pinned():
    with time_machine.travel(datetime(2027, 3, 1, 15, tzinfo=UTC), tick=False):
        yield


def _text(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))  # \s would eat the no-break spaces


def _has(response, words: list[str]) -> None:
    text = _text(response)
    missing = [w for w in words if w not in text]
    assert missing == [], (missing, text[:3000])


def _lacks_english(response) -> None:
    text = _text(response)
    assert [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)] == []


@pytest.mark.parametrize("language", ["es", "de"])
def test_a_guest_books_and_manages_through_the_pages_in_their_language(pinned, nyc, language,
                                                                      django_capture_on_commit_callbacks):
    words = WORDS[language]
    guest = Client(HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5")

    hotel = guest.get("/hotels/NYC/")
    _has(hotel, words["hotel"])

    wrong = guest.get("/?" + urlencode({**SEARCH, "check_out": "2027-03-04"}))
    assert words["wrong_dates"] in _text(wrong)

    search = guest.get("/?" + urlencode(SEARCH))
    assert f'<html lang="{language}">' in search.content.decode()
    _has(search, words["search"])
    _lacks_english(search)
    book_url = unescape(re.search(r'id="rate-DELUXE-KING-AAA".*?href="(/book/\?[^"]+)"', search.content.decode(),
                                  re.S).group(1))

    book = guest.get(book_url)
    _has(book, words["book"])
    _lacks_english(book)
    form = book.context["form"]
    hidden = {"expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()}

    refused = guest.post(book_url, {**GUEST, **hidden, "first_name": "", "email": "nope"})
    assert refused.status_code == 200
    _has(refused, words["errors"])

    with django_capture_on_commit_callbacks(execute=True):
        booked = guest.post(book_url, {**GUEST, **hidden})
    assert booked.status_code == 302, _text(booked)[:2000]
    r = Reservation.objects.get()
    assert (r.language, r.status, str(r.grand_total)) == (language, "CONFIRMED", "664.140")

    confirmation = guest.get(booked["Location"])
    _has(confirmation, words["confirmation"])
    _lacks_english(confirmation)

    lookup = guest.get("/manage/")
    _has(lookup, words["lookup"])
    opened = guest.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "García"})
    assert opened["Location"] == "/manage/booking/"
    manage = guest.get("/manage/booking/")
    _has(manage, words["manage"])
    _lacks_english(manage)

    cancel = guest.get("/manage/booking/cancel/")
    _has(cancel, words["cancel"])
    with django_capture_on_commit_callbacks(execute=True):
        done = guest.post("/manage/booking/cancel/", {"reason": "", "expected_penalty": "0.00", "confirm": "1"},
                          follow=True)
    _has(done, words["cancelled"])
    r.refresh_from_db()
    assert r.status == "CANCELLED"


def test_the_partner_api_keeps_its_english_messages_for_the_errors_now_translated_on_the_pages(pinned, nyc,
                                                                                              partner_client):
    body = partner_client.get("/api/v1/hotels/NYC/availability", {"check_in": "2027-03-05", "check_out": "2027-03-04"},
                              HTTP_ACCEPT_LANGUAGE="de").json()
    assert body["error"]["code"] == "INVALID_DATES"
    assert body["error"]["message"] == "Check-out must be after check-in."


def test_a_french_guest_sees_the_search_book_and_manage_pages_in_french(pinned, nyc,
                                                                       django_capture_on_commit_callbacks):
    guest = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    search = guest.get("/?" + urlencode({**SEARCH, "rooms": 2}))
    _has(search, ["Chambres disponibles", "3 nuits", "2 chambres", "par nuit", f"664,14{NBSP}$US",
                  f"1\u202f328,28{NBSP}$US pour 2 chambres", "Annulation gratuite jusqu'au"])
    book_url = unescape(re.search(r'id="rate-DELUXE-KING-AAA".*?href="(/book/\?[^"]+)"', search.content.decode(),
                                  re.S).group(1))
    book = guest.get(book_url)
    _has(book, ["Finalisez votre réservation", "Chambres et personnes", "Chambre 2 · 2 adultes",
                f"Total pour 2 chambres : 1\u202f328,28{NBSP}$US", f"Payer 1\u202f328,28{NBSP}$US et réserver"])
    with django_capture_on_commit_callbacks(execute=True):
        booked = guest.post(book_url, {**GUEST, "expected_total": book.context["form"]["expected_total"].value(),
                                       "idempotency_key": "fr-1"})
    assert booked.status_code == 302
    _has(guest.get(booked["Location"]), ["Numéro de confirmation", "2 chambres", "Chambre 1", "Chambre 2"])
    lead = Reservation.objects.get(lead__isnull=True)
    guest.post("/manage/", {"confirmation_number": lead.confirmation_number, "last_name": "García"})
    _has(guest.get("/manage/booking/"), ["Votre réservation", "Confirmée", "Annuler toutes les chambres",
                                         f"Total pour 2 chambres 1\u202f328,28{NBSP}$US"])
