"""What the mutation run of bookings/modifications/plan.py found unwatched (see tests/MUTATION.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import F

from bookings.models import Reservation, Status
from bookings.modifications import ModificationRequest, modification_quote
from bookings.payments import TestGateway
from bookings.services import booking_create
from hotelbooking.errors import ModificationNotAllowed, SoldOut, UnknownRoomType, ValidationFailed
from inventory.models import InventoryDay
from pricing.models import Promotion, RatePlan
from pricing.search import hotel_today
from tests.factories import HotelFactory, RoomTypeFactory

from .booking_setup import seed_request
from .test_manage_support import _fresh_cache, book, check_in_at  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
H = timedelta(hours=1)


def quote(r, **changes) -> dict:
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        return modification_quote(confirmation_number=r.confirmation_number,
                                  request=ModificationRequest(**changes)).as_dict()


@pytest.mark.parametrize("booked_total, difference, pay_more, refund", [
    ("664.14", "0.00", False, False),
    ("663.64", "0.50", True, False),
    ("664.64", "-0.50", False, True),
])
def test_a_change_costing_the_same_asks_nothing_and_50_cents_either_way_is_told(
        nyc, next_friday, booked_total, difference, pay_more, refund):
    r = book(next_friday)
    # One adult instead of two costs the same 664.14; the booked total is moved 0.50 off it to make a difference.
    Reservation.objects.filter(pk=r.pk).update(grand_total=D(booked_total))
    b = quote(r, adults=1)["pricing_breakdown"]
    assert (b["previous_total"], b["new_total"], b["difference"]) == (booked_total, "664.14", difference)
    assert (b["additional_payment_required"], b["refund_due"]) == (pay_more, refund)


def test_a_shorter_stay_before_any_penalty_refunds_the_whole_difference_and_withholds_nothing(nyc, next_friday):
    r = book(next_friday)
    b = quote(r, check_out=next_friday + timedelta(days=2))["pricing_breakdown"]
    # Sunday's 179.10 (199.00 less 10%), its 12% tax on 199.00 (23.88) and its 15.00 resort fee.
    assert (b["previous_total"], b["new_total"], b["difference"]) == ("664.14", "446.16", "-217.98")
    assert (b["amount_to_refund"], b["refund_withheld"], b["amount_to_charge"]) == ("217.98", "0.00", "0.00")


def test_arriving_a_day_earlier_is_an_extension_and_a_day_later_a_reduction(nyc, next_friday):
    r = book(next_friday)
    thursday, saturday = next_friday - timedelta(days=1), next_friday + timedelta(days=1)
    earlier = quote(r, check_in=thursday)
    assert (earlier["modification"], earlier["changes"]) == ("DATE_EXTENSION", ["DATE_EXTENSION"])
    assert earlier["pricing_breakdown"]["added_nights"]["nights"] == [thursday]
    later = quote(r, check_in=saturday)
    assert (later["modification"], later["changes"]) == ("DATE_REDUCTION", ["DATE_REDUCTION"])
    assert later["pricing_breakdown"]["removed_nights"]["nights"] == [next_friday]


def test_the_night_groups_of_a_two_room_booking_count_both_rooms(nyc, next_friday):
    r = booking_create(request=seed_request(next_friday, room_count=2), gateway=TestGateway())
    b = quote(r, check_out=next_friday + timedelta(days=4))["pricing_breakdown"]
    # Two rooms: the kept nights 2 x 546.30, Monday 2 x 170.10 (189.00 less 10%).
    assert b["unchanged_nights"]["total"] == "1092.60" and b["added_nights"]["total"] == "340.20"
    b = quote(r, check_out=next_friday + timedelta(days=2))["pricing_breakdown"]
    assert b["removed_nights"] == {"nights": [next_friday + timedelta(days=2)], "total": "358.20"}


def test_a_sold_out_added_night_is_refused_with_the_whole_message(nyc, next_friday):
    r = book(next_friday)
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=r.room_type, date=monday).update(sold=F("total"))
    with pytest.raises(SoldOut) as exc:
        quote(r, check_out=monday + timedelta(days=1))
    assert exc.value.message == (
        f"Sorry, Deluxe King Room is sold out on {monday:%B} {monday.day}, {monday.year} "
        "(0 left). Please choose different dates or room type.")
    assert exc.value.details == {"date": str(monday), "available": 0}


def test_an_added_night_of_a_booking_with_a_promotion_gets_the_promotion_too(nyc, next_friday):
    r = booking_create(request=seed_request(next_friday, promo_code="WINTER10"), gateway=TestGateway())
    assert str(r.grand_total) == "609.510"  # 664.14 less a further 10% of each AAA night
    b = quote(r, check_out=next_friday + timedelta(days=4))["pricing_breakdown"]
    # Monday: 189.00 less 10% (AAA) is 170.10, less 10% (Winter escape) is 153.09.
    assert b["added_nights"]["total"] == "153.09" and b["unchanged_nights"]["total"] == "491.67"
    assert b["new_pricing"]["promotion_discount"] == "-71.64"


def test_an_added_night_after_the_promotions_booking_window_closed_pays_the_plans_price(nyc, next_friday):
    r = booking_create(request=seed_request(next_friday, promo_code="WINTER10"), gateway=TestGateway())
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        yesterday = hotel_today(nyc) - timedelta(days=1)
    Promotion.objects.filter(hotel=nyc, code="WINTER10").update(book_end=yesterday)
    b = quote(r, check_out=next_friday + timedelta(days=4))["pricing_breakdown"]
    # Monday at AAA's 170.10; the booked nights keep their Winter escape price (546.30 less 54.63).
    assert b["added_nights"]["total"] == "170.10" and b["unchanged_nights"]["total"] == "491.67"
    assert b["new_pricing"]["promotion_discount"] == "-54.63"


def test_a_child_added_by_a_change_is_in_the_new_party(nyc, next_friday):
    r = book(next_friday)
    data = quote(r, children=1)
    assert (data["adults"], data["children"], data["modification"]) == (2, 1, "OCCUPANCY_CHANGE")


@pytest.mark.parametrize("code", ["AAA", "aaa", " Aaa "])
def test_naming_the_booked_plan_in_any_case_keeps_it_even_off_sale(nyc, next_friday, code):
    r = book(next_friday)
    RatePlan.objects.filter(hotel=nyc, code="AAA").update(is_active=False)
    data = quote(r, rate_plan_code=code, check_out=next_friday + timedelta(days=4))
    assert data["rate_plan"] == "AAA" and data["changes"] == ["DATE_EXTENSION"]
    assert data["pricing_breakdown"]["repriced_all_nights"] is False


def test_a_room_type_only_another_hotel_has_is_unknown_here(nyc, next_friday):
    r = book(next_friday)
    RoomTypeFactory(hotel=HotelFactory(code="BOS"), code="PENTHOUSE")
    with pytest.raises(UnknownRoomType) as exc:
        quote(r, room_type_code="penthouse")
    assert exc.value.message == f"{nyc.name} has no room type penthouse."
    assert exc.value.details == {"room_type": "penthouse"}


@pytest.mark.parametrize("request_fields", [{}, {"check_in": "", "room_type_code": "", "rate_plan_code": ""}])
def test_a_change_naming_nothing_is_refused(nyc, next_friday, request_fields):
    r = book(next_friday)
    with pytest.raises(ValidationFailed) as exc:
        quote(r, **request_fields)
    assert exc.value.message == ("Give at least one of check_in, check_out, adults, children, room_type, "
                                 "rate_plan, extras.")


def test_only_a_confirmed_reservation_can_be_changed_says_the_refusal(nyc, next_friday):
    r = book(next_friday)
    Reservation.objects.filter(pk=r.pk).update(status=Status.CHECKED_IN)
    with pytest.raises(ModificationNotAllowed) as exc:
        quote(r, check_out=next_friday + timedelta(days=4))
    assert exc.value.message == (f"Reservation {r.confirmation_number} is checked in: only a confirmed reservation "
                                 "can be changed.")
    assert exc.value.details == {"state": "CHECKED_IN"}
