"""The new restrictions and promotion rules reach booking and modification through the checks they share with the
search (inventory_reserve(enforce_restrictions=True), validate_promotion): same codes, nothing held on refusal."""

from datetime import timedelta

import pytest

from bookings.cancellations import reservation_cancel
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from hotelbooking.errors import RestrictionViolated, UnknownPromoCode
from inventory.models import Hotel, InventoryDay, RoomType
from pricing.models import Promotion

from .test_manage_support import _fresh_cache, book, sold, state  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def friday(nyc, next_friday):
    return next_friday + timedelta(days=14)


def restrict(friday_or_day, room_type="DELUXE-KING", **fields):
    assert InventoryDay.objects.filter(room_type__code=room_type, date=friday_or_day).update(**fields) == 1


def modify(r, **changes):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**changes),
                              gateway=TestGateway())


def test_the_seed_booking_still_costs_664_14(friday):
    assert str(book(friday).grand_total) == "664.140"


def test_a_booking_longer_than_the_maximum_stay_is_refused_and_holds_nothing(friday):
    restrict(friday, max_stay=2)
    king = RoomType.objects.get(code="DELUXE-KING")
    with pytest.raises(RestrictionViolated) as exc:
        book(friday)
    assert exc.value.code == "RESTRICTED"
    assert exc.value.details == {"restriction": "MAX_STAY", "date": str(friday)}
    assert sold(king, friday, 3) == [0, 0, 0]
    # Two nights are within it: 189.00 + 219.00 less 40.80, 48.96 tax on the gross, 30.00 fees.
    assert str(book(friday, nights=2).grand_total) == "446.160"


def test_through_any_night_a_later_nights_minimum_refuses_the_booking(friday, nyc):
    saturday = friday + timedelta(days=1)
    restrict(saturday, min_stay=4)
    book(friday, email="a@example.com")  # through the arrival date, Saturday's minimum does not count
    Hotel.objects.filter(pk=nyc.pk).update(stay_length_rule=Hotel.StayLengthRule.EVERY_NIGHT)
    with pytest.raises(RestrictionViolated) as exc:
        book(friday, email="b@example.com")
    assert exc.value.details == {"restriction": "MIN_STAY", "date": str(saturday)}


def test_a_booking_inside_the_minimum_lead_time_is_refused(friday, nyc):
    lead = (friday - nyc.today()).days
    restrict(friday, min_advance_days=lead + 1)
    with pytest.raises(RestrictionViolated) as exc:
        book(friday)
    assert exc.value.details == {"restriction": "MIN_ADVANCE", "date": str(friday)}
    restrict(friday, min_advance_days=lead)
    book(friday)


def test_a_modification_moving_the_arrival_meets_the_new_days_lead_time_and_maximum(friday, nyc):
    r = book(friday)
    before = state(r)
    saturday = friday + timedelta(days=1)
    restrict(saturday, max_advance_days=(saturday - nyc.today()).days - 1)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_in=saturday, check_out=saturday + timedelta(days=2))
    assert exc.value.details == {"restriction": "MAX_ADVANCE", "date": str(saturday)}
    restrict(saturday, max_advance_days=None, max_stay=1)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_in=saturday, check_out=saturday + timedelta(days=2))
    assert exc.value.details == {"restriction": "MAX_STAY", "date": str(saturday)}
    assert state(r) == before


def test_an_extension_keeping_the_arrival_meets_the_length_and_departure_rules_not_the_arrival_ones(friday):
    """A kept arrival is not judged again (closed to arrival since), but the new length and departure are."""
    r = book(friday)
    restrict(friday, max_stay=4, closed_to_arrival=True)
    before = state(r)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_out=friday + timedelta(days=5))
    assert exc.value.details == {"restriction": "MAX_STAY", "date": str(friday)}
    assert state(r) == before  # nothing changed, nothing charged
    restrict(friday + timedelta(days=4), closed_to_departure=True)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_out=friday + timedelta(days=4))
    assert exc.value.details == {"restriction": "CLOSED_TO_DEPARTURE", "date": str(friday + timedelta(days=4))}
    restrict(friday + timedelta(days=4), closed_to_departure=False)
    result = modify(r, check_out=friday + timedelta(days=4))  # within the maximum: the arrival's CTA is moot
    assert result.reservation.check_out == friday + timedelta(days=4)


def test_a_capped_promotion_is_refused_once_used_up_and_given_back_by_a_cancellation(friday, nyc):
    Promotion.objects.filter(hotel=nyc, code="WINTER10").update(max_uses=1)
    first = book_with_promo(friday, "first@example.com")
    assert str(first.grand_total) == "609.510"  # 664.14 less a further 10% of each AAA night: 54.63
    with pytest.raises(UnknownPromoCode, match="^The promotion WINTER10 has been fully booked.$"):
        book_with_promo(friday, "second@example.com")
    reservation_cancel(confirmation_number=first.confirmation_number, reason="test", gateway=TestGateway())
    assert str(book_with_promo(friday, "third@example.com").grand_total) == "609.510"


def test_a_promotion_for_one_room_type_is_refused_for_another(friday, nyc):
    winter = Promotion.objects.get(hotel=nyc, code="WINTER10")
    winter.room_types.set(RoomType.objects.filter(code="JUNIOR-SUITE"))
    with pytest.raises(UnknownPromoCode, match="^The promotion WINTER10 does not apply to the Deluxe King Room.$"):
        book_with_promo(friday, "king@example.com")


def book_with_promo(friday, email):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", email),
        promo_code="WINTER10", card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())


def test_a_shortened_stay_meets_the_minimum_but_a_longer_one_is_not_held_to_it(friday):
    r = book(friday)
    restrict(friday, min_stay=3)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_out=friday + timedelta(days=2))
    assert exc.value.details == {"restriction": "MIN_STAY", "date": str(friday)}
    restrict(friday, min_stay=7)  # set since the booking: the guest may still stay longer
    assert modify(r, check_out=friday + timedelta(days=4)).reservation.nights_count == 4
