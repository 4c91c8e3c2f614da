"""The cancellation's row lock (PostgreSQL, threads): a change cannot slip in between the cancellation reading its
terms and saving them. Without the lock the optimistic status check lets both through (the change leaves the
booking CONFIRMED), and the cancellation refunds the old total while the change's charge stays taken."""

import threading
from decimal import Decimal

import pytest

from bookings import cancellations
from bookings.models import Reservation, Status
from bookings.payments import TestGateway
from bookings.services import amount_paid

from .test_concurrent_modify_cancel import Runner, _cancel, _extend, _sold, booked  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def test_a_change_asked_while_a_cancellation_reads_its_terms_is_refused(booked, monkeypatch):  # noqa: F811
    r = booked
    read, changed = threading.Event(), threading.Event()
    terms_of = cancellations.cancellation_terms

    def terms_then_pause(**kwargs):
        terms = terms_of(**kwargs)
        read.set()
        changed.wait(3)  # under the lock the change cannot finish meanwhile: this waits the 3 s out
        return terms

    def extend():
        try:
            return _extend(r, TestGateway())()
        finally:
            changed.set()

    monkeypatch.setattr(cancellations, "cancellation_terms", terms_then_pause)
    cancel = Runner(_cancel(r, TestGateway()))
    cancel.start()
    assert read.wait(10), "the cancellation never read its terms"
    change = Runner(extend)
    change.start()
    cancel.join(30)
    change.join(30)
    assert not cancel.is_alive() and not change.is_alive()
    assert cancel.error is None and cancel.result.refunded == D("664.14")
    assert change.error is not None and change.error.code == "MODIFICATION_NOT_ALLOWED"
    r = Reservation.objects.get(pk=r.pk)
    assert (r.status, r.check_out, r.grand_total) == (Status.CANCELLED, booked.check_out, D("664.14"))
    assert amount_paid(r) == D("0.00")  # all of it back, nothing charged for a change that did not happen
    assert _sold(r, 4) == [0, 0, 0, 0]
