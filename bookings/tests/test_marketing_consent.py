"""Marketing consent: an unticked box on the booking page, an optional API field, withdrawn from Manage my
booking; each answer recorded with the exact words shown, their version and the time."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from bookings.consent import MARKETING_WORDING, MARKETING_WORDING_VERSION, WITHDRAWN_WORDING, MarketingConsent
from bookings.models import Reservation

from .booking_setup import seed_body
from .test_booking_pages import _book_url, _form_data

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def _moment(friday):
    return datetime.combine(friday - timedelta(days=3), time(9, 30), tzinfo=NEW_YORK)


def test_the_booking_page_shows_an_unticked_box_and_records_a_tick(client, nyc, next_friday):
    with time_machine.travel(_moment(next_friday), tick=False):
        page = client.get(_book_url(next_friday))
        html = page.content.decode()
        assert str(MARKETING_WORDING) in html
        assert 'type="checkbox" name="marketing_consent"' in html and "checked" not in html.split(
            'name="marketing_consent"')[1].split(">")[0]
        response = client.post(_book_url(next_friday), _form_data(page, marketing_consent="on"))
    assert response.status_code == 302
    r = Reservation.objects.get()
    [consent] = MarketingConsent.objects.all()
    assert (consent.guest, consent.reservation, consent.granted, consent.source) == (r.guest, r, True, "BOOKING_PAGE")
    assert (consent.wording, consent.wording_version) == (MARKETING_WORDING, MARKETING_WORDING_VERSION)
    assert consent.at == _moment(next_friday) and consent.actor == "guest"


def test_no_tick_records_nothing(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    assert client.post(_book_url(next_friday), _form_data(page)).status_code == 302
    assert not MarketingConsent.objects.exists()


def test_the_booking_api_takes_an_optional_consent(partner_client, nyc, next_friday):
    with time_machine.travel(_moment(next_friday), tick=False):
        given = partner_client.post("/api/v1/bookings", seed_body(next_friday, marketing_consent=True),
                                    format="json")
        omitted = partner_client.post("/api/v1/bookings", seed_body(
            next_friday, guest={"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com"}), format="json")
    assert given.status_code == omitted.status_code == 201, given.json()
    [consent] = MarketingConsent.objects.all()
    assert consent.guest.email == "john.smith@example.com" and consent.source == "API"
    assert consent.actor.startswith("API key Test partner") and consent.at == _moment(next_friday)


def test_the_guest_withdraws_from_manage_my_booking(nyc, next_friday):
    client = Client()
    with time_machine.travel(_moment(next_friday), tick=False):
        page = client.get(_book_url(next_friday))
        client.post(_book_url(next_friday), _form_data(page, marketing_consent="on"))
    r = Reservation.objects.get()
    later = _moment(next_friday) + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        client.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"})
        page = client.get("/manage/booking/").content.decode()
        assert "Stop emails with offers" in page
        response = client.post("/manage/booking/consent/", {"grant": "0"})
        assert response.status_code == 302
        assert "You get no emails with offers from us." in client.get("/manage/booking/").content.decode()
    assert list(MarketingConsent.objects.values_list("granted", "source", "wording", "at")) == [
        (True, "BOOKING_PAGE", MARKETING_WORDING, _moment(next_friday)),
        (False, "MANAGE_PAGE", WITHDRAWN_WORDING, later)]
