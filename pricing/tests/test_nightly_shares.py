"""Each night's share of the total, the basis of a "first N nights" penalty: for every room booked, and spread
evenly when the rooms cost nothing and only taxes and fees are paid."""

import pytest

from pricing.models import Fee, RatePlan

from .pricing_setup import derived, fee, make_hotel, price, room_type_with_rates

pytestmark = pytest.mark.django_db


def test_two_rooms_count_twice_on_every_night():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, max_adults=2, max_occupancy=2)
    fee(hotel, kind=Fee.Kind.PER_NIGHT, amount="15", name="Resort")
    q = price(bar, king, rooms=2, adults=2)
    # 2 x 189 / 219 / 199 = 378 / 438 / 398, and the 90.00 of fees in proportion: 28.02 / 32.47 / 29.51.
    assert [str(t) for t in q.nightly_totals] == ["406.02", "470.47", "427.51"]
    assert sum(q.nightly_totals) == q.total


def test_when_the_rooms_are_free_the_fees_are_shared_evenly_by_the_nights():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar)
    fee(hotel, kind=Fee.Kind.PER_NIGHT, amount="15", name="Resort")
    comp = derived(hotel, bar, code="COMP", kind=RatePlan.Derivation.AMOUNT, value="500")  # every night free
    q = price(comp, king)
    assert q.as_dict()["room_total"] == "0.00"
    assert [str(t) for t in q.nightly_totals] == ["15.00", "15.00", "15.00"]
