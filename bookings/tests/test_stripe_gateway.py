"""The Stripe gateway: the real `stripe` client against a local fake speaking Stripe's wire format."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_httpserver import HTTPServer

from bookings.payments import Card, ErrorCode, PaymentMethodRef, PaymentStatus
from bookings.payments.stripe_gateway import StripeGateway, from_stripe_amount, to_stripe_amount

from .stripe_fake import FakeStripe

D = Decimal
VISA = PaymentMethodRef(id="pm_card_visa")


@pytest.fixture
def fake():
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    stripe_fake = FakeStripe()
    server.expect_request(re.compile(r"^/v1/.*")).respond_with_handler(stripe_fake.handle)
    stripe_fake.url = server.url_for("/").rstrip("/")
    yield stripe_fake
    server.clear()
    server.stop()


@pytest.fixture
def gateway(fake):
    return StripeGateway(api_key="sk_test_fake", api_base=fake.url, timeout=0.5, max_network_retries=0)


# --- amounts ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("amount, currency, minor, back", [
    ("664.14", "USD", 66414, "664.14"), ("664.145", "USD", 66415, "664.15"), ("5000", "JPY", 5000, "5000"),
    ("1500", "ISK", 150000, "1500"), ("1.23", "KWD", 1230, "1.230"), ("12", "CLP", 12, "12"),
    ("0.5", "EUR", 50, "0.50"),
])
def test_amounts_go_to_stripe_in_its_minor_unit(amount, currency, minor, back):
    assert to_stripe_amount(D(amount), currency) == minor
    back_again = from_stripe_amount(minor, currency)
    assert (back_again, str(back_again)) == (D(back), back)


@pytest.mark.parametrize("amount, currency", [("1.234", "KWD"), ("100.50", "MGA")])
def test_amounts_stripe_cannot_carry_exactly_are_refused_not_rounded_again(amount, currency, gateway, fake):
    with pytest.raises(ValueError):
        to_stripe_amount(D(amount), currency)
    result = gateway.charge(payment_method=VISA, amount=D(amount), currency=currency, idempotency_key="k1")
    assert (result.success, result.error_code) == (False, ErrorCode.AMOUNT_NOT_REPRESENTABLE)
    assert fake.requests == []


# --- charges ------------------------------------------------------------------------------------------------

def test_a_charge_sends_minor_units_lowercase_currency_the_payment_method_and_the_callers_key(gateway, fake):
    result = gateway.charge(payment_method=VISA, amount=D("664.14"), currency="USD", description="NYC-0001",
                            idempotency_key="booking:NYC-0001:charge")

    (sent,) = fake.sent("/v1/payment_intents")
    assert sent.form["amount"] == "66414"
    assert sent.form["currency"] == "usd"
    assert sent.form["payment_method"] == "pm_card_visa"
    assert sent.form["payment_method_types[0]"] == "card"
    assert sent.form["confirm"] == "true"
    assert sent.form["capture_method"] == "automatic"
    assert "off_session" not in sent.form and "customer" not in sent.form
    assert sent.form["metadata[idempotency_key]"] == "booking:NYC-0001:charge"
    assert sent.idempotency_key == "booking:NYC-0001:charge"
    assert sent.authorization == "Bearer sk_test_fake"
    assert result.success and result.status == PaymentStatus.SUCCEEDED
    assert result.reference.startswith("pi_") and result.reference in fake.intents
    assert (result.brand, result.last_four, result.amount) == ("visa", "4242", D("664.14"))
    assert result.token == ""  # not saved: nothing to charge later


def test_yen_have_no_minor_unit(gateway, fake):
    result = gateway.charge(payment_method=VISA, amount=D("45000"), currency="JPY", idempotency_key="jp-1")
    (sent,) = fake.sent("/v1/payment_intents")
    assert (sent.form["amount"], sent.form["currency"]) == ("45000", "jpy")
    assert result.amount == D("45000")


def test_card_numbers_are_refused_with_stripe_on_and_nothing_is_sent(gateway, fake):
    card = Card("4242424242424242", 12, 2034, "123")
    for result in (gateway.charge(card=card, amount=D("10"), currency="USD", idempotency_key="a"),
                   gateway.authorise(card=card, amount=D("10"), currency="USD", idempotency_key="b"),
                   gateway.save_card(card=card, idempotency_key="c")):
        assert (result.success, result.status) == (False, PaymentStatus.FAILED)
        assert result.error_code == ErrorCode.CARD_DATA_NOT_ACCEPTED == "card_data_not_accepted"
    assert fake.requests == []


def test_every_write_needs_the_callers_idempotency_key(gateway, fake):
    with pytest.raises(ValueError):
        gateway.charge(payment_method=VISA, amount=D("10"), currency="USD")
    with pytest.raises(ValueError):
        gateway.refund(reference="pi_x", amount=D("1"), currency="USD")
    assert fake.requests == []


@pytest.mark.parametrize("method, code, last_four", [
    ("pm_card_chargeDeclined", "card_declined", "0002"),
    ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds", "9995"),
])
def test_a_declined_card_402_gives_the_decline_code_and_the_failed_intent(gateway, fake, method, code, last_four):
    result = gateway.charge(payment_method=PaymentMethodRef(id=method), amount=D("664.14"), currency="USD",
                            idempotency_key=f"decline-{method}")
    assert (result.success, result.status, result.error_code) == (False, PaymentStatus.FAILED, code)
    assert not result.unknown and not result.retryable
    assert result.reference in fake.intents and fake.intents[result.reference]["status"] == "requires_payment_method"
    assert (result.brand, result.last_four) == ("visa", last_four)
    assert "declined" in result.message or "insufficient" in result.message


def test_3d_secure_gives_requires_action_with_the_client_secret_then_status_settles_it(gateway, fake):
    method = PaymentMethodRef(id="pm_card_authenticationRequired")
    result = gateway.charge(payment_method=method, amount=D("664.14"), currency="USD", idempotency_key="3ds-1")

    assert (result.success, result.status) == (False, PaymentStatus.REQUIRES_ACTION)
    assert result.client_secret == f"{result.reference}_secret_fake"
    assert not result.unknown
    # The guest authenticates in Stripe's window; Stripe completes the intent; we read it back.
    fake.intents[result.reference].update(status="succeeded", amount_received=66414, next_action=None)
    settled = gateway.payment_status(reference=result.reference)
    assert (settled.success, settled.status, settled.amount) == (True, PaymentStatus.SUCCEEDED, D("664.14"))
    assert settled.client_secret == ""
    (get,) = fake.sent(f"/v1/payment_intents/{result.reference}", method="GET")
    assert get.form == {"expand[0]": "payment_method"}


# --- authorisations -----------------------------------------------------------------------------------------

def test_an_authorisation_holds_with_manual_capture_and_a_partial_capture_takes_part(gateway, fake):
    held = gateway.authorise(payment_method=VISA, amount=D("300.00"), currency="USD", idempotency_key="stay-9:auth")
    (sent,) = fake.sent("/v1/payment_intents")
    assert (sent.form["capture_method"], sent.form["amount"], sent.form["confirm"]) == ("manual", "30000", "true")
    assert (held.success, held.status, held.amount) == (True, PaymentStatus.REQUIRES_CAPTURE, D("300.00"))

    taken = gateway.capture(reference=held.reference, amount=D("120.50"), currency="USD",
                            idempotency_key="stay-9:capture")
    (capture,) = fake.sent(f"/v1/payment_intents/{held.reference}/capture")
    assert capture.form["amount_to_capture"] == "12050"
    assert capture.idempotency_key == "stay-9:capture"
    assert (taken.success, taken.status, taken.amount) == (True, PaymentStatus.SUCCEEDED, D("120.50"))


def test_a_full_capture_sends_no_amount(gateway, fake):
    held = gateway.authorise(payment_method=VISA, amount=D("80"), currency="USD", idempotency_key="a1")
    taken = gateway.capture(reference=held.reference, currency="USD", idempotency_key="c1")
    (capture,) = fake.sent(f"/v1/payment_intents/{held.reference}/capture")
    assert "amount_to_capture" not in capture.form
    assert taken.amount == D("80.00")


def test_releasing_an_authorisation_cancels_it(gateway, fake):
    held = gateway.authorise(payment_method=VISA, amount=D("150"), currency="USD", idempotency_key="a2")
    released = gateway.release(reference=held.reference, idempotency_key="r2")
    assert (released.success, released.status) == (True, PaymentStatus.CANCELED)
    assert fake.intents[held.reference]["status"] == "canceled"
    assert fake.sent(f"/v1/payment_intents/{held.reference}/cancel")[0].idempotency_key == "r2"


# --- cards kept as a guarantee --------------------------------------------------------------------------------

def test_a_saved_card_is_a_setup_intent_on_a_customer_then_charged_off_session(gateway, fake):
    saved = gateway.save_card(payment_method=VISA, email="ana@example.com", name="Ana Lima",
                              idempotency_key="booking:NYC-7:guarantee")
    (customer,) = fake.sent("/v1/customers")
    assert customer.idempotency_key == "booking:NYC-7:guarantee:customer"
    assert customer.form["email"] == "ana@example.com"
    (setup,) = fake.sent("/v1/setup_intents")
    assert setup.idempotency_key == "booking:NYC-7:guarantee:setup"
    assert (setup.form["usage"], setup.form["confirm"], setup.form["payment_method"]) == (
        "off_session", "true", "pm_card_visa")
    customer_id = next(iter(fake.customers))
    assert setup.form["customer"] == customer_id
    assert (saved.success, saved.status) == (True, PaymentStatus.SUCCEEDED)
    assert saved.token == f"{customer_id}:pm_card_visa"
    assert (saved.brand, saved.last_four) == ("visa", "4242")

    penalty = gateway.charge_saved(token=saved.token, amount=D("181.88"), currency="USD",
                                   idempotency_key="cancel:NYC-7:penalty")
    (charge,) = fake.sent("/v1/payment_intents")
    assert (charge.form["off_session"], charge.form["confirm"], charge.form["customer"]) == (
        "true", "true", customer_id)
    assert (charge.form["payment_method"], charge.form["amount"]) == ("pm_card_visa", "18188")
    assert (penalty.success, penalty.amount, penalty.token) == (True, D("181.88"), saved.token)


def test_an_off_session_charge_the_bank_wants_authenticated_fails_with_authentication_required(gateway, fake):
    token = PaymentMethodRef(id="pm_card_authenticationRequired", customer="cus_guest").token
    result = gateway.charge_saved(token=token, amount=D("207.78"), currency="USD", idempotency_key="noshow:1")
    assert (result.success, result.error_code) == (False, "authentication_required")
    assert result.status == PaymentStatus.FAILED
    assert result.reference in fake.intents


def test_a_charge_saved_for_later_makes_a_customer_and_says_so(gateway, fake):
    result = gateway.charge(payment_method=VISA, amount=D("181.88"), currency="USD", idempotency_key="dep-1",
                            save_for_later=True)
    (sent,) = fake.sent("/v1/payment_intents")
    assert sent.form["setup_future_usage"] == "off_session"
    assert sent.form["customer"] in fake.customers
    assert result.token == f"{sent.form['customer']}:pm_card_visa"


# --- refunds --------------------------------------------------------------------------------------------------

def test_refunds_partial_then_the_rest(gateway, fake):
    paid = gateway.charge(payment_method=VISA, amount=D("664.14"), currency="USD", idempotency_key="b-1")
    part = gateway.refund(reference=paid.reference, amount=D("181.88"), currency="USD", idempotency_key="m-1:refund")
    rest = gateway.refund(reference=paid.reference, amount=None, currency="USD", idempotency_key="c-1:refund")

    first, second = fake.sent("/v1/refunds")
    assert (first.form["payment_intent"], first.form["amount"], first.idempotency_key) == (
        paid.reference, "18188", "m-1:refund")
    assert "amount" not in second.form
    assert (part.success, part.status, part.amount) == (True, PaymentStatus.SUCCEEDED, D("181.88"))
    assert part.reference.startswith("re_")
    assert rest.amount == D("482.26")
    assert gateway.payment_status(reference=part.reference).amount == D("181.88")


# --- when Stripe or the network misbehaves ---------------------------------------------------------------------

def test_a_timeout_is_unknown_and_the_retry_with_the_same_key_settles_it_without_paying_twice(gateway, fake):
    fake.late_once("/v1/payment_intents", seconds=1.5)
    lost = gateway.charge(payment_method=VISA, amount=D("664.14"), currency="USD", idempotency_key="booking:1")

    assert (lost.success, lost.status, lost.error_code) == (False, PaymentStatus.UNKNOWN, ErrorCode.NETWORK_ERROR)
    assert lost.unknown and lost.retryable
    assert len(fake.intents) == 1  # Stripe did take the money

    again = gateway.charge(payment_method=VISA, amount=D("664.14"), currency="USD", idempotency_key="booking:1")
    assert (again.success, again.status) == (True, PaymentStatus.SUCCEEDED)
    assert len(fake.intents) == 1 and again.reference in fake.intents
    assert [r.idempotency_key for r in fake.sent("/v1/payment_intents")] == ["booking:1", "booking:1"]


def test_a_capture_whose_answer_was_lost_is_settled_by_its_status(gateway, fake):
    held = gateway.authorise(payment_method=VISA, amount=D("200"), currency="USD", idempotency_key="a3")
    fake.late_once(f"/v1/payment_intents/{held.reference}/capture", seconds=1.5)
    lost = gateway.capture(reference=held.reference, amount=D("150"), currency="USD", idempotency_key="c3")
    assert lost.unknown and lost.reference == held.reference

    settled = gateway.payment_status(reference=held.reference)
    assert (settled.success, settled.status, settled.amount) == (True, PaymentStatus.SUCCEEDED, D("150.00"))


def test_the_library_retries_a_stripe_500_with_the_same_key(fake):
    gateway = StripeGateway(api_key="sk_test_fake", api_base=fake.url, timeout=2, max_network_retries=1)
    fake.refuse_once("/v1/payment_intents", 500)
    result = gateway.charge(payment_method=VISA, amount=D("10"), currency="USD", idempotency_key="retry-1")
    assert result.success
    assert [r.idempotency_key for r in fake.sent("/v1/payment_intents")] == ["retry-1", "retry-1"]
    assert len(fake.intents) == 1


def test_a_500_after_the_retries_is_unknown_not_a_decline(gateway, fake):
    fake.refuse_once("/v1/payment_intents", 500)
    result = gateway.charge(payment_method=VISA, amount=D("10"), currency="USD", idempotency_key="e-1")
    assert (result.status, result.error_code, result.retryable) == (
        PaymentStatus.UNKNOWN, ErrorCode.GATEWAY_ERROR, True)


def test_a_rate_limit_is_a_clear_retryable_code_and_nothing_is_done(gateway, fake):
    fake.refuse_once("/v1/payment_intents", 429)
    limited = gateway.charge(payment_method=VISA, amount=D("10"), currency="USD", idempotency_key="rl-1")
    assert (limited.success, limited.status, limited.error_code) == (
        False, PaymentStatus.FAILED, ErrorCode.RATE_LIMITED)
    assert limited.retryable and fake.intents == {}

    later = gateway.charge(payment_method=VISA, amount=D("10"), currency="USD", idempotency_key="rl-1")
    assert later.success and len(fake.intents) == 1


def test_a_key_reused_with_other_parameters_is_an_idempotency_conflict(gateway, fake):
    first = gateway.charge(payment_method=VISA, amount=D("664.14"), currency="USD", idempotency_key="same")
    clash = gateway.charge(payment_method=VISA, amount=D("871.92"), currency="USD", idempotency_key="same")
    assert first.success
    assert (clash.success, clash.status, clash.error_code) == (
        False, PaymentStatus.FAILED, ErrorCode.IDEMPOTENCY_CONFLICT)
    assert not clash.retryable and len(fake.intents) == 1


def test_an_unknown_payment_is_resource_missing(gateway):
    result = gateway.payment_status(reference="pi_nothing")
    assert (result.success, result.error_code) == (False, ErrorCode.RESOURCE_MISSING)


# --- configuration ----------------------------------------------------------------------------------------------

def test_the_gateway_is_configured_by_the_stripe_settings(settings, fake):
    settings.STRIPE_SECRET_KEY = "sk_test_from_env"
    settings.STRIPE_API_BASE = fake.url
    result = StripeGateway().charge(payment_method=VISA, amount=D("1"), currency="EUR", idempotency_key="cfg")
    assert result.success
    assert fake.requests[0].authorization == "Bearer sk_test_from_env"


def test_without_a_secret_key_the_gateway_refuses_to_start(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        StripeGateway()


@pytest.mark.django_db
def test_a_booking_with_card_numbers_through_stripe_is_refused_with_a_clear_code_and_nothing_sent(
        nyc, next_friday, fake, gateway):
    from bookings.models import Payment, Reservation
    from bookings.services import booking_create
    from hotelbooking.errors import PaymentFailed

    from .booking_setup import seed_request

    with pytest.raises(PaymentFailed) as refused:
        booking_create(request=seed_request(next_friday), gateway=gateway)

    assert refused.value.details["decline_code"] == "card_data_not_accepted"
    assert fake.requests == []
    assert not Payment.objects.exists()
    assert not Reservation.objects.filter(status="CONFIRMED").exists()
