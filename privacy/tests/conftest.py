"""Fixtures for the guest data tests: a guest with a past stay (checked in, a minibar charge, checked out) and a
cancelled booking, both made through the real services; desk users from the front-desk tests."""

from datetime import timedelta

import pytest

from bookings.cancellations import reservation_cancel
from bookings.payments import TestGateway
from frontdesk.services import charge_post, stay_check_in, stay_check_out
from frontdesk.tests.conftest import at, book, clerk, clerk_client  # noqa: F401 (fixtures used here)

NAME, LAST, EMAIL, PHONE = "Zebulon", "Quackenbush", "zeb.quack@example.com", "+1 212 555 0177"
REQUESTS = "Feather-free pillows for Mr Quackenbush"


def _rebook(check_in, nights=3):
    """A booking by the past guest (NYC, Deluxe King, AAA), with his special requests and marketing consent."""
    from bookings.payments import Card
    from bookings.services import BookingRequest, GuestDetails, booking_create

    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=check_in,
        check_out=check_in + timedelta(days=nights), adults=2,
        guest=GuestDetails(NAME, LAST, EMAIL, PHONE, "GH777001"), special_requests=REQUESTS,
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123", f"{NAME} {LAST}"), marketing_consent=True,
        consent_source="BOOKING_PAGE"), gateway=TestGateway())


@pytest.fixture
def past_guest(nyc, next_friday, django_capture_on_commit_callbacks):
    """Zebulon Quackenbush: a 3-night stay checked out (with a 12.50 minibar charge) and a later booking he
    cancelled. Returns (stay, cancelled)."""
    _book = _rebook

    deliver = django_capture_on_commit_callbacks  # the outbox's handlers (emails, loyalty) run after commit
    with at(next_friday - timedelta(days=7), 9), deliver(execute=True):
        stay = _book(next_friday)
        later = _book(next_friday + timedelta(days=28), nights=2)
    with at(next_friday), deliver(execute=True):
        stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=["1204"])
        charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
    with at(next_friday + timedelta(days=3), 10, 30), deliver(execute=True):
        stay_check_out(confirmation_number=stay.confirmation_number, gateway=TestGateway())
        reservation_cancel(confirmation_number=later.confirmation_number, reason=f"{LAST} changed plans",
                           gateway=TestGateway())
    stay.refresh_from_db()
    later.refresh_from_db()
    return stay, later


@pytest.fixture
def departed(next_friday):
    """A moment after the past guest's stay (hotel time), for the tests that act then."""
    return at(next_friday + timedelta(days=4), 12)
