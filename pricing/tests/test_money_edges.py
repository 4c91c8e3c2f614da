"""Money edges the rest of the suite left open: several rooms, per-night shares that must add up, tiers that
overlap, a refund that cannot go below zero. Each test names the figure a guest would see wrong."""

from datetime import time, timedelta
from decimal import Decimal

import pytest

from pricing.cancellation import check_in_instant, compute_penalty, free_until
from pricing.models import Fee, Tax

from .pricing_setup import FRI, fee, make_hotel, price, room_type_with_rates, tax

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel_bar():
    return make_hotel()


@pytest.fixture
def king(hotel_bar):
    hotel, bar = hotel_bar
    return room_type_with_rates(hotel, bar, max_adults=2, max_occupancy=2)


def test_a_per_night_tax_is_charged_for_every_room_and_night(hotel_bar, king):
    hotel, bar = hotel_bar
    tax(hotel, kind=Tax.Kind.PER_NIGHT, value="3.50", name="Hotel unit fee")
    d = price(bar, king, rooms=2, adults=4).as_dict()
    # 3 nights x 2 rooms x 3.50
    assert d["tax_lines"] == [{"name": "Hotel unit fee", "amount": "21.00"}]
    assert (d["room_total"], d["total"]) == ("1214.00", "1235.00")


def test_a_per_stay_tax_is_charged_once_per_room(hotel_bar, king):
    hotel, bar = hotel_bar
    tax(hotel, kind=Tax.Kind.PER_STAY, value="2", name="Registration")
    assert price(bar, king, rooms=3, adults=3).as_dict()["tax_lines"] == [{"name": "Registration", "amount": "6.00"}]


def test_a_per_stay_fee_is_charged_once_per_room(hotel_bar, king):
    hotel, bar = hotel_bar
    fee(hotel, kind=Fee.Kind.PER_STAY, amount="25", name="Cleaning")
    d = price(bar, king, rooms=2, adults=2).as_dict()
    assert d["fee_lines"] == [{"name": "Cleaning", "amount": "50.00"}]
    assert d["total"] == "1264.00"


def test_a_per_night_fee_is_charged_for_every_room_and_night(hotel_bar, king):
    hotel, bar = hotel_bar
    fee(hotel, kind=Fee.Kind.PER_NIGHT, amount="15", name="Resort")
    assert price(bar, king, rooms=2, adults=2).as_dict()["fee_lines"] == [{"name": "Resort", "amount": "90.00"}]


def test_nightly_shares_add_up_to_the_total_so_a_first_night_penalty_is_to_the_cent(hotel_bar, king):
    hotel, bar = hotel_bar
    # New York's 8.875% on 607.00 is 53.87; with 45.00 of fees the three rounded night shares come to 705.86,
    # a cent short of the 705.87 total: the first night carries the cent.
    tax(hotel, value="8.875", base=Tax.Base.GROSS)
    fee(hotel, amount="15")
    q = price(bar, king)
    assert str(q.total) == "705.87"
    assert [str(t) for t in q.nightly_totals] == ["219.79", "254.67", "231.41"]
    assert sum(q.nightly_totals) == q.total
    checkin = check_in_instant(q.check_in, hotel.check_in_time, hotel.timezone)
    first_night = {"tiers": [{"hours_before": 24, "penalty_percent": None, "penalty_nights": 1}]}
    all_nights = {"tiers": [{"hours_before": 24, "penalty_percent": None, "penalty_nights": 3}]}
    at = checkin - timedelta(hours=2)
    one = compute_penalty(snapshot=first_night, checkin_at=checkin, at=at, total=q.total,
                          nightly_totals=q.nightly_totals, paid=q.total, currency="USD")
    three = compute_penalty(snapshot=all_nights, checkin_at=checkin, at=at, total=q.total,
                            nightly_totals=q.nightly_totals, paid=q.total, currency="USD")
    assert (str(one.penalty), str(one.refund)) == ("219.79", "486.08")
    assert (str(three.penalty), str(three.refund)) == ("705.87", "0.00")


TIERED = {"tiers": [{"hours_before": 24, "penalty_percent": "100", "penalty_nights": None},
                    {"hours_before": 72, "penalty_percent": "25", "penalty_nights": None}],
          "no_show_penalty_percent": "100", "no_show_penalty_nights": None}


def test_free_until_is_before_the_widest_paying_window():
    checkin = check_in_instant(FRI, time(15), "America/New_York")
    deadline = free_until(TIERED, checkin)
    assert checkin - deadline == timedelta(hours=72)
    # An hour after the deadline it is no longer free: 25% of 664.14.
    later = compute_penalty(snapshot=TIERED, checkin_at=checkin, at=deadline + timedelta(hours=1),
                            total=Decimal("664.14"), nightly_totals=[], paid=Decimal("664.14"), currency="USD")
    assert (str(later.penalty), str(later.refund), later.tier_applied) == ("166.04", "498.10", "Within 72 hours")
    at_deadline = compute_penalty(snapshot=TIERED, checkin_at=checkin, at=deadline, total=Decimal("664.14"),
                                  nightly_totals=[], paid=Decimal("664.14"), currency="USD")
    assert (str(at_deadline.penalty), str(at_deadline.refund)) == ("0.00", "664.14")


def test_the_refund_never_goes_below_zero_when_less_was_paid_than_the_penalty():
    checkin = check_in_instant(FRI, time(15), "America/New_York")
    q = compute_penalty(snapshot=TIERED, checkin_at=checkin, at=checkin - timedelta(hours=1),
                        total=Decimal("664.14"), nightly_totals=[], paid=Decimal("0"), currency="USD")
    assert (str(q.penalty), str(q.refund)) == ("664.14", "0.00")
    partly = compute_penalty(snapshot=TIERED, checkin_at=checkin, at=checkin - timedelta(hours=1),
                             total=Decimal("664.14"), nightly_totals=[], paid=Decimal("100"), currency="USD")
    assert str(partly.refund) == "0.00"
