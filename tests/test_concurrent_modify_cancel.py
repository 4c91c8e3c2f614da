"""A modification and a cancellation racing on one reservation (PostgreSQL, real row locks, threads).

Both services lock the reservation row first and re-check its state under the lock, but only for their short
transactions: no gateway call runs with the row locked (bookings/payments/attempts.py). So while one call waits
on the gateway, the other goes through at once and sees what the first had committed; whatever the first does
once the gateway answers it does on the booking as it then is. A cancellation committed before its refund went
out refuses a change (409 MODIFICATION_NOT_ALLOWED) and a second cancellation (409 CANCELLATION_NOT_ALLOWED); a
change that costs more is charged before it is applied, so a cancellation meanwhile cancels the booking as it
was, and the change, back from the gateway, gives its charge back (409); another change asked while one is
being charged is refused at once (409 CONCURRENT_MODIFICATION, retryable), nothing moved. Nothing is lost
either way.

(Before the payment saga the second call waited on the first's row lock for as long as the gateway took: these
tests asserted that wait. Now they assert the opposite: the second call is done while the first is still out.)
"""

import threading
from datetime import datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from bookings.cancellations import reservation_cancel
from bookings.models import Payment, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, amount_paid, booking_create
from hotelbooking.errors import DomainError
from inventory.models import InventoryDay, InventoryHold

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


class GatedGateway(TestGateway):
    """Stops inside the gateway call until `release` is set (its service holds no row lock meanwhile)."""

    def __init__(self):
        self.entered = threading.Event()
        self.release = threading.Event()

    def _wait(self):
        self.entered.set()
        assert self.release.wait(20), "the test never released the gateway"

    def charge_saved(self, **kwargs):
        self._wait()
        return super().charge_saved(**kwargs)

    def refund(self, **kwargs):
        self._wait()
        return super().refund(**kwargs)


class Runner(threading.Thread):
    """Runs one service call on its own database connection; keeps its result or its domain error."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn, self.result, self.error = fn, None, None

    def run(self):
        try:
            self.result = self.fn()
        except DomainError as error:
            self.error = error
        finally:
            connection.close()


def _book(friday) -> Reservation:
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())


def _race(first, second, gate: GatedGateway):
    """Start `first`, wait until it is inside the gateway, run `second` to its end meanwhile (nothing is locked
    while the gateway works), then let the gateway answer `first`."""
    a = Runner(first)
    a.start()
    assert gate.entered.wait(10), "the first call never reached the gateway"
    b = Runner(second)
    b.start()
    b.join(10)
    assert not b.is_alive(), "the second call waited for the first one's gateway call"
    assert a.is_alive(), "the first call should still be inside the gateway"
    gate.release.set()
    a.join(20)
    assert not a.is_alive()
    return a, b


def _sold(r, days):
    return list(InventoryDay.objects.filter(room_type=r.room_type, date__gte=r.check_in,
                                            date__lt=r.check_in + timedelta(days=days))
                .order_by("date").values_list("sold", flat=True))


@pytest.fixture
def booked(nyc, next_friday):
    r = _book(next_friday)
    check_in = datetime.combine(next_friday, clock(15), tzinfo=ZoneInfo("America/New_York"))
    # Two days before arrival: cancelling is free, so the cancellation refunds through the gateway.
    with time_machine.travel(check_in - timedelta(hours=48), tick=True):
        yield r


def _extend(r, gateway):
    return lambda: reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                      request=ModificationRequest(check_out=r.check_out + timedelta(days=1)))


def _cancel(r, gateway, reason="race"):
    return lambda: reservation_cancel(confirmation_number=r.confirmation_number, reason=reason, gateway=gateway)


def test_a_change_while_the_cancellations_refund_is_out_is_refused(booked):
    r, gate = booked, GatedGateway()
    cancel, modify = _race(_cancel(r, gate), _extend(r, TestGateway()), gate)
    assert cancel.error is None and cancel.result.refunded == D("664.14")
    assert modify.error is not None and modify.error.code == "MODIFICATION_NOT_ALLOWED"
    assert modify.error.http_status == 409 and modify.error.details["state"] == "CANCELLED"
    fresh = Reservation.objects.get(pk=r.pk)
    assert (fresh.status, fresh.check_out, fresh.grand_total) == (Status.CANCELLED, r.check_out, D("664.14"))
    assert fresh.nights.count() == 3
    assert _sold(r, 4) == [0, 0, 0, 0] and not InventoryHold.objects.filter(holder=r.holder).exists()
    assert not Payment.objects.filter(reservation=r, purpose="MODIFICATION").exists()
    assert amount_paid(fresh) == D("0.00")


def test_a_cancellation_while_the_extension_is_charged_cancels_the_booking_as_it_was(booked):
    r, gate = booked, GatedGateway()
    modify, cancel = _race(_extend(r, gate), _cancel(r, TestGateway()), gate)
    assert cancel.error is None
    assert cancel.result.terms.total == D("664.14") and cancel.result.refunded == D("664.14")
    # Back from the gateway, the extension finds the booking cancelled: not applied, its charge given back.
    assert modify.error is not None and modify.error.code == "MODIFICATION_NOT_ALLOWED"
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CANCELLED and fresh.nights.count() == 3 and fresh.grand_total == D("664.14")
    assert sorted((p.kind, p.amount, p.purpose) for p in Payment.objects.filter(reservation=r)) == [
        ("CHARGE", D("207.780"), "MODIFICATION"), ("CHARGE", D("664.140"), "BOOKING"),
        ("REFUND", D("207.780"), "COMPENSATE"), ("REFUND", D("664.140"), "CANCELLATION")]
    assert _sold(r, 5) == [0, 0, 0, 0, 0] and not InventoryHold.objects.filter(holder=r.holder).exists()
    assert amount_paid(fresh) == D("0.00")


def test_two_cancellations_one_wins_the_other_is_refused(booked):
    r, gate = booked, GatedGateway()
    first, second = _race(_cancel(r, gate, "first"), _cancel(r, TestGateway(), "second"), gate)
    assert first.error is None
    assert second.error is not None and second.error.code == "CANCELLATION_NOT_ALLOWED"
    assert Payment.objects.filter(reservation=r, kind="REFUND").count() == 1
    assert Reservation.objects.get(pk=r.pk).cancellation_reason == "first"


def test_a_change_asked_while_another_is_charged_is_refused_until_that_one_is_done(booked):
    r, gate = booked, GatedGateway()
    longer = _extend(r, gate)
    shorter = lambda: reservation_modify(  # noqa: E731
        confirmation_number=r.confirmation_number, gateway=TestGateway(),
        request=ModificationRequest(check_out=r.check_in + timedelta(days=2)))
    first, second = _race(longer, shorter, gate)
    # Changes that move money go one at a time: the shorter stay is refused at once (retryable), nothing moved.
    assert second.error is not None and second.error.code == "CONCURRENT_MODIFICATION" and second.error.retryable
    assert first.error is None and first.result.charge.amount == D("207.78")
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.nights.count() == 4 and _sold(r, 5) == [1, 1, 1, 1, 0]
    assert amount_paid(fresh) == D("871.92") and not Payment.objects.filter(reservation=r, kind="REFUND")
    # Asked again once the first is done, it applies: 871.92 - 446.16 back.
    again = shorter()
    assert again.plan.previous_total == D("871.92") and again.plan.new_total == D("446.16")
    assert amount_paid(Reservation.objects.get(pk=r.pk)) == D("446.16")
