"""POST /payments/stripe/webhook: signed by Stripe's scheme, stored once per event id, never regressing a payment."""

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client

from bookings.models import GatewayEvent, Payment
from bookings.payments import webhooks
from tests.factories import ReservationFactory

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret"
T0 = 1_780_000_000  # the moment deliveries are signed, pinned
URL = "/payments/stripe/webhook"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def clock():
    with time_machine.travel(datetime.fromtimestamp(T0, tz=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def charge():
    """A booking's 664.14 charge recorded through Stripe, as the booking flow will record it."""
    return Payment.objects.create(reservation=ReservationFactory(), amount=Decimal("664.14"), currency="USD",
                                  gateway="stripe", gateway_reference="pi_3Booking", purpose="BOOKING")


def signed(payload: str, *, secret: str = SECRET, at: int = T0) -> str:
    """The Stripe-Signature header exactly as Stripe computes it: HMAC-SHA256 of "{t}.{payload}"."""
    mac = hmac.new(secret.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


def event(event_type: str, obj: dict, *, event_id: str = "evt_1", created: int = T0 - 10) -> str:
    return json.dumps({"id": event_id, "object": "event", "api_version": "2026-01-01", "created": created,
                       "livemode": False, "pending_webhooks": 1, "type": event_type,
                       "request": {"id": "req_1", "idempotency_key": "booking:1"}, "data": {"object": obj}})


def intent(status: str = "succeeded", **fields) -> dict:
    return {"id": "pi_3Booking", "object": "payment_intent", "amount": 66414, "amount_received": 66414,
            "currency": "usd", "status": status, "latest_charge": "ch_3Booking", **fields}


def refunded_charge(amount_refunded: int, *, fully: bool) -> dict:
    return {"id": "ch_3Booking", "object": "charge", "amount": 66414, "amount_refunded": amount_refunded,
            "currency": "usd", "payment_intent": "pi_3Booking", "refunded": fully, "status": "succeeded"}


def deliver(payload: str, signature: str | None = None, client: Client | None = None):
    headers = {} if signature == "" else {"HTTP_STRIPE_SIGNATURE": signature or signed(payload)}
    return (client or Client()).post(URL, data=payload, content_type="application/json", **headers)


def test_a_signed_event_is_stored_and_marks_the_payment(clock, charge):
    response = deliver(event("payment_intent.succeeded", intent()))

    assert response.status_code == 200
    assert response.json() == {"received": True, "event": "evt_1", "duplicate": False}
    stored = GatewayEvent.objects.get()
    assert (stored.gateway, stored.event_type, stored.object_id) == ("stripe", "payment_intent.succeeded",
                                                                      "pi_3Booking")
    assert (stored.amount, stored.currency) == (Decimal("664.14"), "USD")
    assert stored.created == datetime.fromtimestamp(T0 - 10, tz=UTC)
    assert stored.outcome == f"payment {charge.pk} SUCCEEDED"
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.SUCCEEDED
    assert charge.gateway_status_at == stored.created
    assert charge.result == Payment.Result.SUCCEEDED and charge.amount == Decimal("664.14")  # the ledger untouched


@pytest.mark.parametrize("signature", [
    pytest.param(lambda body: "", id="missing"),
    pytest.param(lambda body: signed("{}"), id="for-another-body"),
    pytest.param(lambda body: signed(body, secret="whsec_wrong"), id="wrong-secret"),
    pytest.param(lambda body: signed(body).replace("v1=", "v0="), id="no-v1-scheme"),
    pytest.param(lambda body: "t=abc,v1=zzz", id="garbled"),
])
def test_a_bad_or_missing_signature_is_400_and_nothing_is_processed(clock, charge, signature):
    payload = event("payment_intent.succeeded", intent())
    response = deliver(payload, signature(payload))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "WEBHOOK_SIGNATURE_INVALID"
    assert GatewayEvent.objects.count() == 0
    charge.refresh_from_db()
    assert charge.gateway_status == ""


def test_a_stale_signature_is_rejected_and_one_within_five_minutes_accepted(charge):
    payload = event("payment_intent.succeeded", intent())
    header = signed(payload, at=T0)
    with time_machine.travel(datetime.fromtimestamp(T0 + 301, tz=UTC), tick=False):
        assert deliver(payload, header).status_code == 400
    assert GatewayEvent.objects.count() == 0
    with time_machine.travel(datetime.fromtimestamp(T0 + 299, tz=UTC), tick=False):
        assert deliver(payload, header).status_code == 200
    assert GatewayEvent.objects.count() == 1


def test_without_a_webhook_secret_nothing_is_accepted(clock, charge, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    response = deliver(event("payment_intent.succeeded", intent()))
    assert (response.status_code, response.json()["error"]["code"]) == (400, "WEBHOOK_NOT_CONFIGURED")
    assert GatewayEvent.objects.count() == 0


def test_a_signed_body_that_is_not_json_is_400(clock):
    assert deliver("not json").status_code == 400
    assert GatewayEvent.objects.count() == 0


def test_only_post(clock):
    assert Client().get(URL).status_code == 405


def test_a_duplicate_event_is_answered_200_and_handled_once(clock, charge, monkeypatch):
    calls = []
    real = webhooks.HANDLERS["payment_intent.succeeded"]
    monkeypatch.setitem(webhooks.HANDLERS, "payment_intent.succeeded",
                        lambda e, obj: calls.append(e.event_id) or real(e, obj))
    payload = event("payment_intent.succeeded", intent())

    first, again = deliver(payload), deliver(payload)

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert calls == ["evt_1"]
    assert GatewayEvent.objects.count() == 1


def test_a_handler_that_fails_stores_nothing_so_the_redelivery_is_handled(clock, charge, monkeypatch):
    def broken(e, obj):
        raise RuntimeError("database went away")

    payload = event("payment_intent.succeeded", intent())
    with monkeypatch.context() as patched:
        patched.setitem(webhooks.HANDLERS, "payment_intent.succeeded", broken)
        client = Client(raise_request_exception=False)
        assert deliver(payload, client=client).status_code == 500  # Stripe will deliver it again
    assert GatewayEvent.objects.count() == 0

    assert deliver(payload).json()["duplicate"] is False
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.SUCCEEDED


def test_an_older_event_arriving_late_never_overwrites_a_newer_state(clock, charge):
    refunded = event("charge.refunded", refunded_charge(66414, fully=True), event_id="evt_refund", created=T0 - 5)
    succeeded = event("payment_intent.succeeded", intent(), event_id="evt_paid", created=T0 - 60)

    assert deliver(refunded).status_code == 200
    assert deliver(succeeded).status_code == 200

    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.REFUNDED
    assert charge.gateway_status_at == datetime.fromtimestamp(T0 - 5, tz=UTC)
    late = GatewayEvent.objects.get(event_id="evt_paid")
    assert late.outcome == f"payment {charge.pk} kept REFUNDED (newer)"


def test_in_the_same_second_the_state_further_along_wins(clock, charge):
    deliver(event("payment_intent.succeeded", intent(), event_id="evt_a", created=T0 - 10))
    deliver(event("payment_intent.payment_failed", intent("requires_payment_method"), event_id="evt_b",
                  created=T0 - 10))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.SUCCEEDED


def test_a_failed_attempt_then_success_ends_succeeded(clock, charge):
    deliver(event("payment_intent.payment_failed", intent("requires_payment_method"), event_id="evt_a",
                  created=T0 - 30))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.FAILED
    deliver(event("payment_intent.succeeded", intent(), event_id="evt_b", created=T0 - 20))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.SUCCEEDED


def test_a_partial_refund_records_the_amount_refunded_so_far(clock, charge):
    deliver(event("charge.refunded", refunded_charge(18188, fully=False), event_id="evt_r1"))
    stored = GatewayEvent.objects.get()
    assert (stored.object_id, stored.amount) == ("ch_3Booking", Decimal("181.88"))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.PARTIALLY_REFUNDED


def test_a_dispute_marks_the_charge_it_is_about(clock, charge):
    dispute = {"id": "du_1", "object": "dispute", "amount": 66414, "currency": "usd", "charge": "ch_3Booking",
               "payment_intent": "pi_3Booking", "reason": "fraudulent", "status": "needs_response"}
    deliver(event("charge.dispute.created", dispute, event_id="evt_d1"))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.DISPUTED
    assert GatewayEvent.objects.get().object_id == "du_1"


def test_an_authorisation_and_its_release(clock, charge):
    deliver(event("payment_intent.amount_capturable_updated", intent("requires_capture"), event_id="evt_h",
                  created=T0 - 30))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.AUTHORISED
    deliver(event("payment_intent.canceled", intent("canceled"), event_id="evt_c", created=T0 - 20))
    charge.refresh_from_db()
    assert charge.gateway_status == Payment.GatewayStatus.CANCELED


def test_events_for_payments_we_never_recorded_or_types_we_do_not_handle_are_stored_and_harmless(clock, charge):
    deliver(event("payment_intent.succeeded", intent(id="pi_Elsewhere"), event_id="evt_x"))
    deliver(event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_y"))
    outcomes = dict(GatewayEvent.objects.values_list("event_id", "outcome"))
    assert outcomes == {"evt_x": "no recorded payment for pi_Elsewhere",
                        "evt_y": "stored; no handler for this type"}
    charge.refresh_from_db()
    assert charge.gateway_status == ""


def test_a_payment_by_another_gateway_is_not_touched(clock, charge):
    Payment.objects.filter(pk=charge.pk).update(gateway="test")
    deliver(event("payment_intent.succeeded", intent()))
    charge.refresh_from_db()
    assert charge.gateway_status == ""


def test_yen_amounts_are_recorded_without_a_minor_unit(clock):
    deliver(event("payment_intent.succeeded", intent(amount=45000, currency="jpy")))
    assert GatewayEvent.objects.get().amount == Decimal("45000")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_event_at_once_store_and_handle_it_once(charge):
    payload = event("payment_intent.succeeded", intent(), created=int(datetime.now(UTC).timestamp()))
    header = signed(payload, at=int(datetime.now(UTC).timestamp()))
    barrier, answers = threading.Barrier(4), []

    def post():
        try:
            barrier.wait()
            answers.append(deliver(payload, header).json()["duplicate"])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False, True, True, True]
    assert GatewayEvent.objects.count() == 1
