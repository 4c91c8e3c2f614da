"""Review: amounts a partner reads in error bodies are in the currency's minor unit, like everywhere else."""

import json
from datetime import timedelta

import pytest

from .booking_setup import seed_body
from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db


def _send(client, method, url, body):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_price_changed_echoes_the_expected_total_with_two_decimals(hotel_partner_client, nyc, next_friday):
    r = book(next_friday + timedelta(days=7))
    response = _send(hotel_partner_client, "PATCH", f"/api/v1/bookings/{r.confirmation_number}",
                     {"check_out": (r.check_out + timedelta(days=1)).isoformat(), "expected_total": "800"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["expected_total"], error["new_total"]) == ("PRICE_CHANGED", "800.00", "871.92")


def test_booking_price_changed_echoes_the_expected_total_with_two_decimals(hotel_partner_client, nyc, next_friday):
    response = _send(hotel_partner_client, "POST", "/api/v1/bookings", seed_body(next_friday, expected_total="600.5"))
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["expected_total"], error["new_total"]) == ("PRICE_CHANGED", "600.50", "664.14")


def test_cancel_price_changed_echoes_the_expected_penalty_with_two_decimals(hotel_partner_client, nyc, next_friday):
    r = book(next_friday + timedelta(days=7))
    response = _send(hotel_partner_client, "POST", f"/api/v1/bookings/{r.confirmation_number}/cancel",
                     {"reason": "plans", "expected_penalty": "10"})
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["expected_penalty"], error["penalty"], error["refund"]) == (
        "PRICE_CHANGED", "10.00", "0.00", "664.14")
