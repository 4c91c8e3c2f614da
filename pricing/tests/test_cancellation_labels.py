"""The words a guest reads beside a penalty: which window applies and what it costs."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest

from pricing.cancellation import applicable_tier, check_in_instant, compute_penalty, penalty_label, tier_label

CHECK_IN = check_in_instant(date(2031, 1, 10), time(15), "America/New_York")
TIERS = {"tiers": [{"hours_before": 72, "penalty_percent": "25", "penalty_nights": None},
                   {"hours_before": 24, "penalty_percent": None, "penalty_nights": 2}]}


@pytest.mark.parametrize("tier, window, penalty", [
    (None, "Free cancellation", "No penalty"),
    ({"hours_before": 24, "penalty_percent": "100", "penalty_nights": None}, "Within 24 hours", "100% of booking"),
    ({"hours_before": 48, "penalty_percent": "12.50", "penalty_nights": None}, "Within 48 hours", "12.5% of booking"),
    ({"hours_before": 72, "penalty_percent": None, "penalty_nights": 1}, "Within 72 hours", "First 1 night"),
    ({"hours_before": 72, "penalty_percent": None, "penalty_nights": 2}, "Within 72 hours", "First 2 nights"),
])
def test_tier_and_penalty_labels(tier, window, penalty):
    assert (tier_label(tier), penalty_label(tier)) == (window, penalty)


@pytest.mark.parametrize("hours_before, narrowest", [(100, None), (72, None), (71, 72), (24, 72), (23, 24), (1, 24)])
def test_the_narrowest_window_containing_the_moment(hours_before, narrowest):
    tier = applicable_tier(TIERS, CHECK_IN, CHECK_IN - timedelta(hours=hours_before))
    assert (tier or {}).get("hours_before") == narrowest


def test_a_penalty_quote_names_its_window_and_cost():
    q = compute_penalty(snapshot=TIERS, checkin_at=CHECK_IN, at=CHECK_IN - timedelta(hours=30),
                        total=Decimal("664.14"), nightly_totals=[Decimal("207.78")] * 3 + [Decimal("40.80")],
                        paid=Decimal("664.14"), currency="USD")
    assert (q.tier_applied, q.penalty_description, str(q.penalty), str(q.refund)) == (
        "Within 72 hours", "25% of booking", "166.04", "498.10")
    assert (q.hours_until_check_in, q.check_in_at) == (Decimal("30.00"), CHECK_IN)


@pytest.mark.parametrize("snapshot, penalty", [
    ({"no_show_penalty_percent": "50", "no_show_penalty_nights": None}, "332.07"),
    ({"no_show_penalty_percent": "0", "no_show_penalty_nights": None}, "0.00"),  # a policy may waive it
    ({}, "664.14"),  # a policy that says nothing keeps the whole stay
    ({"no_show_penalty_percent": "50", "no_show_penalty_nights": 1}, "207.78"),  # nights win over percent
    ({"no_show_penalty_nights": 9}, "664.14"),  # never more than the stay
])
def test_the_no_show_penalty(snapshot, penalty):
    from pricing.cancellation import no_show_penalty

    nightly = [Decimal("207.78"), Decimal("238.38"), Decimal("217.98")]
    assert str(no_show_penalty(snapshot=snapshot, total=Decimal("664.14"), nightly_totals=nightly,
                               currency="USD")) == penalty


def test_a_reservation_without_a_policy_cancels_free_until_check_in():
    from pricing.cancellation import free_until

    q = compute_penalty(snapshot={}, checkin_at=CHECK_IN, at=CHECK_IN - timedelta(hours=1), total=Decimal("664.14"),
                        nightly_totals=[], paid=Decimal("664.14"), currency="USD")
    assert (str(q.penalty), str(q.refund), q.tier_applied) == ("0.00", "664.14", "Free cancellation")
    assert free_until({}, CHECK_IN) == CHECK_IN
