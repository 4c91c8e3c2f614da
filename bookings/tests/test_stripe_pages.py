"""The guest pages with Stripe on: the card goes into Stripe's Payment Element, our server receives only a
PaymentMethod id and books through the real `stripe` client (against the local fake of api.stripe.com); card
fields posted anyway are refused with nothing sent; the Content-Security-Policy lets Stripe.js in only then."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import Payment, PaymentAttempt, Reservation

from . import stripe_setup
from .stripe_setup import PUBLISHABLE_KEY, intent_authenticated, intent_not_authenticated
from .test_booking_pages import _book_url, _text

pytestmark = pytest.mark.django_db
# Stripe on, against the local fake of api.stripe.com (fixtures).
stripe_fake, stripe_on = stripe_setup.stripe_fake, stripe_setup.stripe_on

CARD_FIELDS = ("card_number", "exp_month", "exp_year", "cvc", "holder_name")


def _policy(response) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in response["Content-Security-Policy"].split("; ")}


def _guest(page, **overrides):
    form = page.context["form"]
    data = {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
            "phone": "+1 212 555 0199", "loyalty_number": "", "special_requests": "Late arrival",
            "expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()}
    data.update(overrides)
    return data


def _book(client, friday, payment_method, **overrides):
    page = client.get(_book_url(friday))
    return client.post(_book_url(friday), _guest(page, payment_method=payment_method, **overrides))


def test_the_book_page_has_stripes_card_fields_and_none_of_ours(client, nyc, next_friday, stripe_on):
    response = client.get(_book_url(next_friday))

    assert response.status_code == 200
    html = response.content.decode()
    for name in CARD_FIELDS:
        assert f'name="{name}"' not in html, name
    assert re.search(r'<input type="hidden" name="payment_method" id="id_payment_method">', html)
    element = re.search(r'<div id="payment-element"([^>]*)>', html).group(1)
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in element
    assert 'data-mode="payment"' in element and 'data-amount="66414"' in element
    assert 'data-currency="usd"' in element and 'data-setup-future-usage="off_session"' in element
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in html
    assert re.search(r'<script src="/static/js/stripe_payment\.js" defer></script>', html)
    assert "they never reach our server" in _text(response)
    assert "Pay 664.14 USD and book" in _text(response)
    assert "sk_test_fake" not in html  # the secret key stays on the server


def test_the_policy_lets_stripe_in_only_on_the_stripe_pages(client, nyc, next_friday, settings, stripe_fake):
    off = client.get(_book_url(next_friday))
    assert "stripe.com" not in off["Content-Security-Policy"]
    assert "js.stripe.com" not in off.content.decode()

    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_fake", PUBLISHABLE_KEY
    on = _policy(client.get(_book_url(next_friday)))
    assert on["script-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com"]
    assert on["frame-src"] == ["'self'", "https://js.stripe.com", "https://*.js.stripe.com",
                               "https://hooks.stripe.com"]
    assert on["connect-src"] == ["'self'", "https://api.stripe.com"]
    assert on["default-src"] == ["'self'"] and on["style-src"] == ["'self'"]
    # The other pages keep the site-only policy.
    assert "stripe.com" not in client.get("/")["Content-Security-Policy"]


def test_a_payment_method_id_books_664_14_through_stripe(client, nyc, next_friday, stripe_on,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _book(client, next_friday, "pm_card_visa")

    r = Reservation.objects.get()
    assert r.status == "CONFIRMED"
    assert response.status_code == 302 and response["Location"] == f"/booking/{r.confirmation_number}/"
    [sent] = stripe_on.sent("/v1/payment_intents")
    assert (sent.form["amount"], sent.form["currency"], sent.form["payment_method"]) == ("66414", "usd",
                                                                                        "pm_card_visa")
    assert sent.form["confirm"] == "true" and sent.form["capture_method"] == "automatic"
    assert sent.idempotency_key == PaymentAttempt.objects.get().idempotency_key
    [payment] = Payment.objects.all()
    assert (payment.amount, payment.gateway, payment.last_four) == (Decimal("664.14"), "stripe", "4242")
    assert payment.gateway_reference == next(iter(stripe_on.intents))
    text = _text(client.get(response["Location"]))
    assert "Your booking is confirmed" in text and "Paid 664.14 USD by Visa ending in 4242." in text
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("posted", [
    {"card_number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"},
    {"card_number": "4242424242424242"},
    {"cvc": "123"},
])
def test_card_fields_posted_with_stripe_on_are_refused_and_nothing_is_sent(client, nyc, next_friday, stripe_on,
                                                                            posted):
    response = _book(client, next_friday, "pm_card_visa", **posted)

    assert response.status_code == 400
    assert "Card numbers are not accepted here." in _text(response)
    assert stripe_on.requests == []
    assert not Reservation.objects.exists() and not PaymentAttempt.objects.exists()
    html = response.content.decode()
    assert "4242424242424242" not in html and 'value="123"' not in html
    assert 'value="John"' in html  # the guest's own details stay in the form


def test_a_declined_card_stays_on_the_form_with_stripes_reason(client, nyc, next_friday, stripe_on):
    response = _book(client, next_friday, "pm_card_chargeDeclinedInsufficientFunds")

    assert response.status_code == 200
    assert "Your card has insufficient funds." in _text(response)
    assert not Reservation.objects.exists()
    # The used PaymentMethod is not written back: the next submit makes a new one.
    assert 'name="payment_method" value=' not in response.content.decode()


def test_without_a_payment_method_the_form_asks_for_the_card(client, nyc, next_friday, stripe_on):
    response = _book(client, next_friday, "")

    assert response.status_code == 200
    assert "Please enter your card details." in _text(response)
    assert stripe_on.requests == [] and not Reservation.objects.exists()


def _three_d_secure(client, friday, fake):
    response = _book(client, friday, "pm_card_authenticationRequired")
    assert response.status_code == 302 and response["Location"].startswith("/book/pay/")
    token = response["Location"].split("/")[3]
    [intent_id] = fake.intents
    return token, intent_id


def test_3d_secure_with_stripe_runs_handle_next_action_then_confirms(client, nyc, next_friday, stripe_on):
    token, intent_id = _three_d_secure(client, next_friday, stripe_on)
    assert Reservation.objects.get().status == "PENDING"

    page = client.get(f"/book/pay/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    action = re.search(r'<div id="payment-action"([^>]*)>', html).group(1)
    assert f'data-client-secret="{intent_id}_secret_fake"' in action
    assert f'data-publishable-key="{PUBLISHABLE_KEY}"' in action
    assert f'data-return-url="/book/pay/{token}/return"' in action
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in html
    assert "https://js.stripe.com" in _policy(page)["script-src"]
    assert "Complete authentication (test)" not in html  # only with the test gateway
    assert client.post(f"/book/pay/{token}/test-authenticate").status_code == 404

    intent_authenticated(stripe_on, intent_id)  # what Stripe.js's window did
    done = client.get(f"/book/pay/{token}/return")

    r = Reservation.objects.get()
    assert r.status == "CONFIRMED"
    assert done.status_code == 302 and done["Location"] == f"/booking/{r.confirmation_number}/"
    assert [s.path for s in stripe_on.requests if s.method == "GET"] == [f"/v1/payment_intents/{intent_id}"]
    assert [(p.amount, p.last_four) for p in Payment.objects.all()] == [(Decimal("664.14"), "3184")]


def test_3d_secure_failed_at_stripe_sends_the_guest_back_to_book_with_the_reason(client, nyc, next_friday,
                                                                                 stripe_on):
    token, intent_id = _three_d_secure(client, next_friday, stripe_on)

    intent_not_authenticated(stripe_on, intent_id)
    back = client.get(f"/book/pay/{token}/return")

    assert back.status_code == 302 and back["Location"] == _book_url(next_friday)
    text = _text(client.get(back["Location"]))
    assert 'data-code="PAYMENT_FAILED"' in text
    assert "We are unable to authenticate your payment method." in text
    assert not Reservation.objects.exists() and not Payment.objects.exists()
