"""A change obeys the rules a new booking obeys: arrival restrictions, the new plan's policy, rooms on every
night of a new room type. Each test fails with the figure or code the guest would see wrong."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.cancellations import cancellation_quote
from bookings.models import Reservation
from bookings.modifications import ModificationRequest, modification_quote, reservation_modify
from bookings.payments import TestGateway
from hotelbooking.errors import RestrictionViolated, SoldOut
from inventory.models import InventoryDay, RoomType
from pricing.models import CancellationPolicy, CancellationTier, RatePlan

from .test_manage_support import _fresh_cache, book, local, sold, state  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def friday(nyc, next_friday):
    """A Friday two weeks out, well before any paying window whatever the hour of the run."""
    return next_friday + timedelta(days=14)


def modify(r, **changes):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**changes),
                              gateway=TestGateway())


def day(room_type_code, date):
    return InventoryDay.objects.get(room_type__code=room_type_code, date=date)


def test_a_new_arrival_on_a_day_closed_to_arrival_is_refused_and_nothing_changes(friday):
    r = book(friday)
    saturday = friday + timedelta(days=1)
    InventoryDay.objects.filter(room_type=r.room_type, date=saturday).update(closed_to_arrival=True)
    before = state(r)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_in=saturday)
    assert exc.value.details["restriction"] == "CLOSED_TO_ARRIVAL"
    assert exc.value.details["date"] == str(saturday)
    assert state(r) == before
    assert sold(r.room_type, friday, 3) == [1, 1, 1]


def test_a_new_arrival_shorter_than_that_days_minimum_stay_is_refused(friday):
    r = book(friday)
    saturday = friday + timedelta(days=1)
    InventoryDay.objects.filter(room_type=r.room_type, date=saturday).update(min_stay=3)
    before = state(r)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, check_in=saturday)
    assert exc.value.details["restriction"] == "MIN_STAY"
    assert state(r) == before


def test_a_move_to_a_room_type_closed_to_arrival_that_day_is_refused(friday):
    r = book(friday)
    InventoryDay.objects.filter(room_type__code="JUNIOR-SUITE", date=friday).update(closed_to_arrival=True)
    before = state(r)
    with pytest.raises(RestrictionViolated) as exc:
        modify(r, room_type_code="JUNIOR-SUITE")
    assert exc.value.details["restriction"] == "CLOSED_TO_ARRIVAL"
    assert state(r) == before


def test_extending_a_stay_whose_arrival_day_was_closed_since_only_needs_rooms(friday):
    r = book(friday)
    InventoryDay.objects.filter(room_type=r.room_type, date=friday).update(closed_to_arrival=True, min_stay=7)
    data = modify(r, check_out=friday + timedelta(days=4)).as_dict()
    assert data["modification"] == "DATE_EXTENSION"
    assert data["pricing_breakdown"]["new_total"] == "871.92"
    assert Reservation.objects.get(pk=r.pk).check_out == friday + timedelta(days=4)


def test_a_new_rate_plan_brings_its_own_cancellation_policy(nyc, friday):
    strict = CancellationPolicy.objects.create(hotel=nyc, name="Non-refundable",
                                               description="Charged in full when booked")
    CancellationTier.objects.create(policy=strict, hours_before=24 * 365, penalty_percent=Decimal("100"))
    RatePlan.objects.create(hotel=nyc, code="NRF", name="Non-refundable rate", cancellation_policy=strict,
                            parent=RatePlan.objects.get(hotel=nyc, code="BAR"),
                            derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("15"))
    r = book(friday)
    assert cancellation_quote(confirmation_number=r.confirmation_number).penalty == Decimal("0.00")

    data = modify(r, rate_plan_code="NRF").as_dict()
    # 607.00 less 15% (91.05) = 515.95, with 72.84 of tax on the gross and 45.00 of fees.
    assert (data["rate_plan"], data["pricing_breakdown"]["new_total"]) == ("NRF", "633.79")
    r = Reservation.objects.get(pk=r.pk)
    assert r.cancellation_policy["name"] == "Non-refundable"
    assert r.free_until == local(friday) - timedelta(hours=24 * 365)
    terms = cancellation_quote(confirmation_number=r.confirmation_number).as_dict()
    assert terms["cancellation_policy"]["name"] == "Non-refundable"
    assert (terms["financial"]["penalty_amount"], terms["financial"]["refund_amount"]) == ("633.79", "0.00")


def test_a_room_type_change_is_quoted_sold_out_when_the_new_type_is_full_on_a_kept_night(friday):
    r = book(friday)
    saturday = friday + timedelta(days=1)
    suite = RoomType.objects.get(code="JUNIOR-SUITE")
    InventoryDay.objects.filter(room_type=suite, date=saturday).update(sold=3)
    request = ModificationRequest(room_type_code="JUNIOR-SUITE")
    with pytest.raises(SoldOut) as exc:
        modification_quote(confirmation_number=r.confirmation_number, request=request)
    assert (exc.value.details["date"], exc.value.details["available"]) == (str(saturday), 0)
    before = state(r)
    with pytest.raises(SoldOut):
        modify(r, room_type_code="JUNIOR-SUITE")
    assert state(r) == before
    assert [day("JUNIOR-SUITE", friday + timedelta(days=i)).sold for i in range(3)] == [0, 3, 0]


def test_a_room_type_change_takes_the_last_free_room_of_the_new_type(friday):
    r = book(friday)
    suite = RoomType.objects.get(code="JUNIOR-SUITE")
    InventoryDay.objects.filter(room_type=suite, date__gte=friday, date__lt=friday + timedelta(days=3)).update(sold=2)
    modify(r, room_type_code="JUNIOR-SUITE")
    assert sold(suite, friday, 3) == [3, 3, 3]
    assert sold(RoomType.objects.get(code="DELUXE-KING"), friday, 3) == [0, 0, 0]
