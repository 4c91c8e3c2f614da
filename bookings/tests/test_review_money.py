"""Review findings on the money of modifications and cancellations (amounts a guest or auditor would check)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Reservation
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from pricing.models import Promotion

from .test_manage_support import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal


def _book(friday, *, nights=3, promo_code=None, rooms=1, adults=2):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=nights), adults=adults, room_count=rooms, promo_code=promo_code,
        guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())


def _modify(r, **changes):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**changes),
                              gateway=TestGateway())


def test_extension_does_not_give_an_amount_off_the_stay_a_second_time(nyc, next_friday):
    Promotion.objects.create(hotel=nyc, code="SAVE60", name="60 off the stay", kind=Promotion.Kind.AMOUNT,
                             value=D("60"))
    r = _book(next_friday, promo_code="SAVE60")
    assert r.promotion_discount == D("-60.00")
    _modify(r, check_out=next_friday + timedelta(days=4))
    r = Reservation.objects.get(pk=r.pk)
    # "60 off the stay" is 60 off the stay, however long it becomes: not 60 more for the added night.
    assert r.promotion_discount == D("-60.00")
    assert sum(n.promotion_discount for n in r.nights.all()) == D("60.00")


def test_shortening_below_the_promotions_minimum_stay_loses_the_promotion(nyc, next_friday):
    # WINTER10: 10% off stays of at least 2 nights.
    r = _book(next_friday, promo_code="WINTER10")
    assert r.promotion_discount < 0
    result = _modify(r, check_out=next_friday + timedelta(days=1))
    r = Reservation.objects.get(pk=r.pk)
    assert r.promotion_discount == D("0.00")
    assert [n.promotion_discount for n in r.nights.all()] == [D("0")]
    # Friday at the AAA rate: 189.00 less 10% = 170.10; 12% tax on 189.00 (22.68); resort fee 15.00.
    assert r.grand_total == D("207.78")
    assert result.as_dict()["pricing_breakdown"]["new_total"] == "207.78"


def test_shortening_but_still_long_enough_keeps_the_promotion(nyc, next_friday):
    r = _book(next_friday, promo_code="WINTER10")
    friday_discount = r.nights.get(date=next_friday).promotion_discount
    _modify(r, check_out=next_friday + timedelta(days=2))
    r = Reservation.objects.get(pk=r.pk)
    assert r.nights.get(date=next_friday).promotion_discount == friday_discount > 0
