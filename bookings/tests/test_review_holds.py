"""Review: after every path a booking can take, its inventory holds are exactly its nights times its rooms."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.cancellations import reservation_cancel
from bookings.models import Reservation
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, amount_paid, booking_create
from inventory.models import InventoryDay, InventoryHold
from inventory.services import inventory_release

from .test_manage_support import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal


def _consistent(r):
    r = Reservation.objects.get(pk=r.pk)
    holds = sorted(InventoryHold.objects.filter(holder=r.holder).values_list("room_type_id", "date", "rooms"))
    if r.status in ("CANCELLED", "EXPIRED"):
        assert holds == []
    else:
        assert holds == [(r.room_type_id, n.date, r.room_count) for n in r.nights.order_by("date")]
    # Every sold room on every day is someone's hold.
    for day in InventoryDay.objects.filter(room_type__hotel=r.hotel, sold__gt=0):
        held = sum(InventoryHold.objects.filter(room_type=day.room_type, date=day.date).values_list("rooms",
                                                                                                     flat=True))
        assert day.sold == held, (day.room_type.code, day.date)
    assert r.grand_total == r.room_total + r.taxes + r.fees
    assert r.room_total == r.subtotal + r.rate_plan_discount + r.promotion_discount
    nights = list(r.nights.all())
    assert r.subtotal == sum(n.rate for n in nights) * r.room_count
    assert r.promotion_discount == -sum(n.promotion_discount for n in nights) * r.room_count
    if r.status == "CONFIRMED":
        assert amount_paid(r) == r.grand_total
    return r


def _modify(r, **kw):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**kw),
                              gateway=TestGateway())


def test_two_rooms_with_a_promotion_through_every_change(nyc, next_friday):
    friday = next_friday + timedelta(days=7)
    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=3, room_count=2, promo_code="WINTER10",
        guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())
    _consistent(r)
    day = timedelta(days=1)
    _modify(r, check_out=friday + 5 * day)                      # extend
    _consistent(r)
    _modify(r, check_in=friday + day)                           # reduce
    _consistent(r)
    _modify(r, check_in=friday + 3 * day, check_out=friday + 7 * day)  # shift, sharing two nights
    _consistent(r)
    _modify(r, room_type_code="JUNIOR-SUITE")                        # room change
    _consistent(r)
    result = _modify(r, check_in=friday + 3 * day, check_out=friday + 7 * day)  # the same dates: nothing
    assert result.plan.modification == "NO_CHANGE" and result.payment["action"] == "NONE"
    _consistent(r)
    reservation_cancel(confirmation_number=r.confirmation_number, reason="plans", gateway=TestGateway())
    r = _consistent(r)
    assert amount_paid(r) == D("0.00")
    assert inventory_release(holder=r.holder) == 0  # releasing twice gives back nothing more
    _consistent(r)
