"""A slow gateway stalls only its own booking: other bookings and cancellations go on meanwhile.

Before the payment saga a booking held its inventory rows (and on SQLite the whole database) while the gateway
answered; a 22-second stall made unrelated bookings fail with "database is locked". Runs on SQLite and on
PostgreSQL.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from bookings.cancellations import reservation_cancel
from bookings.models import Reservation, Status
from bookings.payments import TestGateway
from bookings.services import booking_create
from bookings.tests.booking_setup import seed_request

pytestmark = pytest.mark.django_db(transaction=True)


class StallingGateway(TestGateway):
    """Stops inside the charge until the test lets it go."""

    __test__ = False

    def __init__(self):
        self.entered, self.release = threading.Event(), threading.Event()

    def charge(self, **kwargs):
        self.entered.set()
        assert self.release.wait(30), "the test never let the gateway answer"
        return super().charge(**kwargs)


def test_other_bookings_and_cancellations_go_on_while_one_gateway_call_stalls(nyc, next_friday):
    earlier = booking_create(request=seed_request(next_friday, email="earlier@example.com"), gateway=TestGateway())
    stalling, outcome = StallingGateway(), {}

    def slow_booking():
        try:
            outcome["slow"] = booking_create(request=seed_request(next_friday, email="slow@example.com"),
                                             gateway=stalling)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_booking, daemon=True)
    thread.start()
    assert stalling.entered.wait(10), "the slow booking never reached the gateway"
    try:
        # While the first booking waits for its gateway: the same room type, the same nights, sells...
        other = booking_create(request=seed_request(next_friday, email="other@example.com"), gateway=TestGateway())
        # ...and another booking is cancelled, its refund recorded.
        cancelled = reservation_cancel(confirmation_number=earlier.confirmation_number, reason="plans changed",
                                       gateway=TestGateway())
    finally:
        stalling.release.set()
        thread.join(30)
    assert other.status == Status.CONFIRMED
    assert cancelled.reservation.status == Status.CANCELLED
    assert outcome["slow"].status == Status.CONFIRMED
    assert Reservation.objects.filter(status=Status.CONFIRMED).count() == 2
    assert {r.check_in for r in Reservation.objects.all()} == {next_friday}
    assert (next_friday + timedelta(days=3)) == outcome["slow"].check_out
