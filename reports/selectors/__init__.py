"""Report selectors: each reads what a report shows in a fixed number of queries, whatever the hotels, nights
and bookings (counted in reports/tests/test_queries.py). The rules of what counts are in stays.py."""

from .daily import NEXT_NIGHTS, DailyReport, daily_report
from .day_lists import DayLists, day_lists
from .forecast import OTB_DAYS, OnTheBooks, Pace, Pickup, on_the_books, pace_report, pickup_report
from .performance import Performance, performance_report
from .production import Cancellations, Production, cancellations_report, channel_label, production_report
from .stays import (
    CANCELLATION,
    KEPT_AFTER_CHANGE,
    NO_SHOW,
    ON_THE_BOOKS,
    UNUSED_NIGHTS,
    Figures,
    Window,
    by_currency,
    same_day_a_year_before,
)

__all__ = [
    "CANCELLATION", "KEPT_AFTER_CHANGE", "NEXT_NIGHTS", "NO_SHOW", "ON_THE_BOOKS", "OTB_DAYS", "UNUSED_NIGHTS",
    "Cancellations", "DailyReport", "DayLists", "Figures", "OnTheBooks", "Pace", "Performance", "Pickup",
    "Production", "Window", "by_currency", "cancellations_report", "channel_label", "daily_report", "day_lists",
    "on_the_books", "pace_report", "performance_report", "pickup_report", "production_report",
    "same_day_a_year_before",
]
