"""Stripe on for a test: both keys set, the booking flow charging through the real `stripe` client, which talks
to the local fake of api.stripe.com (stripe_fake.py). Use the `stripe_on` fixture (it gives the fake)."""

import re

import pytest
from pytest_httpserver import HTTPServer

from .stripe_fake import FakeStripe

PUBLISHABLE_KEY = "pk_test_fake"


@pytest.fixture
def stripe_fake():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    fake = FakeStripe()
    server.expect_request(re.compile(r"^/v1/.*")).respond_with_handler(fake.handle)
    fake.url = server.url_for("/").rstrip("/")
    yield fake
    server.clear()
    server.stop()


@pytest.fixture
def stripe_on(settings, stripe_fake):
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_API_BASE = stripe_fake.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.STRIPE_TIMEOUT = 2.0
    settings.PAYMENT_GATEWAY = "bookings.payments.stripe_gateway.StripeGateway"
    return stripe_fake


def intent_authenticated(fake: FakeStripe, intent_id: str) -> None:
    """What Stripe.js's 3-D Secure window does when the guest passes it: the intent succeeds."""
    intent = fake.intents[intent_id]
    intent.update(status="succeeded", amount_received=intent["amount"], next_action=None,
                  latest_charge=f"ch_for_{intent_id}")


def intent_not_authenticated(fake: FakeStripe, intent_id: str) -> None:
    """The guest failed (or cancelled) the bank's check: the intent waits for another payment method."""
    intent = fake.intents[intent_id]
    intent.update(status="requires_payment_method", next_action=None, last_payment_error={
        "type": "card_error", "code": "payment_intent_authentication_failure",
        "message": "We are unable to authenticate your payment method. Please choose a different payment "
                   "method and try again."})
