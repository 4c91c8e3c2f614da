"""The booking body's optional arrival_time (new beside the existing fields): kept for the desk, documented."""

from datetime import time

import pytest
from drf_spectacular.generators import SchemaGenerator

from bookings.models import Reservation

from .booking_setup import seed_body

pytestmark = pytest.mark.django_db


def test_a_booking_may_say_when_the_guest_arrives(nyc, next_friday, hotel_partner_client):
    body = {**seed_body(next_friday), "arrival_time": "21:30"}
    response = hotel_partner_client.post("/api/v1/bookings", body, format="json")
    assert response.status_code == 201, response.content
    r = Reservation.objects.get(confirmation_number=response.json()["confirmation_number"])
    assert r.arrival_time == time(21, 30)


def test_a_booking_without_it_books_as_before(nyc, next_friday, hotel_partner_client):
    response = hotel_partner_client.post("/api/v1/bookings", seed_body(next_friday), format="json")
    assert response.status_code == 201, response.content
    assert Reservation.objects.get(confirmation_number=response.json()["confirmation_number"]).arrival_time is None


def test_a_time_that_is_not_one_is_a_validation_error(nyc, next_friday, hotel_partner_client):
    response = hotel_partner_client.post("/api/v1/bookings", {**seed_body(next_friday), "arrival_time": "25:61"},
                                         format="json")
    assert response.status_code == 400
    assert not Reservation.objects.exists()


def test_the_schema_documents_it_as_optional():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    booking = schema["components"]["schemas"]["BookingCreateInputRequest"] \
        if "BookingCreateInputRequest" in schema["components"]["schemas"] else \
        schema["components"]["schemas"]["BookingCreateInput"]
    assert booking["properties"]["arrival_time"]["type"] == ["string", "null"]  # OpenAPI 3.1's nullable
    assert "arrival_time" not in booking.get("required", [])
