"""Fixtures for the invoicing tests: the front desk's (real bookings, clerks, New York time travel)."""

from datetime import timedelta

import pytest

from frontdesk.tests.conftest import at, book, clerk, clerk_client, seed_stay  # noqa: F401

__all__ = ["at", "checked_out"]


@pytest.fixture
def in_house(book, next_friday):  # noqa: F811
    """The seed's stay (Fri-Mon, 664.14 prepaid), checked in with a minibar (12.50) and a massage (80.00)."""
    from frontdesk.services import charge_post, stay_check_in

    r = book(next_friday)
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1204"])
        charge_post(confirmation_number=r.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
        charge_post(confirmation_number=r.confirmation_number, kind="SPA", amount="80.00", currency="USD",
                    description="Massage")
    r.refresh_from_db()
    return r


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
