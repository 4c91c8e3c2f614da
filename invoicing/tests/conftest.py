"""Fixtures for the invoicing tests: the front desk's (real bookings, clerks, New York time travel)."""

from datetime import timedelta

import pytest

from frontdesk.tests.conftest import at, book, clerk, clerk_client, seed_stay  # noqa: F401

# The seed's stay (Fri-Mon, 664.14 prepaid), checked in with a minibar (12.50) and a massage (80.00).
from frontdesk.tests.test_check_out import in_house  # noqa: F401

__all__ = ["at", "checked_out"]


def checked_out(reservation, day, capture):
    """Check the stay out at 10:30 on `day` and run what follows the commit (the events, the emails)."""
    from bookings.payments import TestGateway
    from frontdesk.services import stay_check_out

    with at(day, 10, 30), capture(execute=True):
        stay_check_out(confirmation_number=reservation.confirmation_number, gateway=TestGateway())
    reservation.refresh_from_db()
    return reservation


@pytest.fixture
def departure(next_friday):
    return next_friday + timedelta(days=3)
