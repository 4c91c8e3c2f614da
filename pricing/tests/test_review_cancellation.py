"""Review findings on cancellation tiers: several tiers whose windows all contain the moment of cancelling."""

from datetime import time, timedelta
from decimal import Decimal

from pricing.cancellation import check_in_instant, compute_penalty

D = Decimal
CHECK_IN = check_in_instant(__import__("datetime").date(2025, 6, 13), time(15), "America/New_York")
# Three nights at 200.00 each (taxes and fees included): 600.00 in all.
NIGHTS = [D("200.00"), D("200.00"), D("200.00")]


def _penalty(tiers, hours_before):
    snapshot = {"name": "Odd", "tiers": tiers}
    return compute_penalty(snapshot=snapshot, checkin_at=CHECK_IN, at=CHECK_IN - timedelta(hours=hours_before),
                           total=D("600.00"), nightly_totals=NIGHTS, paid=D("600.00"), currency="USD")


def test_the_strictest_applicable_tier_wins_even_when_a_narrower_one_costs_less():
    # A policy entered with a narrower window that costs less: 12 hours out, both windows contain the moment.
    tiers = [{"hours_before": 72, "penalty_percent": "100", "penalty_nights": None},
             {"hours_before": 24, "penalty_percent": "50", "penalty_nights": None}]
    quote = _penalty(tiers, 12)
    assert (quote.penalty, quote.refund, quote.tier_applied) == (D("600.00"), D("0.00"), "Within 72 hours")


def test_nights_against_percent_tiers_compare_by_what_they_cost():
    tiers = [{"hours_before": 48, "penalty_percent": None, "penalty_nights": 2},
             {"hours_before": 24, "penalty_percent": "25", "penalty_nights": None}]
    quote = _penalty(tiers, 12)
    assert (quote.penalty, quote.refund, quote.penalty_description) == (D("400.00"), D("200.00"), "First 2 nights")


def test_escalating_tiers_still_pick_the_narrowest_window_that_contains_now():
    tiers = [{"hours_before": 72, "penalty_percent": "50", "penalty_nights": None},
             {"hours_before": 24, "penalty_percent": "100", "penalty_nights": None}]
    assert _penalty(tiers, 12).penalty == D("600.00")
    assert _penalty(tiers, 36).penalty == D("300.00")
    assert _penalty(tiers, 80).penalty == D("0.00")


def test_equal_cost_tiers_name_the_narrowest_window():
    tiers = [{"hours_before": 72, "penalty_percent": "100", "penalty_nights": None},
             {"hours_before": 24, "penalty_percent": "100", "penalty_nights": None}]
    assert _penalty(tiers, 12).tier_applied == "Within 24 hours"


def test_penalty_nights_beyond_the_stay_cost_at_most_the_total():
    tiers = [{"hours_before": 24, "penalty_percent": None, "penalty_nights": 5}]
    assert (_penalty(tiers, 12).penalty, _penalty(tiers, 12).refund) == (D("600.00"), D("0.00"))
