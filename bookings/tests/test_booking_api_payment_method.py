"""POST /api/v1/bookings with a payment method id (pm_...) instead of card fields; with Stripe on, card fields
refused (CARD_DATA_NOT_ACCEPTED); a booking waiting for 3-D Secure or for the provider's answer answers 202 with
where its payment stands, and its status URL gives the outcome."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Payment, PaymentAttempt, Reservation
from bookings.payments import TestGateway
from inventory.models import InventoryDay
from tests.factories import api_key_for

from . import stripe_setup
from .booking_setup import seed_body
from .stripe_setup import intent_authenticated

URL = "/api/v1/bookings"
pytestmark = pytest.mark.django_db
# Stripe on, against the local fake of api.stripe.com (fixtures).
stripe_fake, stripe_on = stripe_setup.stripe_fake, stripe_setup.stripe_on


def _post(client, body, **headers):
    return client.generic("POST", URL, json.dumps(body), content_type="application/json", **headers)


def _pm_body(friday, payment_method="pm_card_visa", **overrides):
    return seed_body(friday, payment={"payment_method": payment_method}, expected_total="664.14", **overrides)


def _sold(friday):
    return list(InventoryDay.objects.filter(room_type__code="DELUXE-KING", date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


# --- the test gateway -----------------------------------------------------------------------------------------

def test_a_payment_method_id_books_like_the_card_did(partner_client, nyc, next_friday):
    response = _post(partner_client, _pm_body(next_friday))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "CONFIRMED" and body["pricing"]["grand_total"] == "664.14"
    assert body["payment"] == {"status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"}
    assert response["Location"] == f"{URL}/{body['confirmation_number']}"
    assert PaymentAttempt.objects.get().payment_method == "pm_card_visa"


def test_3d_secure_answers_202_pending_with_the_client_secret_and_a_status_url(partner_client, nyc, next_friday):
    response = _post(partner_client, _pm_body(next_friday, "pm_card_authenticationRequired"))

    assert response.status_code == 202, response.content
    body = response.json()
    attempt = PaymentAttempt.objects.get()
    assert body["status"] == "PENDING" and body["confirmation_number"] is None
    assert body["pricing"]["grand_total"] == "664.14" and body["guest_name"] == "John Smith"
    status_url = body["payment"].pop("status_url")
    assert body["payment"] == {"status": "REQUIRES_ACTION", "last_four": "3184", "amount": "0.00", "currency": "USD",
                               "client_secret": f"{attempt.reference}_secret_test"}
    assert response["Location"] == status_url and status_url.startswith(f"{URL}/pending/")
    assert _sold(next_friday) == [1, 1, 1]  # held for the guest meanwhile

    still = partner_client.get(status_url)
    assert still.status_code == 202 and still.json()["payment"]["status"] == "REQUIRES_ACTION"

    TestGateway.authenticate(attempt.reference)  # the guest passed the bank's check
    done = partner_client.get(status_url)

    assert done.status_code == 200, done.content
    confirmed = done.json()
    r = Reservation.objects.get()
    assert confirmed["confirmation_number"] == r.confirmation_number and confirmed["status"] == "CONFIRMED"
    assert confirmed["payment"] == {"status": "COMPLETED", "last_four": "3184", "amount": "664.14", "currency": "USD"}
    assert done["Location"] == f"{URL}/{r.confirmation_number}"
    assert [p.amount for p in Payment.objects.all()] == [Decimal("664.14")]
    # Asked again, the same answer: nothing is charged twice.
    assert partner_client.get(status_url).json() == confirmed
    assert Payment.objects.count() == 1


def test_a_failed_authentication_answers_402_on_the_status_url_and_gives_the_rooms_back(
        partner_client, nyc, next_friday):
    response = _post(partner_client, _pm_body(next_friday, "pm_card_authenticationRequired"))
    status_url = response.json()["payment"]["status_url"]

    TestGateway.authenticate(PaymentAttempt.objects.get().reference, succeed=False)
    failed = partner_client.get(status_url)

    assert failed.status_code == 402
    assert failed.json()["error"]["code"] == "PAYMENT_FAILED"
    assert not Reservation.objects.exists() and _sold(next_friday) == [0, 0, 0]
    again = partner_client.get(status_url)
    assert again.status_code == 402 and again.json()["error"]["decline_code"] == "not_completed"


def test_another_partner_does_not_reach_the_status_url(partner_client, nyc, next_friday):
    status_url = _post(partner_client, _pm_body(next_friday, "pm_card_authenticationRequired")).json()[
        "payment"]["status_url"]
    _, key = api_key_for(nyc, scope="partner", name="Another partner")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    response = other.get(status_url)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
    assert partner_client.get(f"{URL}/pending/nonsense").status_code == 404


def test_the_status_url_expires_with_the_hold(partner_client, nyc, next_friday, settings):
    status_url = _post(partner_client, _pm_body(next_friday, "pm_card_authenticationRequired")).json()[
        "payment"]["status_url"]

    with time_machine.travel(timezone.now() + timedelta(minutes=settings.BOOKING_HOLD_MINUTES, seconds=5)):
        response = partner_client.get(status_url)

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "PAYMENT_LINK_EXPIRED"


def test_a_replayed_202_keeps_its_status_url(partner_client, nyc, next_friday):
    body = _pm_body(next_friday, "pm_card_authenticationRequired")
    first = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="3ds-1")
    again = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="3ds-1")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert Reservation.objects.count() == 1 and PaymentAttempt.objects.count() == 1


def test_payment_method_and_card_fields_together_are_refused(partner_client, nyc, next_friday):
    body = seed_body(next_friday)
    body["payment"]["payment_method"] = "pm_card_visa"

    response = _post(partner_client, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["fields"] == {"payment": {"payment_method": [
        "Send either payment_method or the card fields, not both."]}}
    assert not Reservation.objects.exists()


def test_without_card_or_payment_method_the_card_fields_are_asked_for(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, payment={"holder_name": "John Smith"}))

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]["payment"]) == {"card_number", "exp_month", "exp_year", "cvc"}


def test_a_malformed_payment_method_id_is_a_validation_error(partner_client, nyc, next_friday):
    response = _post(partner_client, _pm_body(next_friday, "card_4242"))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"payment": {"payment_method": [
        "Send the Stripe payment method id (pm_...)."]}}


# --- Stripe on ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("payment", [
    {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
    {"payment_method": "pm_card_visa", "card_number": "4242424242424242"},
    {"card_number": "4242-not-a-card"},
    {"payment_method": "pm_card_visa", "cvc": "123"},
])
def test_with_stripe_on_card_fields_are_refused_and_nothing_is_sent(partner_client, nyc, next_friday, stripe_on,
                                                                     payment):
    response = _post(partner_client, seed_body(next_friday, payment=payment))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "CARD_DATA_NOT_ACCEPTED"
    assert response.json()["error"]["retryable"] is False
    text = response.content.decode()
    assert "4242424242424242" not in text and "not-a-card" not in text and '"123"' not in text
    assert stripe_on.requests == []
    assert not Reservation.objects.exists() and _sold(next_friday) == [0, 0, 0]


def test_with_stripe_on_a_payment_method_books_664_14_through_stripe(partner_client, nyc, next_friday, stripe_on):
    body = seed_body(next_friday, payment={"payment_method": "pm_card_visa", "holder_name": "John Smith"})
    response = _post(partner_client, body)

    assert response.status_code == 201, response.content
    assert response.json()["payment"] == {
        "status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"}
    [sent] = stripe_on.sent("/v1/payment_intents")
    assert (sent.form["amount"], sent.form["currency"], sent.form["payment_method"]) == ("66414", "usd",
                                                                                        "pm_card_visa")


def test_with_stripe_on_the_payment_method_is_required(partner_client, nyc, next_friday, stripe_on):
    response = _post(partner_client, seed_body(next_friday, payment={}))

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"payment": {"payment_method": ["This field is required."]}}
    assert stripe_on.requests == []


def test_with_stripe_on_3d_secure_gives_stripes_client_secret_then_confirms(partner_client, nyc, next_friday,
                                                                             stripe_on):
    response = _post(partner_client, _pm_body(next_friday, "pm_card_authenticationRequired"))

    assert response.status_code == 202, response.content
    [intent_id] = stripe_on.intents
    payment = response.json()["payment"]
    assert payment["status"] == "REQUIRES_ACTION" and payment["client_secret"] == f"{intent_id}_secret_fake"

    intent_authenticated(stripe_on, intent_id)
    done = partner_client.get(payment["status_url"])

    assert done.status_code == 200 and done.json()["status"] == "CONFIRMED"
    assert done.json()["payment"]["amount"] == "664.14"


def test_with_stripe_on_a_lost_answer_is_202_processing_then_settled_with_the_same_key(
        partner_client, nyc, next_friday, stripe_on, settings):
    settings.STRIPE_TIMEOUT = 0.5
    stripe_on.late_once("/v1/payment_intents", 1.5)  # Stripe charges, but the answer comes too late

    response = _post(partner_client, _pm_body(next_friday))

    assert response.status_code == 202, response.content
    payment = response.json()["payment"]
    assert payment["status"] == "PROCESSING" and "client_secret" not in payment
    assert response.json()["status"] == "PENDING"

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        done = partner_client.get(payment["status_url"])

    assert done.status_code == 200 and done.json()["status"] == "CONFIRMED"
    sent = stripe_on.sent("/v1/payment_intents")
    assert len(sent) == 2 and sent[0].idempotency_key == sent[1].idempotency_key
    assert len(stripe_on.intents) == 1  # charged once
    assert [p.amount for p in Payment.objects.all()] == [Decimal("664.14")]
