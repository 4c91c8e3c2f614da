"""Fixtures for the webhook tests: a partner key with its own client, a receiver on a local HTTP server, and a
way to let everything queued after commit happen (the outbox, the fan-out, the sends)."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from bookings.tests.booking_setup import seed_body

HOOK_PATH = "/hooks"


def keyed(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


@pytest.fixture
def partner(partner_client):
    """The partner key of NYC behind `partner_client` (it reaches the bookings it makes), and that client."""
    from inventory.models import HotelAPIKey

    return HotelAPIKey.objects.get(name="Test partner"), partner_client


@pytest.fixture
def stay_friday(next_friday):
    """A Friday two weeks out, so that cancelling 36 hours before arrival lies ahead of now."""
    return next_friday + timedelta(days=14)


@pytest.fixture
def settle(django_capture_on_commit_callbacks):
    """`with settle():` runs what the commits queued (event delivery, fan-out, sends), as a worker would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def endpoint_of(httpserver, settle):
    """Register an endpoint through the API for (client, event types); returns its JSON."""

    def register(client, event_types=("reservation.created",), path=HOOK_PATH, **extra):
        body = {"url": httpserver.url_for(path), "event_types": list(event_types),
                "contact_email": "tech@partner.example", **extra}
        response = client.post("/api/v1/webhooks/endpoints", body, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return register


def book(client, friday, settle, email="john.smith@example.com", **overrides) -> str:
    """The seed's stay booked through the API with `client`, everything after commit run; its number."""
    body = seed_body(friday, **overrides)
    body["guest"]["email"] = email
    with settle():
        response = client.post("/api/v1/bookings", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["confirmation_number"]


def received(httpserver, path=HOOK_PATH) -> list:
    """The requests the receiver got at `path`, oldest first."""
    return [request for request, _ in httpserver.log if request.path == path]


def body_of(request) -> dict:
    return json.loads(request.get_data())


def verify(request, secret: str) -> bool:
    """What a partner does: recompute the HMAC of "<t>.<raw body>" and compare in constant time."""
    parts = dict(item.split("=", 1) for item in request.headers["Hotel-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + request.get_data(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])
