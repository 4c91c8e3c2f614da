"""Maximum stay, lead times (advance booking), the stay-length rule and rooms to sell, as search and booking meet
them through availability_for_room_types and inventory_reserve(enforce_restrictions=True)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction

from hotelbooking.errors import RestrictionViolated, SoldOut
from inventory.models import Hotel, InventoryDay, nights_between
from inventory.services import availability_for_room_types, check_availability, inventory_open, inventory_reserve
from tests.factories import RoomFactory, RoomTypeFactory

FRI = date(2031, 1, 10)
SAT = FRI + timedelta(days=1)
MON = date(2031, 1, 13)
NEW_YORK = ZoneInfo("America/New_York")
pytestmark = pytest.mark.django_db


@pytest.fixture
def king():
    rt = RoomTypeFactory(code="DELUXE-KING", name="Deluxe King Room")
    for _ in range(3):
        RoomFactory(room_type=rt)
    inventory_open(hotel=rt.hotel, start=FRI - timedelta(days=3), end=FRI + timedelta(days=10))
    return rt


def set_day(rt, d, **fields):
    assert InventoryDay.objects.filter(room_type=rt, date=d).update(**fields) == 1


def verdict(rt, check_in=FRI, check_out=MON):
    return availability_for_room_types([rt.id], check_in, check_out, hotel=rt.hotel)[rt.id]


def reserve(rt, check_in=FRI, check_out=MON, rooms=1, holder="web"):
    with transaction.atomic():
        inventory_reserve(room_type=rt, nights=nights_between(check_in, check_out), rooms=rooms, holder=holder,
                          enforce_restrictions=True, check_out=check_out)


def sold(rt) -> list[int]:
    return list(InventoryDay.objects.filter(room_type=rt, date__gte=FRI, date__lt=MON).order_by("date")
                .values_list("sold", flat=True))


def every_night(rt):
    Hotel.objects.filter(pk=rt.hotel_id).update(stay_length_rule=Hotel.StayLengthRule.EVERY_NIGHT)
    rt.hotel.refresh_from_db()


# --- maximum stay ----------------------------------------------------------------------------------------

def test_a_stay_longer_than_the_arrival_nights_maximum_is_refused_in_search_and_booking(king):
    set_day(king, FRI, max_stay=2)
    v = verdict(king)
    assert (v.restriction, v.constraining_date, v.bookable) == ("MAX_STAY", FRI, False)
    assert v.message == "Stays arriving on 2031-01-10 can be at most 2 nights."
    with pytest.raises(RestrictionViolated) as exc:
        reserve(king)
    assert exc.value.details == {"restriction": "MAX_STAY", "date": "2031-01-10"}
    assert sold(king) == [0, 0, 0]
    # Two nights are within it, and book.
    assert verdict(king, FRI, FRI + timedelta(days=2)).bookable
    reserve(king, FRI, FRI + timedelta(days=2))
    assert sold(king) == [1, 1, 0]


def test_through_the_arrival_date_later_nights_limits_do_not_count(king):
    set_day(king, SAT, min_stay=5)
    set_day(king, date(2031, 1, 12), max_stay=1)
    assert verdict(king).restriction is None
    reserve(king)
    assert sold(king) == [1, 1, 1]


def test_through_any_night_every_nights_minimum_counts(king):
    every_night(king)
    set_day(king, SAT, min_stay=4)
    v = verdict(king)
    assert (v.restriction, v.constraining_date) == ("MIN_STAY", SAT)
    assert v.message == "Stays that include the night of 2031-01-11 must be at least 4 nights."
    with pytest.raises(RestrictionViolated) as exc:
        reserve(king)
    assert exc.value.details == {"restriction": "MIN_STAY", "date": "2031-01-11"}
    # A four-night stay through Saturday meets it; a stay after Saturday does not meet Saturday at all.
    assert verdict(king, FRI, FRI + timedelta(days=4)).bookable
    assert verdict(king, date(2031, 1, 12), date(2031, 1, 13)).bookable


def test_through_any_night_every_nights_maximum_counts(king):
    every_night(king)
    set_day(king, date(2031, 1, 12), max_stay=2)
    v = verdict(king)
    assert (v.restriction, v.constraining_date) == ("MAX_STAY", date(2031, 1, 12))
    assert v.message == "Stays that include the night of 2031-01-12 can be at most 2 nights."
    # The departure day is not a night of the stay: its limits do not count.
    assert verdict(king, FRI, date(2031, 1, 12)).bookable


def test_the_arrival_nights_own_limit_still_counts_through_any_night(king):
    every_night(king)
    set_day(king, FRI, min_stay=4)
    v = verdict(king)
    assert (v.restriction, v.message) == ("MIN_STAY", "Stays arriving on 2031-01-10 must be at least 4 nights.")


def test_the_database_refuses_a_maximum_below_the_minimum(king):
    with pytest.raises(IntegrityError), transaction.atomic():
        set_day(king, FRI, min_stay=3, max_stay=2)
    set_day(king, FRI, min_stay=2, max_stay=2)  # equal is fine: exactly two nights


# --- lead time (advance booking) -------------------------------------------------------------------------

def test_a_minimum_lead_time_counts_days_from_the_hotels_date_not_utcs(king):
    set_day(king, FRI, min_advance_days=3)
    # 02:00 UTC on Jan 7 is still Jan 6 in New York: the arrival is 4 days ahead there.
    with time_machine.travel(datetime(2031, 1, 7, 2, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        assert verdict(king).bookable
        reserve(king)
    # The next morning in New York it is 3 days ahead: still allowed (at least 3).
    with time_machine.travel(datetime(2031, 1, 7, 9, 0, tzinfo=NEW_YORK), tick=False):
        assert verdict(king).bookable
    with time_machine.travel(datetime(2031, 1, 8, 0, 30, tzinfo=NEW_YORK), tick=False):
        v = verdict(king)
        assert (v.restriction, v.constraining_date) == ("MIN_ADVANCE", FRI)
        assert v.message == "Stays arriving on 2031-01-10 must be booked at least 3 days ahead."
        with pytest.raises(RestrictionViolated) as exc:
            reserve(king, holder="late")
        assert exc.value.details == {"restriction": "MIN_ADVANCE", "date": "2031-01-10"}
    assert sold(king) == [1, 1, 1]


def test_zero_days_ahead_allows_a_same_day_arrival(king):
    set_day(king, FRI, min_advance_days=0)
    with time_machine.travel(datetime(2031, 1, 10, 20, 0, tzinfo=NEW_YORK), tick=False):
        assert verdict(king).bookable


def test_a_maximum_lead_time_refuses_bookings_made_too_early(king):
    set_day(king, FRI, max_advance_days=7)
    with time_machine.travel(datetime(2031, 1, 2, 12, 0, tzinfo=NEW_YORK), tick=False):  # 8 days ahead
        v = verdict(king)
        assert (v.restriction, v.message) == (
            "MAX_ADVANCE", "Stays arriving on 2031-01-10 can be booked at most 7 days ahead.")
        with pytest.raises(RestrictionViolated):
            reserve(king)
    with time_machine.travel(datetime(2031, 1, 3, 12, 0, tzinfo=NEW_YORK), tick=False):  # 7 days ahead
        reserve(king)
    assert sold(king) == [1, 1, 1]


def test_lead_times_of_later_nights_do_not_count(king):
    """Advance booking is a rule for arrivals: a night inside the stay with a lead time does not refuse it."""
    set_day(king, SAT, min_advance_days=30)
    set_day(king, date(2031, 1, 12), max_advance_days=0)
    with time_machine.travel(datetime(2031, 1, 5, 12, 0, tzinfo=NEW_YORK), tick=False):
        assert verdict(king).bookable


def test_without_enforcing_restrictions_the_desk_still_takes_the_rooms(king):
    set_day(king, FRI, max_stay=1, min_advance_days=100)
    with transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="desk", check_out=MON)
    assert sold(king) == [1, 1, 1]


# --- rooms to sell ---------------------------------------------------------------------------------------

def test_rooms_to_sell_caps_what_is_left_sold_rooms_included(king):
    set_day(king, SAT, rooms_to_sell=2)
    reserve(king, holder="a")
    day = InventoryDay.objects.get(room_type=king, date=SAT)
    assert (day.sellable, day.free) == (2, 1)
    assert verdict(king).available == 1
    reserve(king, holder="b")
    assert verdict(king).available == 0
    with pytest.raises(SoldOut) as exc:
        reserve(king, holder="c")
    assert exc.value.details == {"date": "2031-01-11", "available": 0}
    assert sold(king) == [2, 2, 2]


def test_rooms_to_sell_above_the_rooms_in_order_sells_no_more_than_exist(king):
    set_day(king, SAT, rooms_to_sell=10, out_of_order=1)
    day = InventoryDay.objects.get(room_type=king, date=SAT)
    assert (day.total, day.sellable, day.free) == (3, 2, 2)


def test_a_cap_lowered_below_what_is_sold_leaves_nothing_to_sell_and_keeps_the_bookings(king):
    reserve(king, holder="a")
    reserve(king, holder="b")
    set_day(king, SAT, rooms_to_sell=1)
    day = InventoryDay.objects.get(room_type=king, date=SAT)
    assert (day.sold, day.free) == (2, 0)
    assert check_availability(king, FRI, MON).available == 0


def test_availability_of_many_room_types_is_one_query(king, django_assert_num_queries):
    queen = RoomTypeFactory(hotel=king.hotel, code="QUEEN")
    inventory_open(hotel=king.hotel, start=FRI, end=MON)
    set_day(king, FRI, min_advance_days=1, max_stay=5)
    every_night(king)
    with django_assert_num_queries(1):
        result = availability_for_room_types([king.id, queen.id], FRI, MON, hotel=king.hotel)
    assert result[king.id].bookable and result[queen.id].restriction is None
