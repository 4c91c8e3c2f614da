"""Review: a refund spread over several charges where the gateway refuses a later part."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.cancellations import reservation_cancel
from bookings.models import Payment, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import GatewayResult, TestGateway
from bookings.services import amount_paid
from hotelbooking.errors import PaymentFailed

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


def test_a_refund_the_gateway_half_refuses_is_on_record_and_never_paid_twice(nyc, next_friday):
    r = _two_charges(next_friday + timedelta(days=7))
    assert amount_paid(r) == D("871.92")
    gateway = RefundsOnceGateway()
    with pytest.raises(PaymentFailed):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=gateway)
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CONFIRMED
    # 207.78 went back to the card: the books say so too.
    assert gateway.refunded == [D("207.78")]
    assert _refunded(r) == D("207.78") and amount_paid(r) == D("664.14")

    result = reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    assert result.as_dict()["financial"]["refund_amount"] == "664.14"
    # Everything paid came back once: 871.92 in all, not 1079.70.
    assert _refunded(r) == D("871.92") and amount_paid(r) == D("0.00")


def test_a_reduction_refund_half_refused_is_on_record(nyc, next_friday):
    r = _two_charges(next_friday + timedelta(days=7))
    gateway = RefundsOnceGateway()
    with pytest.raises(PaymentFailed):
        # Back to one night: far more than the last charge to refund.
        reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                           request=ModificationRequest(check_out=r.check_in + timedelta(days=1)))
    r = Reservation.objects.get(pk=r.pk)
    assert (r.check_out, r.grand_total) == (r.check_in + timedelta(days=4), D("871.92"))
    assert _refunded(r) == gateway.refunded[0] == D("207.78")

    # Trying again refunds what is still owed: the guest ends with the one night's 207.78 paid, not 0.00.
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                                request=ModificationRequest(check_out=r.check_in + timedelta(days=1)))
    assert result.payment["amount"] == "456.36"
    r = Reservation.objects.get(pk=r.pk)
    assert r.grand_total == amount_paid(r) == D("207.78")


def test_a_cancellation_that_fails_after_the_refund_keeps_the_refund_on_record(nyc, next_friday, monkeypatch):
    from django.db import IntegrityError

    from bookings import cancellations

    r = book(next_friday + timedelta(days=7))
    real = cancellations.payment_refund

    def refund_then_fail(**kwargs):
        real(**kwargs)
        raise IntegrityError("the commit failed")  # what a failed commit after the gateway call looks like

    monkeypatch.setattr(cancellations, "payment_refund", refund_then_fail)
    with pytest.raises(IntegrityError):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    monkeypatch.setattr(cancellations, "payment_refund", real)
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CONFIRMED and _refunded(r) == D("664.14")
    # Trying again cancels without refunding the money a second time.
    result = reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    assert result.as_dict()["financial"]["refund_amount"] == "0.00"
    assert _refunded(r) == D("664.14") and amount_paid(r) == D("0.00")
