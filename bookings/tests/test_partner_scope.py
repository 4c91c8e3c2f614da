"""A partner key sees and changes only the bookings it made, unless it has hotel-wide scope; no answer shows
another caller's identity (issue 9, item 5)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from bookings.models import Reservation, Status
from bookings.payments import TestGateway
from bookings.services import booking_create
from bookings.views_manage import GUEST
from inventory.models import HotelAPIKey
from tests.factories import api_key_for

from .booking_setup import seed_body, seed_request

pytestmark = pytest.mark.django_db


def keyed(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def _book(client, friday, email="john.smith@example.com"):
    body = seed_body(friday)
    body["guest"]["email"] = email
    response = client.post("/api/v1/bookings", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["confirmation_number"]


def _every_door(client, cn, friday):
    """GET, PATCH, DELETE, cancel and both quotes on one booking."""
    return [
        client.get(f"/api/v1/bookings/{cn}"),
        client.patch(f"/api/v1/bookings/{cn}", {"check_out": str(friday + timedelta(days=4))}, format="json"),
        client.post(f"/api/v1/bookings/{cn}/modification-quote", {"adults": 1}, format="json"),
        client.get(f"/api/v1/bookings/{cn}/cancellation-quote"),
        client.post(f"/api/v1/bookings/{cn}/cancel", {"reason": "not mine"}, format="json"),
        client.delete(f"/api/v1/bookings/{cn}?reason=not+mine"),
    ]


def test_a_partner_key_reaches_only_the_bookings_it_made(nyc, next_friday, partner_client):
    website = booking_create(request=seed_request(next_friday, email="web@example.com"), gateway=TestGateway())
    _, other_key = api_key_for(nyc, name="Other partner")
    theirs = _book(keyed(other_key), next_friday, email="theirs@example.com")
    mine = _book(partner_client, next_friday)

    for cn in (website.confirmation_number, theirs):
        for response in _every_door(partner_client, cn, next_friday):
            assert response.status_code == 404, (cn, response.request["REQUEST_METHOD"], response.content)
            assert response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
    for r in Reservation.objects.filter(confirmation_number__in=[website.confirmation_number, theirs]):
        assert (r.status, r.check_out) == (Status.CONFIRMED, next_friday + timedelta(days=3))

    assert partner_client.get(f"/api/v1/bookings/{mine}").status_code == 200
    assert partner_client.post(f"/api/v1/bookings/{mine}/cancel", {"reason": "x"}, format="json").status_code == 200
    made = Reservation.objects.get(confirmation_number=mine)
    assert made.status == Status.CANCELLED and made.created_by_key.name == "Test partner"


def test_which_key_made_a_booking_is_recorded(nyc, next_friday, partner_client):
    cn = _book(partner_client, next_friday)
    key = HotelAPIKey.objects.get(name="Test partner")
    assert Reservation.objects.get(confirmation_number=cn).created_by_key == key
    website = booking_create(request=seed_request(next_friday, email="web@example.com"), gateway=TestGateway())
    assert website.created_by_key is None


def test_a_hotel_wide_partner_key_reaches_every_booking_of_its_hotels(nyc, next_friday, hotel_partner_client):
    website = booking_create(request=seed_request(next_friday, email="web@example.com"), gateway=TestGateway())
    _, other_key = api_key_for(nyc, name="Other partner")
    theirs = _book(keyed(other_key), next_friday, email="theirs@example.com")
    for cn in (website.confirmation_number, theirs):
        assert hotel_partner_client.get(f"/api/v1/bookings/{cn}").status_code == 200
    response = hotel_partner_client.post(f"/api/v1/bookings/{theirs}/cancel", {"reason": "x"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "CANCELLED"


def test_status_history_never_names_another_caller(nyc, next_friday, partner_client, hotel_partner_client):
    mine = _book(partner_client, next_friday)
    maker = HotelAPIKey.objects.get(name="Test partner")
    hotel_partner_client.post(f"/api/v1/bookings/{mine}/cancel", {"reason": "plans"}, format="json")

    seen_by_maker = partner_client.get(f"/api/v1/bookings/{mine}")
    seen_by_other = hotel_partner_client.get(f"/api/v1/bookings/{mine}")

    assert [h["by"] for h in seen_by_maker.json()["status_history"]] == ["you", "you", "partner"]
    assert [h["by"] for h in seen_by_other.json()["status_history"]] == ["partner", "partner", "you"]
    other = HotelAPIKey.objects.get(name="Hotel-wide partner")
    assert maker.name not in seen_by_other.content.decode() and maker.prefix not in seen_by_other.content.decode()
    assert other.name not in seen_by_maker.content.decode() and other.prefix not in seen_by_maker.content.decode()


def test_history_names_staff_the_guest_and_the_system_only_by_kind(nyc, next_friday, hotel_partner_client):
    from bookings.cancellations import reservation_cancel

    website = booking_create(request=seed_request(next_friday, email="web@example.com"), gateway=TestGateway())
    clerk = get_user_model().objects.create_user("maria.lopez", is_staff=True)
    other = booking_create(request=seed_request(next_friday, email="b@example.com"), gateway=TestGateway(),
                           actor=clerk)
    reservation_cancel(confirmation_number=website.confirmation_number, reason="x", gateway=TestGateway(),
                       actor=GUEST)
    a = hotel_partner_client.get(f"/api/v1/bookings/{website.confirmation_number}")
    b = hotel_partner_client.get(f"/api/v1/bookings/{other.confirmation_number}")
    assert [h["by"] for h in a.json()["status_history"]] == ["system", "system", "guest"]
    assert [h["by"] for h in b.json()["status_history"]] == ["hotel", "hotel"]
    assert "maria.lopez" not in b.content.decode()


def test_the_admin_shows_staff_the_full_label(client, nyc, next_friday, partner_client):
    cn = _book(partner_client, next_friday)
    key = HotelAPIKey.objects.get(name="Test partner")
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    page = client.get(f"/admin/bookings/reservation/{Reservation.objects.get(confirmation_number=cn).pk}/change/")
    assert f"API key Test partner ({key.prefix})" in page.content.decode()


def test_create_api_key_gives_hotel_wide_scope_when_asked(nyc):
    out = StringIO()
    call_command("create_api_key", "Chain CRS", "--hotel", "NYC", "--hotel-wide", stdout=out)
    key = HotelAPIKey.objects.get_from_key(out.getvalue().rstrip().splitlines()[-1])
    assert (key.scope, key.hotel_wide) == ("partner", True)
    out = StringIO()
    call_command("create_api_key", "Small agent", "--hotel", "NYC", stdout=out)
    assert HotelAPIKey.objects.get_from_key(out.getvalue().rstrip().splitlines()[-1]).hotel_wide is False
