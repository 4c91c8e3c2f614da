"""Multi-room bookings (issue 11, decision 9): one booking, one number, several rooms, all or nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.services import RoomRequest, booking_create, booking_quote_rooms
from inventory.models import InventoryDay, RoomType

from .booking_setup import seed_request
from .faulty_gateway import FaultyGateway


@pytest.mark.django_db
def test_probe(nyc, next_friday):
    print([(rt.code, rt.max_occupancy, getattr(rt, "max_children", None)) for rt in RoomType.objects.filter(hotel=nyc)])
    q = booking_quote_rooms(hotel=nyc, rooms=[RoomRequest("DELUXE-KING", 2), RoomRequest("STANDARD-QUEEN", 1, 1, [7])],
                            rate_plan_code="AAA", check_in=next_friday, check_out=next_friday + timedelta(days=3))
    print(q.as_dict())
    assert 0
