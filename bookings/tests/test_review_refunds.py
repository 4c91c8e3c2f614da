"""Review: a refund spread over several charges where the gateway refuses a later part: queued, never paid twice."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.cancellations import reservation_cancel
from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import GatewayResult, TestGateway
from bookings.payments.attempts import attempts_settle_due
from bookings.services import amount_paid
from hotelbooking.errors import CancellationNotAllowed

from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal


class RefundsOnceGateway(TestGateway):
    """Refunds the first charge asked, then refuses: what the bank really gave back is in `refunded`."""

    def __init__(self):
        self.refunded = []

    def refund(self, *, reference, amount, currency, idempotency_key=""):
        if self.refunded:
            return GatewayResult(False, error_code="processing_error", message="The refund could not be processed.")
        self.refunded.append(amount)
        return super().refund(reference=reference, amount=amount, currency=currency)


def _two_charges(friday):
    r = book(friday)  # 664.14
    reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                       request=ModificationRequest(check_out=friday + timedelta(days=4)))  # +207.78
    return Reservation.objects.get(pk=r.pk)


def _refunded(r) -> Decimal:
    return sum((p.amount for p in Payment.objects.filter(reservation=r, kind="REFUND", result="SUCCEEDED")), D(0))


def _settle_later(gateway, minutes=10):
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
        return attempts_settle_due(gateway=gateway)


# Before the payment saga a refund the gateway refused rolled the cancellation (or the reduction) back with
# PAYMENT_FAILED. Now the change stands and the refused part is queued and retried: these tests say so.

def test_a_refund_the_gateway_half_refuses_is_on_record_queued_and_never_paid_twice(nyc, next_friday):
    r = _two_charges(next_friday + timedelta(days=7))
    assert amount_paid(r) == D("871.92")
    gateway = RefundsOnceGateway()
    result = reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=gateway)
    financial = result.as_dict()["financial"]
    assert (financial["refund_amount"], financial["refund_status"]) == ("871.92", "PENDING")
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CANCELLED  # the cancellation stands
    # 207.78 went back to the card: the books say so too; the 664.14 waits for the next try.
    assert gateway.refunded == [D("207.78")]
    assert _refunded(r) == D("207.78") and amount_paid(r) == D("664.14")
    queued = PaymentAttempt.objects.get(reservation=r, operation="REFUND", state="RECORDED")
    assert (queued.amount, queued.step, queued.needs_attention) == (D("664.14"), "CANCELLATION:2", False)

    with pytest.raises(CancellationNotAllowed):  # cancelling again refunds nothing more
        reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    assert _settle_later(TestGateway()) == 1
    # Everything paid came back once: 871.92 in all, not 1079.70.
    assert _refunded(r) == D("871.92") and amount_paid(r) == D("0.00")
    assert _settle_later(TestGateway(), minutes=60) == 0


def test_a_reduction_refund_half_refused_is_on_record_and_queued(nyc, next_friday):
    r = _two_charges(next_friday + timedelta(days=7))
    gateway = RefundsOnceGateway()
    # Back to one night: far more than the last charge to refund.
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                request=ModificationRequest(check_out=r.check_in + timedelta(days=1)))
    assert result.payment["action"] == "REFUND_PENDING" and result.payment["amount"] == "664.14"
    r = Reservation.objects.get(pk=r.pk)
    assert (r.check_out, r.grand_total) == (r.check_in + timedelta(days=1), D("207.78"))  # the change stands
    assert _refunded(r) == gateway.refunded[0] == D("207.78")

    # Asking again changes nothing and refunds nothing twice; the queued 456.36 goes back on the next try.
    again = reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                               request=ModificationRequest(check_out=r.check_in + timedelta(days=1)))
    assert again.plan.modification == "NO_CHANGE"
    assert _settle_later(TestGateway()) == 1
    r = Reservation.objects.get(pk=r.pk)
    assert r.grand_total == amount_paid(r) == D("207.78") and _refunded(r) == D("664.14")


def test_a_cancellation_whose_transaction_fails_moves_no_money(nyc, next_friday, monkeypatch):
    """The refund is sent only after the cancellation has committed: a cancellation that fails to commit
    never reaches the gateway (before the payment saga the refund went out first and had to be kept)."""
    from django.db import IntegrityError

    from bookings import cancellations

    r = book(next_friday + timedelta(days=7))
    real, sent = cancellations.refunds_open, []

    def record_then_fail(**kwargs):
        real(**kwargs)
        raise IntegrityError("the commit failed")  # what a failed commit of the cancellation looks like

    monkeypatch.setattr(cancellations, "refunds_open", record_then_fail)
    gateway = RefundsOnceGateway()
    with pytest.raises(IntegrityError):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=gateway)
    monkeypatch.setattr(cancellations, "refunds_open", real)
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CONFIRMED and _refunded(r) == D("0.00") and gateway.refunded == sent
    assert not PaymentAttempt.objects.filter(reservation=r, operation="REFUND").exists()
    # Trying again cancels and refunds the money once.
    result = reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    assert result.as_dict()["financial"]["refund_amount"] == "664.14"
    assert _refunded(r) == D("664.14") and amount_paid(r) == D("0.00")
