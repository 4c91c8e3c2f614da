"""What Stripe's webhook does to our records: it settles the payment attempts whose answer we lost (after its own
transaction commits), adds refunds made at Stripe's dashboard to the ledger once, and flags disputed bookings.
Events are signed with Stripe's scheme and delivered to POST /payments/stripe/webhook."""

import hashlib
import hmac
import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from bookings.models import GatewayEvent, Payment, PaymentAttempt, Reservation, Status
from bookings.payments import attempts
from bookings.payments.attempts import attempt_open, attempt_send, attempts_settle_due
from bookings.payments.webhooks import REFUND_AT_PROVIDER
from bookings.services import booking_create
from inventory.models import InventoryDay

from .booking_setup import seed_request
from .faulty_gateway import FaultyGateway

SECRET = "whsec_test_secret"
URL = "/payments/stripe/webhook"
SEED_TOTAL = Decimal("664.14")


class StripeLike(FaultyGateway):
    """The fault-injecting gateway under Stripe's name, so that the webhook's events are about its payments."""

    __test__ = False
    name = "stripe"


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def stripe_like():
    return StripeLike()


def _now() -> int:
    return int(timezone.now().timestamp())


def event(event_type: str, obj: dict, *, event_id: str, created: int | None = None, request_key=None) -> str:
    return json.dumps({"id": event_id, "object": "event", "api_version": "2026-01-01",
                       "created": _now() - 5 if created is None else created, "livemode": False,
                       "pending_webhooks": 1, "type": event_type,
                       "request": {"id": "req_1", "idempotency_key": request_key}, "data": {"object": obj}})


def deliver(payload: str):
    at = _now()
    mac = hmac.new(SECRET.encode(), f"{at}.{payload}".encode(), hashlib.sha256).hexdigest()
    response = Client().post(URL, data=payload, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=f"t={at},v1={mac}")
    assert response.status_code == 200, response.content
    return response.json()


def intent(reference: str, status: str, *, amount=66414, key: str = "", **fields) -> dict:
    return {"id": reference, "object": "payment_intent", "amount": amount, "amount_received":
            amount if status == "succeeded" else 0, "amount_capturable": amount if status == "requires_capture" else 0,
            "currency": "usd", "status": status, "payment_method": "pm_card_visa",
            "metadata": {"idempotency_key": key} if key else {}, **fields}


def _ledger(reservation) -> Decimal:
    return sum((p.amount if p.kind == Payment.Kind.CHARGE else -p.amount
                for p in Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED)), Decimal(0))


