"""Asking the provider where a payment stands (3-D Secure, a lost answer): what each answer does to the attempt,
the ledger and the held booking."""

from dataclasses import replace
from decimal import Decimal

import pytest

from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.payments import GatewayResult, PaymentStatus, TestGateway
from bookings.payments.attempts import MAX_TRIES, attempt_check
from bookings.services import booking_create

from .booking_setup import seed_request

pytestmark = pytest.mark.django_db


class StatusGateway(TestGateway):
    """The test gateway, whose status look-up can be made to fail or to say something else."""

    __test__ = False

    def __init__(self):
        self.status_answer = None  # a GatewayResult to give instead of the real status
        self.status_raises = False

    def payment_status(self, *, reference):
        if self.status_raises:
            raise ConnectionError("connection reset by peer")
        if self.status_answer is not None:
            return self.status_answer
        return super().payment_status(reference=reference)


@pytest.fixture
def pending(nyc, next_friday):
    """The seed stay booked with a card that asks for 3-D Secure: PENDING, its charge waiting for the guest."""
    request = replace(seed_request(next_friday), card=None, payment_method="pm_card_authenticationRequired")
    reservation = booking_create(request=request, gateway=TestGateway())
    attempt = PaymentAttempt.objects.get(reservation=reservation)
    assert (reservation.status, attempt.state, attempt.tries) == (Status.PENDING, "REQUIRES_ACTION", 1)
    assert attempt.reference.startswith("pi_") and attempt.client_secret
    return attempt


def test_an_authenticated_payment_confirms_the_booking_and_records_the_money_once(pending):
    TestGateway.authenticate(pending.reference)
    done = attempt_check(pending, TestGateway())
    assert (done.state, done.tries, done.client_secret) == ("SUCCEEDED", 2, "")
    reservation = Reservation.objects.get(pk=pending.reservation_id)
    assert reservation.status == Status.CONFIRMED and not reservation.confirmation_number.startswith("TMP-")
    payment = Payment.objects.get(reservation=reservation)
    assert (payment.amount, payment.gateway_reference, payment.kind) == (Decimal("664.14"), pending.reference,
                                                                          "CHARGE")
    assert attempt_check(done, TestGateway()).tries == 2  # settled: not asked again
    assert Payment.objects.count() == 1


def test_a_status_look_up_that_fails_leaves_the_payment_unknown_and_counts_the_try(pending):
    gateway = StatusGateway()
    gateway.status_raises = True
    done = attempt_check(pending, gateway)
    assert (done.state, done.tries, done.error_code) == ("UNKNOWN", 2, "network_error")
    assert "connection reset" in done.error_message and done.next_try_at is not None
    assert done.reference == pending.reference  # still known: the next try asks about the same payment
    assert not Payment.objects.exists()
    assert Reservation.objects.get(pk=pending.reservation_id).status == Status.PENDING


def test_a_charge_the_provider_holds_uncaptured_is_not_taken_as_paid(pending):
    gateway = StatusGateway()
    gateway.status_answer = GatewayResult(True, reference=pending.reference, status=PaymentStatus.REQUIRES_CAPTURE,
                                          amount=Decimal("664.14"))
    done = attempt_check(pending, gateway)
    assert (done.state, done.error_code) == ("UNKNOWN", "unexpected_state")
    assert not Payment.objects.exists()
    assert Reservation.objects.get(pk=pending.reservation_id).status == Status.PENDING


def test_an_authorisation_held_uncaptured_is_what_was_asked(nyc, pending):
    PaymentAttempt.objects.filter(pk=pending.pk).update(operation=PaymentAttempt.Operation.AUTHORISE)
    pending.refresh_from_db()
    gateway = StatusGateway()
    gateway.status_answer = GatewayResult(True, reference=pending.reference, status=PaymentStatus.REQUIRES_CAPTURE,
                                          amount=Decimal("664.14"))
    done = attempt_check(pending, gateway)
    assert done.state == "SUCCEEDED" and done.payment is None  # a hold moves no money: no ledger row


def test_status_look_ups_that_keep_failing_are_handed_to_a_person(pending):
    gateway = StatusGateway()
    gateway.status_raises = True
    attempt = pending
    for _ in range(MAX_TRIES - 1):
        attempt = attempt_check(attempt, gateway)
    assert (attempt.tries, attempt.state, attempt.needs_attention) == (MAX_TRIES, "UNKNOWN", True)


def test_a_refused_authentication_releases_the_rooms(pending):
    TestGateway.authenticate(pending.reference, succeed=False)
    done = attempt_check(pending, TestGateway())
    assert done.state == "FAILED"
    assert not Reservation.objects.filter(pk=pending.reservation_id).exists()  # nothing moved: no booking left
    assert not Payment.objects.exists()
