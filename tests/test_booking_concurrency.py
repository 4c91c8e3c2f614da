"""Booking under real concurrency on PostgreSQL: many guests, the last rooms, one moment.

Each thread has its own database connection (Django's are per thread) and closes it when done.
"""

from collections import Counter
from datetime import timedelta

import pytest

from bookings.models import Payment, Reservation
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay, InventoryHold
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _request(friday, i: int, *, room_type="DELUXE-KING", nights=3) -> BookingRequest:
    return BookingRequest(hotel_code="NYC", room_type_code=room_type, rate_plan_code="AAA", check_in=friday,
                          check_out=friday + timedelta(days=nights), adults=2,
                          guest=GuestDetails("Guest", f"Number{i}", f"guest{i}@example.com"),
                          card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"))



def test_thirty_guests_for_the_last_three_rooms_three_book_and_the_rest_are_told_sold_out(nyc, next_friday):
    nights = [next_friday + timedelta(days=i) for i in range(3)]
    days = InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="DELUXE-KING", date__in=nights)
    days.update(sold=2)  # 5 rooms, 3 left on every night

    outcomes = all_at_once(30, lambda i: booking_create(request=_request(next_friday, i), gateway=TestGateway()))

    booked = [o for o in outcomes if isinstance(o, Reservation)]
    sold_out = [o for o in outcomes if isinstance(o, SoldOut)]
    others = [o for o in outcomes if not isinstance(o, (Reservation, SoldOut))]
    assert others == [], f"unexpected outcomes: {Counter(type(o).__name__ for o in others)} {others[:3]}"
    assert len(booked) == 3 and len(sold_out) == 27
    assert all(e.code == "SOLD_OUT" and e.details["date"] in {n.isoformat() for n in nights} for e in sold_out)
    assert sorted(days.values_list("sold", flat=True)) == [5, 5, 5]
    assert all(d.sold <= d.total - d.out_of_order for d in InventoryDay.objects.all())
    assert Reservation.objects.count() == 3 and Payment.objects.count() == 3
    assert InventoryHold.objects.filter(date__in=nights).count() == 9
    assert len({r.confirmation_number for r in booked}) == 3


def test_overlapping_stays_racing_in_both_directions_never_deadlock_nor_oversell(nyc, next_friday):
    # Stays that overlap differently (Fri-Mon, Sat-Tue, Thu-Sun ...) lock their nights in date order.
    days = InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="STANDARD-QUEEN",
                                       date__gte=next_friday - timedelta(days=1),
                                       date__lt=next_friday + timedelta(days=5))
    starts = [next_friday - timedelta(days=1), next_friday, next_friday + timedelta(days=1)]

    def book(i):
        request = _request(starts[i % 3], i, room_type="STANDARD-QUEEN", nights=2 + i % 3)
        return booking_create(request=request, gateway=TestGateway())

    outcomes = all_at_once(24, book)

    others = [o for o in outcomes if not isinstance(o, (Reservation, SoldOut))]
    assert others == [], others[:3]
    assert all(0 <= d.sold <= d.total for d in days)
    held = Counter()
    for hold in InventoryHold.objects.filter(room_type__code="STANDARD-QUEEN"):
        held[hold.date] += hold.rooms
    assert {d.date: d.sold for d in days if d.sold} == dict(held)


def test_confirmation_numbers_taken_at_the_same_moment_are_unique_and_consecutive(nyc, next_friday):
    InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="JUNIOR-SUITE").update(total=50)

    outcomes = all_at_once(20, lambda i: booking_create(request=_request(next_friday, i, room_type="JUNIOR-SUITE",
                                                                          nights=1), gateway=TestGateway()))

    assert all(isinstance(o, Reservation) for o in outcomes), [o for o in outcomes if not isinstance(o, Reservation)]
    numbers = sorted(o.confirmation_number for o in outcomes)
    prefix = f"GH-NYC-{next_friday:%Y%m%d}"
    assert numbers == [f"{prefix}{n:05d}" for n in range(1, 21)]


def test_a_promotion_with_two_uses_left_is_booked_twice_however_many_guests_try_at_once(nyc, next_friday):
    from dataclasses import replace
    from decimal import Decimal

    from hotelbooking.errors import UnknownPromoCode
    from pricing.models import Promotion

    Promotion.objects.create(hotel=nyc, code="TWOLEFT", name="10 off, two bookings only",
                             kind=Promotion.Kind.AMOUNT, value=Decimal("10"), max_uses=2)
    outcomes = all_at_once(5, lambda i: booking_create(
        request=replace(_request(next_friday, i), promo_code="TWOLEFT"), gateway=TestGateway()))
    booked = [o for o in outcomes if isinstance(o, Reservation)]
    refused = [o for o in outcomes if isinstance(o, UnknownPromoCode)]
    assert (len(booked), len(refused)) == (2, 3), outcomes
    assert all(r.promotion_discount == Decimal("-10.00") for r in booked)
    assert Reservation.objects.filter(promotion__code="TWOLEFT").exclude(status="EXPIRED").count() == 2
    # The refused guests hold no rooms and paid nothing.
    assert Payment.objects.filter(kind="CHARGE").count() == 2
    assert InventoryHold.objects.count() == 2 * 3
