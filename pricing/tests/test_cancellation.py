"""Free cancellation deadlines and penalties, in the hotel's time zone, across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from pricing.cancellation import check_in_instant, compute_penalty, free_until, no_show_penalty

NY = ZoneInfo("America/New_York")
FLEXIBLE = {"name": "Flexible 24-Hour", "description": "Free cancellation until 24 hours before check-in",
            "tiers": [{"hours_before": 24, "penalty_percent": "100", "penalty_nights": None}],
            "no_show_penalty_percent": "100", "no_show_penalty_nights": None}
TWO_DAYS = {**FLEXIBLE, "tiers": [{"hours_before": 48, "penalty_percent": "100", "penalty_nights": None}]}


def deadline(snapshot, arrival: date) -> str:
    return free_until(snapshot, check_in_instant(arrival, time(15), "America/New_York")).isoformat()


@pytest.mark.parametrize("arrival, expected", [
    # 2025: clocks go forward on Sunday March 9 at 2:00 and back on Sunday November 2 at 2:00.
    (date(2025, 3, 7), "2025-03-06T15:00:00-05:00"),   # no change nearby
    (date(2025, 3, 9), "2025-03-08T14:00:00-05:00"),   # 24 real hours before 15:00 EDT is 14:00 EST
    (date(2025, 3, 10), "2025-03-09T15:00:00-04:00"),  # the day after: the window starts after the switch
    (date(2025, 11, 2), "2025-11-01T16:00:00-04:00"),  # 24 real hours before 15:00 EST is 16:00 EDT
    (date(2025, 11, 3), "2025-11-02T15:00:00-05:00"),
])
def test_free_until_is_24_real_hours_before_check_in(arrival, expected):
    assert deadline(FLEXIBLE, arrival) == expected
    checkin = check_in_instant(arrival, time(15), "America/New_York")
    assert checkin - datetime.fromisoformat(expected) == timedelta(hours=24)


@pytest.mark.parametrize("arrival, expected", [
    (date(2025, 3, 10), "2025-03-08T14:00:00-05:00"),   # a 48-hour window spans the March switch
    (date(2025, 11, 3), "2025-11-01T16:00:00-04:00"),   # and the November one
])
def test_wider_windows_spanning_the_switch_the_day_after(arrival, expected):
    assert deadline(TWO_DAYS, arrival) == expected


def test_check_in_is_the_hotels_local_time_with_its_offset():
    assert check_in_instant(date(2025, 3, 10), time(15), "America/New_York").astimezone(UTC).hour == 19
    assert check_in_instant(date(2025, 3, 7), time(15), "America/New_York").astimezone(UTC).hour == 20


def test_a_policy_without_paying_tiers_is_free_until_check_in():
    snapshot = {**FLEXIBLE, "tiers": [{"hours_before": 24, "penalty_percent": "0", "penalty_nights": None}]}
    assert deadline(snapshot, date(2025, 3, 7)) == "2025-03-07T15:00:00-05:00"


def test_penalty_counts_real_hours_across_the_switch():
    checkin = check_in_instant(date(2025, 3, 9), time(15), "America/New_York")
    # 14:30 EST the day before is 23.5 real hours before 15:00 EDT, though the wall clocks say 24.5.
    at = datetime(2025, 3, 8, 14, 30, tzinfo=NY)
    quote = compute_penalty(snapshot=FLEXIBLE, checkin_at=checkin, at=at, total=Decimal("664.14"),
                            nightly_totals=[], paid=Decimal("664.14"), currency="USD")
    assert quote.hours_until_check_in == Decimal("23.50")
    assert (quote.penalty, quote.refund) == (Decimal("664.14"), Decimal("0.00"))
    assert quote.tier_applied == "Within 24 hours"
    earlier = compute_penalty(snapshot=FLEXIBLE, checkin_at=checkin, at=datetime(2025, 3, 8, 13, 59, tzinfo=NY),
                              total=Decimal("664.14"), nightly_totals=[], paid=Decimal("664.14"), currency="USD")
    assert (earlier.penalty, earlier.refund) == (Decimal("0.00"), Decimal("664.14"))


def test_first_nights_penalty_and_no_show():
    snapshot = {**FLEXIBLE, "tiers": [{"hours_before": 72, "penalty_percent": None, "penalty_nights": 1}],
                "no_show_penalty_nights": 2}
    checkin = check_in_instant(date(2025, 3, 7), time(15), "America/New_York")
    nightly = [Decimal("227.79"), Decimal("233.33"), Decimal("203.02")]
    quote = compute_penalty(snapshot=snapshot, checkin_at=checkin, at=checkin - timedelta(hours=10),
                            total=Decimal("664.14"), nightly_totals=nightly, paid=Decimal("664.14"), currency="USD")
    assert (quote.penalty, quote.refund, quote.penalty_description) == (Decimal("227.79"), Decimal("436.35"),
                                                                        "First 1 night")
    assert no_show_penalty(snapshot=snapshot, total=Decimal("664.14"), nightly_totals=nightly,
                           currency="USD") == Decimal("461.12")
