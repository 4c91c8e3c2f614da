"""The booking service sells the exact last room; the next guest is told SOLD_OUT and pays nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Payment, Reservation
from bookings.services import booking_create
from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay

from .booking_setup import seed_request

pytestmark = pytest.mark.django_db


def _sold(friday) -> list[int]:
    return list(InventoryDay.objects.filter(room_type__code="DELUXE-KING", date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def test_the_last_deluxe_king_is_booked_and_the_next_guest_is_sold_out(nyc, next_friday, gateway):
    saturday = next_friday + timedelta(days=1)
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=saturday).update(sold=4)

    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    assert (r.status, r.grand_total) == ("CONFIRMED", Decimal("664.14"))
    assert _sold(next_friday) == [1, 5, 1]

    with pytest.raises(SoldOut) as exc:
        booking_create(request=seed_request(next_friday, email="late@example.com"), gateway=gateway)
    assert (exc.value.details["date"], exc.value.details["available"]) == (saturday.isoformat(), 0)
    assert Reservation.objects.count() == 1
    assert list(Payment.objects.values_list("reservation_id", "amount")) == [(r.pk, Decimal("664.14"))]
    assert _sold(next_friday) == [1, 5, 1]


def test_the_last_two_rooms_are_booked_together(nyc, next_friday, gateway):
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=next_friday).update(sold=3)
    r = booking_create(request=seed_request(next_friday, adults=4, room_count=2), gateway=gateway)
    assert (r.room_count, r.grand_total) == (2, Decimal("1328.28"))
    assert _sold(next_friday) == [5, 2, 2]
    with pytest.raises(SoldOut):
        booking_create(request=seed_request(next_friday, email="late@example.com"), gateway=gateway)
    assert Reservation.objects.count() == 1
