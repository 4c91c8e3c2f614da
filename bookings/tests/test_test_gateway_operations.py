"""The built-in TestGateway offers every operation of the interface, with Stripe's test payment method ids."""

from decimal import Decimal

import pytest

from bookings.payments import (
    Card,
    ErrorCode,
    GatewayResult,
    PaymentGateway,
    PaymentMethodRef,
    PaymentStatus,
    TestGateway,
)

D = Decimal
VISA = PaymentMethodRef(id="pm_card_visa")
GOOD_CARD = Card("4242424242424242", 12, 2034, "123")


def test_results_made_the_old_way_carry_a_status():
    assert GatewayResult(True, reference="ch_1").status == PaymentStatus.SUCCEEDED
    assert GatewayResult(False, error_code="card_declined").status == PaymentStatus.FAILED
    assert not GatewayResult(False, status=PaymentStatus.FAILED).unknown
    assert GatewayResult(False, status=PaymentStatus.UNKNOWN).unknown


def test_the_interface_names_every_operation():
    for operation in ("charge", "charge_saved", "refund", "authorise", "capture", "release", "save_card",
                      "payment_status"):
        assert getattr(TestGateway, operation) is not getattr(PaymentGateway, operation), operation


def test_a_payment_method_ref_round_trips_through_its_token():
    saved = PaymentMethodRef(id="pm_1", customer="cus_9")
    assert saved.token == "cus_9:pm_1"
    assert PaymentMethodRef.from_token(saved.token) == saved
    assert PaymentMethodRef.from_token("pm_2") == PaymentMethodRef(id="pm_2")


def test_the_card_path_is_unchanged():
    result = TestGateway().charge(card=GOOD_CARD, amount=D("664.14"), currency="USD")
    assert (result.success, result.status, result.brand, result.last_four) == (
        True, PaymentStatus.SUCCEEDED, "visa", "4242")
    assert result.token.startswith("tok_") and result.reference.startswith("ch_")


def test_authorise_capture_part_and_read_the_status():
    gateway = TestGateway()
    held = gateway.authorise(payment_method=VISA, amount=D("300"), currency="USD", idempotency_key="t-auth-1")
    assert (held.success, held.status, held.amount) == (True, PaymentStatus.REQUIRES_CAPTURE, D("300"))
    assert gateway.payment_status(reference=held.reference).status == PaymentStatus.REQUIRES_CAPTURE

    too_much = gateway.capture(reference=held.reference, amount=D("300.01"), currency="USD", idempotency_key="t-c0")
    assert (too_much.success, too_much.error_code) == (False, "amount_too_large")
    taken = gateway.capture(reference=held.reference, amount=D("120.50"), currency="USD", idempotency_key="t-c1")
    assert (taken.success, taken.status, taken.amount) == (True, PaymentStatus.SUCCEEDED, D("120.50"))
    assert gateway.payment_status(reference=held.reference).amount == D("120.50")


def test_an_authorisation_with_a_test_card_and_its_release():
    gateway = TestGateway()
    held = gateway.authorise(card=GOOD_CARD, amount=D("100"), currency="USD", idempotency_key="t-auth-2")
    assert (held.status, held.brand, held.last_four) == (PaymentStatus.REQUIRES_CAPTURE, "visa", "4242")
    released = gateway.release(reference=held.reference, idempotency_key="t-rel-2")
    assert (released.success, released.status) == (True, PaymentStatus.CANCELED)
    again = gateway.capture(reference=held.reference, currency="USD", idempotency_key="t-c2")
    assert (again.success, again.error_code) == (False, "payment_intent_unexpected_state")


def test_the_same_key_gives_the_first_answer_and_other_parameters_a_conflict():
    gateway = TestGateway()
    first = gateway.charge(payment_method=VISA, amount=D("50"), currency="USD", idempotency_key="t-once")
    retry = gateway.charge(payment_method=VISA, amount=D("50"), currency="USD", idempotency_key="t-once")
    clash = gateway.charge(payment_method=VISA, amount=D("60"), currency="USD", idempotency_key="t-once")
    assert retry == first
    assert (clash.success, clash.error_code) == (False, ErrorCode.IDEMPOTENCY_CONFLICT)


@pytest.mark.parametrize("method, code", [("pm_card_chargeDeclined", "card_declined"),
                                          ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
                                          ("pm_nonsense", ErrorCode.RESOURCE_MISSING)])
def test_declining_test_payment_methods(method, code):
    result = TestGateway().charge(payment_method=PaymentMethodRef(id=method), amount=D("10"), currency="USD",
                                  idempotency_key=f"t-{method}")
    assert (result.success, result.status, result.error_code) == (False, PaymentStatus.FAILED, code)


def test_3d_secure_then_authenticated():
    gateway = TestGateway()
    method = PaymentMethodRef(id="pm_card_authenticationRequired")
    asked = gateway.charge(payment_method=method, amount=D("80"), currency="USD", idempotency_key="t-3ds")
    assert (asked.success, asked.status) == (False, PaymentStatus.REQUIRES_ACTION)
    assert asked.client_secret
    TestGateway.authenticate(asked.reference)
    assert gateway.payment_status(reference=asked.reference).status == PaymentStatus.SUCCEEDED


def test_a_saved_card_is_charged_off_session_and_one_needing_authentication_is_declined():
    gateway = TestGateway()
    saved = gateway.save_card(payment_method=VISA, email="ana@example.com", idempotency_key="t-save")
    assert saved.success and saved.token.endswith(":pm_card_visa") and saved.token.startswith("cus_")
    penalty = gateway.charge_saved(token=saved.token, amount=D("181.88"), currency="USD", idempotency_key="t-pen")
    assert (penalty.success, penalty.amount) == (True, D("181.88"))

    strict = PaymentMethodRef(id="pm_card_authenticationRequired", customer="cus_x").token
    refused = gateway.charge_saved(token=strict, amount=D("10"), currency="USD", idempotency_key="t-pen2")
    assert (refused.success, refused.error_code) == (False, "authentication_required")


def test_a_saved_test_card_is_checked_not_charged():
    saved = TestGateway().save_card(card=GOOD_CARD, idempotency_key="t-save-card")
    assert saved.success and saved.token.startswith("tok_") and saved.reference == ""
    declined = TestGateway().save_card(card=Card(TestGateway.DECLINED, 12, 2034), idempotency_key="t-save-bad")
    assert (declined.success, declined.error_code) == (False, "card_declined")
    # The old charge_saved path accepts the token as before.
    assert TestGateway().charge_saved(token=saved.token, amount=D("5"), currency="USD").success


def test_nothing_to_pay_with():
    result = TestGateway().charge(amount=D("10"), currency="USD")
    assert (result.success, result.error_code) == (False, ErrorCode.PAYMENT_METHOD_REQUIRED)
