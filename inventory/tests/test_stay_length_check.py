"""stay_length_check: a change to a stay whose arrival stands meets the length rules in the direction it moves,
and the departure day's rule whatever its length."""

from datetime import timedelta

import pytest

from hotelbooking.errors import RestrictionViolated
from inventory.services import stay_length_check

from .test_stay_restrictions import FRI, MON, king, set_day  # noqa: F401 (king is a fixture)

pytestmark = pytest.mark.django_db


def check(rt, nights: int, booked_nights: int):
    stay_length_check(room_type=rt, check_in=FRI, check_out=FRI + timedelta(days=nights), booked_nights=booked_nights)


def refusal(rt, nights: int, booked_nights: int) -> RestrictionViolated:
    with pytest.raises(RestrictionViolated) as exc:
        check(rt, nights, booked_nights)
    return exc.value


def test_a_shortening_below_a_minimum_set_since_the_booking_is_refused_with_the_rule_and_night(king):  # noqa: F811
    set_day(king, FRI, min_stay=4)
    error = refusal(king, 3, booked_nights=5)
    assert error.code == "RESTRICTED"
    assert error.message == "Stays arriving on 2031-01-10 must be at least 4 nights."
    assert error.details == {"restriction": "MIN_STAY", "date": "2031-01-10"}
    check(king, 4, booked_nights=5)  # at the minimum: fine


def test_a_stay_keeping_its_length_under_a_new_minimum_or_maximum_is_not_refused(king):  # noqa: F811
    set_day(king, FRI, min_stay=5)
    check(king, 3, booked_nights=3)  # the minimum came after the booking; the stay does not get shorter
    set_day(king, FRI, min_stay=None, max_stay=2)
    check(king, 3, booked_nights=3)  # nor longer past the new maximum


def test_a_longer_stay_than_booked_is_held_to_the_maximum_a_shorter_one_is_not(king):  # noqa: F811
    set_day(king, FRI, max_stay=3)
    error = refusal(king, 4, booked_nights=3)
    assert error.message == "Stays arriving on 2031-01-10 can be at most 3 nights."
    assert error.details == {"restriction": "MAX_STAY", "date": "2031-01-10"}
    check(king, 4, booked_nights=5)  # a 5-night booking shortened to 4: still past the maximum, but shorter


def test_a_new_departure_on_a_day_closed_to_departure_is_refused_whichever_way(king):  # noqa: F811
    set_day(king, MON, closed_to_departure=True)
    for booked in (2, 4):
        error = refusal(king, 3, booked_nights=booked)
        assert error.message == "Departures are closed on 2031-01-13."
        assert error.details == {"restriction": "CLOSED_TO_DEPARTURE", "date": "2031-01-13"}
