"""Fixtures for the front-desk tests: confirmed bookings made through the booking service, and time travel."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create

NEW_YORK = ZoneInfo("America/New_York")


def at(day, hour=15, minute=0):
    """Travel to a New York wall-clock time (the demo hotel's zone)."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=NEW_YORK), tick=False)


@pytest.fixture
def book(nyc):
    """Book through the real booking service (quote, inventory, TestGateway charge, confirmation)."""

    def _book(check_in, nights=3, *, room_type="DELUXE-KING", rate_plan="AAA", rooms=1, adults=2,
              email="john@example.com", first_name="John", last_name="Smith", loyalty_number="",
              special_requests=""):
        return booking_create(request=BookingRequest(
            hotel_code="NYC", room_type_code=room_type, rate_plan_code=rate_plan, check_in=check_in,
            check_out=check_in + timedelta(days=nights), adults=adults, room_count=rooms,
            guest=GuestDetails(first_name, last_name, email, loyalty_number=loyalty_number),
            card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"), special_requests=special_requests),
            gateway=TestGateway())

    return _book


@pytest.fixture
def seed_stay(book, next_friday):
    """The seed's stay: Deluxe King, AAA rate, Friday to Monday, 2 adults: 664.14 paid."""
    return book(next_friday)


@pytest.fixture
def tonight(nyc):
    """Tonight at the NYC hotel: (today, tomorrow), hotel-local."""
    from pricing.search import hotel_today

    today = hotel_today(nyc)
    return today, today + timedelta(days=1)


@pytest.fixture
def clerk(nyc):
    """A Front desk clerk of the NYC hotel (frontdesk.tests.desk_support)."""
    from frontdesk.permissions import FRONT_DESK_GROUP

    from .desk_support import desk_user
    return desk_user(nyc, "maria", FRONT_DESK_GROUP)


@pytest.fixture
def manager(nyc):
    """A Front office manager of the NYC hotel: a clerk who may also waive penalties and override prices."""
    from frontdesk.permissions import FRONT_OFFICE_MANAGER_GROUP

    from .desk_support import desk_user
    return desk_user(nyc, "olivia", FRONT_OFFICE_MANAGER_GROUP)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
