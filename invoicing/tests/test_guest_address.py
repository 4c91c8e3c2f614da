"""A guest's invoice carries the postal address they gave for it at booking (API or booking page)."""

import json
from datetime import timedelta

import pytest

from bookings.models import Reservation
from bookings.tests.booking_setup import seed_body
from invoicing.services import invoice_issue

from .conftest import at

pytestmark = pytest.mark.django_db
ADDRESS = "Hauptstrasse 5\n10115 Berlin\nDE"


def test_the_address_given_in_the_booking_api_is_read_back_and_printed_on_the_invoice(partner_client,
                                                                                     next_friday):
    body = seed_body(next_friday, billing_address=ADDRESS + "  ")
    response = partner_client.generic("POST", "/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    number = response.json()["confirmation_number"]
    assert response.json()["billing_address"] == ADDRESS
    assert partner_client.get(f"/api/v1/bookings/{number}").json()["billing_address"] == ADDRESS
    r = Reservation.objects.get(confirmation_number=number)
    with at(next_friday - timedelta(days=2), 9):
        invoice = invoice_issue(reservation_id=r.pk)
    assert (invoice.bill_to_name, invoice.bill_to_address, invoice.bill_to_email) == (
        "John Smith", ADDRESS, "john.smith@example.com")


def test_without_an_address_the_invoice_has_the_name_and_email_only(partner_client, next_friday):
    response = partner_client.generic("POST", "/api/v1/bookings", json.dumps(seed_body(next_friday)),
                                      content_type="application/json")
    assert response.json()["billing_address"] == ""
    r = Reservation.objects.get(confirmation_number=response.json()["confirmation_number"])
    with at(next_friday - timedelta(days=2), 9):
        invoice = invoice_issue(reservation_id=r.pk)
    assert (invoice.bill_to_name, invoice.bill_to_address) == ("John Smith", "")


def test_an_address_longer_than_500_characters_is_refused(partner_client, next_friday):
    response = partner_client.generic("POST", "/api/v1/bookings",
                                      json.dumps(seed_body(next_friday, billing_address="x" * 501)),
                                      content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not Reservation.objects.exists()