def _sold(hotel, friday):
    return list(InventoryDay.objects.filter(room_type__hotel=hotel, room_type__code="DELUXE-KING",
                                            date__gte=friday, date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _lost_booking(stripe_like, friday, fault="timeout_after"):
    """A booking whose charge answer was lost: PENDING, its attempt UNKNOWN with no provider reference known."""
    stripe_like.fail_next("charge", fault)
    pending = booking_create(request=seed_request(friday, card=None, payment_method="pm_card_visa"),
                             gateway=stripe_like)
    attempt = PaymentAttempt.objects.get(reservation=pending)
    assert (pending.status, attempt.state, attempt.reference) == (Status.PENDING, "UNKNOWN", "")
    return pending, attempt


def _provider_reference(gateway, attempt) -> str:
    """The PaymentIntent the provider made for this attempt (what its webhook names)."""
    return gateway._replies[attempt.idempotency_key][1].reference


# --- settling what we never heard back about ------------------------------------------------------------------

@pytest.mark.django_db
def test_a_succeeded_event_confirms_a_booking_whose_answer_was_lost_with_the_money_recorded_once(
        nyc, next_friday, stripe_like, django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    reference = _provider_reference(stripe_like, attempt)
    assert stripe_like.total_moved == SEED_TOTAL and not Payment.objects.exists()
    payload = event("payment_intent.succeeded", intent(reference, "succeeded", key=attempt.idempotency_key),
                    event_id="evt_paid")

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(payload)["duplicate"] is False

    confirmed = Reservation.objects.get(pk=pending.pk)
    assert confirmed.status == Status.CONFIRMED and not confirmed.confirmation_number.startswith("TMP-")
    attempt.refresh_from_db()
    assert (attempt.state, attempt.reference, attempt.payment.amount) == ("SUCCEEDED", reference, SEED_TOTAL)
    assert attempt.payment.gateway_status == Payment.GatewayStatus.SUCCEEDED
    stored = GatewayEvent.objects.get(event_id="evt_paid")
    assert stored.outcome == f"no recorded payment for {reference}; attempt {attempt.pk} SUCCEEDED"

    # Stripe delivers it again, and the settle task comes by: nothing more is recorded or sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(payload)["duplicate"] is True
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        assert attempts_settle_due(gateway=stripe_like) == 0
    assert len(stripe_like.calls) == 1
    assert Payment.objects.count() == 1 and _ledger(confirmed) == stripe_like.total_moved == SEED_TOTAL
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db
def test_settling_waits_for_the_event_to_be_committed(nyc, next_friday, stripe_like,
                                                      django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    payload = event("payment_intent.succeeded", intent(_provider_reference(stripe_like, attempt), "succeeded",
                                                       key=attempt.idempotency_key), event_id="evt_paid")
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        deliver(payload)
    assert len(after_commit) == 1
    assert GatewayEvent.objects.filter(event_id="evt_paid").exists()
    attempt.refresh_from_db()
    assert attempt.state == "UNKNOWN" and Reservation.objects.get(pk=pending.pk).status == Status.PENDING

    after_commit[0]()
    assert Reservation.objects.get(pk=pending.pk).status == Status.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_the_settling_and_the_finisher_run_with_no_transaction_open(nyc, next_friday, stripe_like, monkeypatch):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    answered_inside = []
    real = attempts.attempt_answer
    monkeypatch.setattr(attempts, "attempt_answer",
                        lambda pk, result: answered_inside.append(connection.in_atomic_block) or real(pk, result))
    deliver(event("payment_intent.succeeded", intent(_provider_reference(stripe_like, attempt), "succeeded",
                                                     key=attempt.idempotency_key), event_id="evt_paid"))
    assert answered_inside == [False]
    assert Reservation.objects.get(pk=pending.pk).status == Status.CONFIRMED
    assert _ledger(pending) == SEED_TOTAL


@pytest.mark.django_db
def test_a_late_failure_event_after_the_success_changes_nothing(nyc, next_friday, stripe_like,
                                                                django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    reference = _provider_reference(stripe_like, attempt)
    succeeded = event("payment_intent.succeeded", intent(reference, "succeeded", key=attempt.idempotency_key),
                      event_id="evt_b", created=_now() - 5)
    failed = event("payment_intent.payment_failed", intent(
        reference, "requires_payment_method", key=attempt.idempotency_key,
        last_payment_error={"code": "card_declined", "message": "Declined"}), event_id="evt_a", created=_now() - 60)

    with django_capture_on_commit_callbacks(execute=True):
        deliver(succeeded)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(failed)

    reservation = Reservation.objects.get(pk=pending.pk)
    attempt.refresh_from_db()
    assert reservation.status == Status.CONFIRMED and attempt.state == "SUCCEEDED"
    assert attempt.payment.gateway_status == Payment.GatewayStatus.SUCCEEDED  # the older event did not overwrite
    assert _ledger(reservation) == stripe_like.total_moved == SEED_TOTAL
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db
def test_a_failure_event_for_a_lost_answer_releases_the_rooms(nyc, next_friday, stripe_like,
                                                             django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday, fault="timeout_before")
    payload = event("payment_intent.payment_failed", intent(
        "pi_3Declined", "requires_payment_method", key=attempt.idempotency_key,
        last_payment_error={"code": "card_declined", "decline_code": "insufficient_funds",
                            "message": "Your card has insufficient funds."}), event_id="evt_fail")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payload)
    assert not Reservation.objects.filter(pk=pending.pk).exists()  # nothing moved: no booking, no trace
    assert _sold(nyc, next_friday) == [0, 0, 0]
    assert stripe_like.total_moved == 0 and not Payment.objects.exists()


@pytest.mark.django_db
def test_an_event_for_a_lost_answer_is_found_by_the_request_key_too(nyc, next_friday, stripe_like,
                                                                   django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    payload = event("payment_intent.succeeded", intent(_provider_reference(stripe_like, attempt), "succeeded"),
                    event_id="evt_paid", request_key=attempt.idempotency_key)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(payload)
    assert Reservation.objects.get(pk=pending.pk).status == Status.CONFIRMED


@pytest.mark.django_db
def test_an_event_about_another_payment_or_another_gateway_settles_nothing(nyc, next_friday, stripe_like,
                                                                          django_capture_on_commit_callbacks):
    pending, attempt = _lost_booking(stripe_like, next_friday)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(reference="pi_Ours")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("payment_intent.succeeded", intent("pi_Other", "succeeded", key="hb-someone-else"),
                      event_id="evt_x"))
    PaymentAttempt.objects.filter(pk=attempt.pk).update(gateway="test")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("payment_intent.succeeded", intent("pi_Ours", "succeeded"), event_id="evt_y"))
    attempt.refresh_from_db()
    assert attempt.state == "UNKNOWN" and Reservation.objects.get(pk=pending.pk).status == Status.PENDING
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_an_authorisation_event_settles_the_hold_but_never_a_capture(nyc, next_friday, stripe_like,
                                                                     django_capture_on_commit_callbacks):
    reservation = booking_create(request=seed_request(next_friday, card=None, payment_method="pm_card_visa"),
                                 gateway=stripe_like)
    hold = attempt_open(reservation=reservation, step="INCIDENTALS", operation=PaymentAttempt.Operation.AUTHORISE,
                        gateway="stripe", amount=Decimal("200.00"), currency="USD")
    PaymentAttempt.objects.filter(pk=hold.pk).update(state="UNKNOWN", reference="pi_Hold")
    capture = attempt_open(reservation=reservation, step="INCIDENTALS", operation=PaymentAttempt.Operation.CAPTURE,
                           gateway="stripe", amount=Decimal("92.50"), currency="USD", target_reference="pi_Hold")
    PaymentAttempt.objects.filter(pk=capture.pk).update(state="UNKNOWN", reference="pi_Hold")

    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("payment_intent.amount_capturable_updated",
                      intent("pi_Hold", "requires_capture", amount=20000), event_id="evt_hold"))
    hold.refresh_from_db()
    capture.refresh_from_db()
    assert hold.state == "SUCCEEDED" and hold.payment is None  # a hold moves no money
    assert capture.state == "UNKNOWN"

    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("payment_intent.succeeded", intent("pi_Hold", "succeeded", amount=9250), event_id="evt_cap"))
    capture.refresh_from_db()
    assert capture.state == "SUCCEEDED" and capture.payment.amount == Decimal("92.50")
    assert capture.payment.purpose == "INCIDENTALS"
    assert _ledger(reservation) == SEED_TOTAL + Decimal("92.50")


@pytest.mark.django_db
def test_a_refund_whose_answer_was_lost_is_settled_by_the_refund_event(nyc, next_friday, stripe_like,
                                                                       django_capture_on_commit_callbacks):
    reservation = booking_create(request=seed_request(next_friday, card=None, payment_method="pm_card_visa"),
                                 gateway=stripe_like)
    charge = Payment.objects.get(reservation=reservation)
    refund = attempt_open(reservation=reservation, step="MODIFICATION:1", operation=PaymentAttempt.Operation.REFUND,
                          gateway="stripe", amount=Decimal("197.10"), currency="USD", target=charge)
    stripe_like.fail_next("refund", "timeout_after")
    refund = attempt_send(refund, stripe_like)
    assert (refund.state, refund.reference) == ("UNKNOWN", "")
    provider_refund = stripe_like._replies[refund.idempotency_key][1].reference
    with django_capture_on_commit_callbacks(execute=True):
        deliver(event("refund.created", {"id": provider_refund, "object": "refund", "amount": 19710,
                                         "currency": "usd", "status": "succeeded", "payment_intent":
                                         charge.gateway_reference, "metadata": {"idempotency_key":
                                                                                refund.idempotency_key}},
                      event_id="evt_re"))
    refund.refresh_from_db()
    assert refund.state == "SUCCEEDED" and refund.payment.amount == Decimal("197.10")
    assert _ledger(reservation) == stripe_like.total_moved == SEED_TOTAL - Decimal("197.10")


# --- refunds made at Stripe's dashboard ---------------------------------------------------------------------

@pytest.fixture
def paid(nyc, next_friday, stripe_like):
    """The seed booking, 664.14 charged through "stripe"."""
    reservation = booking_create(request=seed_request(next_friday, card=None, payment_method="pm_card_visa"),
                                 gateway=stripe_like)
    return Payment.objects.get(reservation=reservation)


def refunded(paid, amount_refunded: int, *, event_id: str, created: int | None = None, refund_id="re_Dash"):
    return event("charge.refunded", {
        "id": "ch_3Paid", "object": "charge", "amount": 66414, "amount_refunded": amount_refunded, "currency": "usd",
        "payment_intent": paid.gateway_reference, "refunded": amount_refunded == 66414, "status": "succeeded",
        "refunds": {"object": "list", "data": [{"id": refund_id, "amount": amount_refunded}]}},
        event_id=event_id, created=created)


def _refunds(paid):
    return list(Payment.objects.filter(kind=Payment.Kind.REFUND, refund_of=paid).order_by("pk")
                .values_list("amount", "purpose", "gateway_reference"))


@pytest.mark.django_db
def test_a_refund_made_at_the_dashboard_is_added_to_the_ledger_once(paid):
    payload = refunded(paid, 10000, event_id="evt_r1")
    deliver(payload)
    deliver(payload)
    assert _refunds(paid) == [(Decimal("100.00"), REFUND_AT_PROVIDER, "re_Dash")]
    assert _ledger(paid.reservation) == Decimal("564.14")
    assert "refund of 100.00 USD made at the provider recorded" in GatewayEvent.objects.get().outcome


@pytest.mark.django_db
def test_refund_events_out_of_order_add_only_the_difference(paid):
    now = _now()
    deliver(refunded(paid, 30000, event_id="evt_r2", created=now - 5, refund_id="re_Second"))
    deliver(refunded(paid, 10000, event_id="evt_r1", created=now - 60, refund_id="re_First"))  # older, late
    assert _refunds(paid) == [(Decimal("300.00"), REFUND_AT_PROVIDER, "re_Second")]
    deliver(refunded(paid, 66414, event_id="evt_r3", created=now - 1, refund_id="re_Third"))
    assert _refunds(paid) == [(Decimal("300.00"), REFUND_AT_PROVIDER, "re_Second"),
                              (Decimal("364.14"), REFUND_AT_PROVIDER, "re_Third")]
    assert _ledger(paid.reservation) == Decimal("0.00")
    paid.refresh_from_db()
    assert paid.gateway_status == Payment.GatewayStatus.REFUNDED


@pytest.mark.django_db
def test_our_own_refunds_recorded_or_in_flight_are_not_added_again(paid, stripe_like):
    ours = attempt_open(reservation=paid.reservation, step="CANCELLATION", operation=PaymentAttempt.Operation.REFUND,
                        gateway="stripe", amount=Decimal("50.00"), currency="USD", target=paid)
    # Stripe refunded it and says so before our call's answer is recorded: it counts as ours.
    deliver(refunded(paid, 5000, event_id="evt_r1"))
    assert _refunds(paid) == []
    ours = attempt_send(ours, stripe_like)
    assert _refunds(paid) == [(Decimal("50.00"), "CANCELLATION", ours.reference)]
    # Then someone refunds 25.00 more at the dashboard: only that is added.
    deliver(refunded(paid, 7500, event_id="evt_r2"))
    assert [amount for amount, *_ in _refunds(paid)] == [Decimal("50.00"), Decimal("25.00")]
    assert _ledger(paid.reservation) == Decimal("589.14")


@pytest.mark.django_db
def test_a_refund_of_a_payment_we_never_recorded_adds_nothing(paid):
    deliver(event("charge.refunded", {"id": "ch_Else", "object": "charge", "amount": 1000, "amount_refunded": 1000,
                                      "currency": "usd", "payment_intent": "pi_Else", "refunded": True},
                  event_id="evt_r1"))
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()


# --- disputes -----------------------------------------------------------------------------------------------

def _dispute(paid, *, event_id="evt_d1", reason="fraudulent"):
    return event("charge.dispute.created", {
        "id": "du_1", "object": "dispute", "amount": 66414, "currency": "usd", "charge": "ch_3Paid",
        "payment_intent": paid.gateway_reference, "reason": reason, "status": "needs_response"}, event_id=event_id)


@pytest.mark.django_db
def test_a_dispute_flags_the_reservation_and_tells_staff(paid, caplog, admin_client):
    with caplog.at_level(logging.WARNING, logger="bookings.payments.webhooks"):
        deliver(_dispute(paid))
        deliver(_dispute(paid))  # a duplicate: told once
    reservation = Reservation.objects.get(pk=paid.reservation_id)
    stored = GatewayEvent.objects.get()
    assert reservation.disputed_at == stored.created and reservation.dispute_reason == "fraudulent"
    warnings = [r.getMessage() for r in caplog.records if "DISPUTE" in r.getMessage()]
    assert warnings == [f"DISPUTE du_1 opened at Stripe on {reservation.confirmation_number} (664.14 USD, reason "
                        "fraudulent): answer it in the Stripe dashboard before its deadline"]

    listed = admin_client.get("/admin/bookings/reservation/?disputed=yes")
    assert listed.status_code == 200 and reservation.confirmation_number in listed.content.decode()
    page = admin_client.get(f"/admin/bookings/reservation/{reservation.pk}/change/").content.decode()
    assert "fraudulent" in page

    # A later refund event does not lift the flag.
    deliver(refunded(paid, 66414, event_id="evt_r9"))
    assert Reservation.objects.get(pk=paid.reservation_id).disputed_at == stored.created


@pytest.mark.django_db
def test_the_disputed_filter_leaves_out_undisputed_bookings(paid, admin_client):
    listed = admin_client.get("/admin/bookings/reservation/?disputed=yes").content.decode()
    assert paid.reservation.confirmation_number not in listed
