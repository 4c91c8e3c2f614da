"""The guest's booking form (/book/) and confirmation page (/booking/<number>/)."""

import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client

from bookings.models import Payment, Reservation
from inventory.models import InventoryDay

from .booking_setup import DECLINED_CARD, GOOD_CARD, NO_FUNDS_CARD


def _book_url(friday, **overrides):
    params = {"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
              "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0,
              "promo_code": ""}
    params.update(overrides)
    return "/book/?" + urlencode(params)


def _form_data(page, card=GOOD_CARD, **overrides):
    form = page.context["form"]
    data = {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
            "phone": "+1 212 555 0199", "loyalty_number": "", "special_requests": "Late arrival",
            "card_number": card, "exp_month": "12", "exp_year": "2030", "cvc": "123", "holder_name": "John Smith",
            "expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()}
    data.update(overrides)
    return data


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _value(response, name) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', response.content.decode()) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', response.content.decode())
    return match.group(1) if match else ""


@pytest.mark.django_db
def test_the_book_page_shows_the_stay_its_price_and_the_terms(client, nyc, next_friday):
    response = client.get(_book_url(next_friday))

    assert response.status_code == 200
    text = _text(response)
    for expected in ["Grand Hotel NYC", "Deluxe King Room", "AAA Member Rate", "2 adults",
                     f"{next_friday:%A, %B} {next_friday.day}, {next_friday.year} from 3:00 PM",
                     "189.00", "219.00", "199.00", "607.00", "-60.70", "546.30", "72.84", "45.00",
                     "664.14 USD", "NYC Hotel Room Tax", "Resort fee", "Flexible 24-Hour",
                     "Pay 664.14 USD and book"]:
        assert expected in text, expected
    thursday = next_friday - timedelta(days=1)
    assert f"{thursday:%A, %B} {thursday.day}, {thursday.year} 3:00 PM</strong> (hotel time, America/New_York)" \
        in text
    for field in ["first_name", "last_name", "email", "phone", "loyalty_number", "special_requests", "card_number",
                  "exp_month", "exp_year", "cvc", "holder_name", "csrfmiddlewaretoken"]:
        assert f'name="{field}"' in text, field
    assert _value(response, "expected_total") == "664.14"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_booking_with_a_good_card_redirects_to_the_confirmation(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    response = client.post(_book_url(next_friday), _form_data(page))

    r = Reservation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/booking/{r.confirmation_number}/"
    assert (r.channel, r.source, r.special_requests) == ("DIRECT", "Website", "Late arrival")
    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    text = _text(confirmation)
    monday = next_friday + timedelta(days=3)
    thursday = next_friday - timedelta(days=1)
    for expected in [r.confirmation_number, "Your booking is confirmed", "Deluxe King Room",
                     f"{next_friday:%A, %B} {next_friday.day}, {next_friday.year} from 3:00 PM",
                     f"{monday:%A, %B} {monday.day}, {monday.year} by 11:00 AM",
                     "189.00", "219.00", "199.00", "546.30", "72.84", "45.00", "664.14 USD",
                     "Paid 664.14 USD by Visa ending in 4242", "Flexible 24-Hour",
                     f"{thursday:%A, %B} {thursday.day}, {thursday.year} 3:00 PM"]:
        assert expected in text, expected
    assert GOOD_CARD not in text


@pytest.mark.django_db
@pytest.mark.parametrize("card, message", [
    (DECLINED_CARD, "The card was declined. Please use another card."),
    (NO_FUNDS_CARD, "The card was declined for insufficient funds."),
    ("4242424242424241", "The card number is not valid. Please check it and try again."),
])
def test_a_declined_card_shows_why_and_keeps_what_was_typed_but_the_card(client, nyc, next_friday, card, message):
    page = client.get(_book_url(next_friday))
    data = _form_data(page, card=card, cvc="7319")
    response = client.post(_book_url(next_friday), data)

    assert response.status_code == 200
    text = _text(response)
    assert message in text and 'class="error-box"' in text
    for name in ("first_name", "last_name", "email", "phone", "holder_name"):
        assert _value(response, name) == data[name], name
    # The card number and CVC are never written back into the page (nor kept in the session).
    assert 'name="card_number"' in text and 'name="cvc"' in text
    assert _value(response, "card_number") == "" and _value(response, "cvc") == ""
    html = response.content.decode()
    for secret in (card, card[-8:], "7319"):  # as a whole word, not inside a random token
        assert not re.search(rf"(?<![0-9A-Za-z]){secret}(?![0-9A-Za-z])", html), secret
    assert card not in str(dict(client.session)) and "7319" not in str(dict(client.session))
    assert "Late arrival</textarea>" in text
    assert _value(response, "idempotency_key") not in ("", data["idempotency_key"])  # the retry is a new attempt
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_invalid_details_are_shown_next_to_their_field(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    response = client.post(_book_url(next_friday), _form_data(page, email="not-an-email", cvc="12"))

    assert response.status_code == 200
    text = _text(response)
    assert "Enter a valid email address." in text and "3 or 4 digits" in text
    assert _value(response, "email") == "not-an-email" and _value(response, "first_name") == "John"
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_night_sold_while_the_guest_typed_is_shown_in_the_form(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    saturday = next_friday + timedelta(days=1)
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=saturday).update(sold=5)

    response = client.post(_book_url(next_friday), _form_data(page))

    text = _text(response)
    assert f"sold out on {saturday:%B} {saturday.day}, {saturday.year}" in text
    assert _value(response, "first_name") == "John" and Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_price_changed_while_the_guest_typed_is_shown_and_the_next_submit_books(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    response = client.post(_book_url(next_friday), _form_data(page, expected_total="600.00"))

    assert "The price has changed since you saw it: the total is now 664.14 USD" in _text(response)
    assert _value(response, "expected_total") == "664.14" and Reservation.objects.count() == 0

    again = client.post(_book_url(next_friday), _form_data(response))
    assert again.status_code == 302 and Reservation.objects.count() == 1


@pytest.mark.django_db
def test_a_double_submit_books_once(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    data = _form_data(page)
    first = client.post(_book_url(next_friday), data)
    second = client.post(_book_url(next_friday), data)

    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Reservation.objects.count() == 1 and Payment.objects.count() == 1


@pytest.mark.django_db
def test_the_form_is_protected_by_csrf(nyc, next_friday):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(_book_url(next_friday))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    forged = browser.post(_book_url(next_friday), _form_data(page))
    real = browser.post(_book_url(next_friday), {**_form_data(page), "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert real.status_code == 302 and Reservation.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, status, message", [
    ({"check_out": "2001-01-01"}, 200, "Check-out must be after check-in."),
    ({"adults": 0}, 200, "At least one adult is required."),
    ({"room_type": "PENTHOUSE"}, 200, "has no room type PENTHOUSE"),
    ({"hotel": "XXX"}, 404, "No hotel with code XXX."),
    ({"rate_plan": "NOPE"}, 200, "has no rate plan NOPE"),
    ({"check_in": "\u2603"}, 200, "check_in must be a date"),
])
def test_an_unbookable_stay_says_why_and_offers_the_search(client, nyc, next_friday, overrides, status, message):
    response = client.get(_book_url(next_friday, **overrides))
    assert response.status_code == status
    text = _text(response)
    assert message in text and "Back to search" in text and 'name="card_number"' not in text


@pytest.mark.django_db
def test_a_sold_out_stay_shows_no_form(client, nyc, next_friday):
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=next_friday).update(sold=5)
    text = _text(client.get(_book_url(next_friday)))
    assert "sold out on" in text and 'name="card_number"' not in text


# --- who may see a confirmation --------------------------------------------------------------------------

def _booked(client, friday) -> str:
    page = client.get(_book_url(friday))
    client.post(_book_url(friday), _form_data(page))
    return Reservation.objects.get().confirmation_number


@pytest.mark.django_db
def test_someone_who_only_guesses_the_number_sees_nothing(client, nyc, next_friday):
    number = _booked(client, next_friday)
    stranger = Client()

    page = stranger.get(f"/booking/{number}/")
    wrong = stranger.post(f"/booking/{number}/", {"last_name": "Jones"})

    for response in (page, wrong):
        assert response.status_code == 200
        assert "Smith" not in _text(response) and "664.14" not in _text(response)
    assert "We could not find a booking with that confirmation number and last name." in _text(wrong)


@pytest.mark.django_db
def test_the_guests_last_name_opens_the_confirmation(client, nyc, next_friday):
    number = _booked(client, next_friday)
    other_device = Client()

    response = other_device.post(f"/booking/{number}/", {"last_name": " smith "})

    assert response.status_code == 302
    assert "664.14" in _text(other_device.get(f"/booking/{number}/"))


@pytest.mark.django_db
def test_guessing_last_names_is_slowed_down(client, nyc, next_friday):
    from django.core.cache import cache

    cache.clear()
    number = _booked(client, next_friday)
    stranger = Client()
    for i in range(10):
        stranger.post(f"/booking/{number}/", {"last_name": f"Guess{i}"})

    response = stranger.post(f"/booking/{number}/", {"last_name": "Smith"})

    assert "Too many attempts" in _text(response) and response.status_code == 200
    cache.clear()


@pytest.mark.django_db
def test_an_unknown_number_looks_like_a_wrong_last_name(client, nyc):
    response = client.post("/booking/GH-NYC-2099010100001/", {"last_name": "Smith"})
    assert "We could not find a booking" in _text(response)
    assert client.get("/booking/%00/").status_code == 200


@pytest.mark.django_db
def test_an_error_report_never_shows_the_card(rf, nyc, next_friday):
    from django.views.debug import SafeExceptionReporterFilter

    from bookings.views import book

    request = rf.post(_book_url(next_friday), {"card_number": GOOD_CARD, "cvc": "123", "first_name": "John"})
    request.session = {}
    book(request)
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert GOOD_CARD not in str(shown) and "123" not in str(shown) and shown["first_name"] == "John"
