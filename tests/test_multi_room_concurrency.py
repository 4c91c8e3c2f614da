"""Multi-room bookings racing on PostgreSQL for the last room of one type: one wins, the others leave nothing.

The rooms are named in both orders (King then Queen, Queen then King): the booking reserves them in room type
order whatever the request's order, so the bookings lock the same rows in the same order and never deadlock.
"""

from datetime import timedelta

import pytest

from bookings.models import Payment, PaymentAttempt, Reservation
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, RoomRequest, booking_create
from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay, InventoryHold
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

KING, QUEEN = RoomRequest("DELUXE-KING", 2), RoomRequest("STANDARD-QUEEN", 1, 1, [7])


def _request(friday, i: int) -> BookingRequest:
    return BookingRequest(hotel_code="NYC", room_type_code="", rate_plan_code="AAA", check_in=friday,
                          check_out=friday + timedelta(days=3),
                          rooms=(KING, QUEEN) if i % 2 == 0 else (QUEEN, KING),
                          guest=GuestDetails("Guest", f"Number{i}", f"guest{i}@example.com"),
                          card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"))


def _sold(nyc, friday, code):
    return list(InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code=code, date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def test_multi_room_bookings_for_the_last_queen_one_books_the_others_leave_nothing(nyc, next_friday):
    queens = InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="STANDARD-QUEEN",
                                         date__gte=next_friday, date__lt=next_friday + timedelta(days=3))
    total = queens.first().total
    queens.update(sold=total - 1)  # one Queen left on every night

    outcomes = all_at_once(6, lambda i: booking_create(request=_request(next_friday, i), gateway=TestGateway()))

    booked = [o for o in outcomes if isinstance(o, Reservation)]
    refused = [o for o in outcomes if isinstance(o, SoldOut)]
    assert len(booked) == 1 and len(refused) == 5, outcomes
    assert all(e.details["room"] in (1, 2) and "Standard Queen" in e.message for e in refused)
    winner = booked[0]
    assert Reservation.objects.count() == 2 and set(Reservation.objects.values_list("lead", flat=True)) == {
        None, winner.pk}
    assert _sold(nyc, next_friday, "STANDARD-QUEEN") == [total] * 3
    assert _sold(nyc, next_friday, "DELUXE-KING") == [1, 1, 1]
    assert InventoryHold.objects.exclude(holder__in=[r.holder for r in winner.booking_rooms()]).count() == 0
    assert PaymentAttempt.objects.count() == 1 and Payment.objects.count() == 2
