"""Which tiers end free cancellation: the deadline a guest is shown moves back only for a window that costs."""

from datetime import date, time

import pytest

from pricing.cancellation import check_in_instant, free_until

# Friday January 10, 2031, 15:00 in New York (EST, no DST change within a week of it).
CHECK_IN = check_in_instant(date(2031, 1, 10), time(15), "America/New_York")


def tier(hours_before, percent=None, nights=None):
    return {"hours_before": hours_before, "penalty_percent": percent, "penalty_nights": nights}


@pytest.mark.parametrize("tiers, deadline", [
    # A "first night" window costs money though it names no percentage: free only until 48 hours before.
    ([tier(48, nights=1)], "2031-01-08T15:00:00-05:00"),
    ([tier(24, percent="100"), tier(72, nights=2)], "2031-01-07T15:00:00-05:00"),
    # "0 nights" costs nothing: the deadline is the paying 24-hour window's.
    ([tier(72, nights=0), tier(24, percent="100")], "2031-01-09T15:00:00-05:00"),
    # Even 1% is a penalty: the 96-hour window ends free cancellation.
    ([tier(96, percent="1"), tier(24, percent="100")], "2031-01-06T15:00:00-05:00"),
    ([tier(96, percent="0.50")], "2031-01-06T15:00:00-05:00"),
    # 0% costs nothing: free until check-in itself.
    ([tier(48, percent="0")], "2031-01-10T15:00:00-05:00"),
])
def test_the_free_cancellation_deadline_is_set_by_the_widest_window_that_costs(tiers, deadline):
    assert free_until({"tiers": tiers}, CHECK_IN).isoformat() == deadline
