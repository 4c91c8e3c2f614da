"""The one-page daily manager report of a hotel business day (emailed after its night audit)."""

from dataclasses import dataclass
from datetime import date, timedelta

from inventory.models import Hotel

from .day_lists import DayLists, day_lists
from .production import Cancellations, cancellations_report
from .stays import Figures, Window, hotel_days, same_day_a_year_before, spreading_load, summed

NEXT_NIGHTS = 30


@dataclass(frozen=True)
class DailyReport:
    hotel: Hotel
    business_date: date
    day: Figures              # the audited night
    month_to_date: Figures    # from the 1st of its month to it
    last_year: Figures        # the same night a year earlier
    next_nights: Figures      # on the books for the NEXT_NIGHTS nights after it
    losses: Cancellations     # bookings due that day that were cancelled or did not come
    today: DayLists           # the day that has begun: arrivals, departures, in house


def daily_report(*, hotel: Hotel, business_date: date) -> DailyReport:
    """Twenty-two queries, whatever the hotel's size."""
    hotels = [hotel]
    spreading = spreading_load(hotels)
    month = hotel_days(hotels, Window(business_date.replace(day=1), business_date + timedelta(days=1)), spreading)
    last_year_day = same_day_a_year_before(business_date)
    last_year = hotel_days(hotels, Window(last_year_day, last_year_day + timedelta(days=1)), spreading)
    tomorrow = business_date + timedelta(days=1)
    ahead = hotel_days(hotels, Window(tomorrow, tomorrow + timedelta(days=NEXT_NIGHTS)), spreading)
    c = hotel.currency
    return DailyReport(
        hotel=hotel, business_date=business_date, day=month[(hotel.pk, business_date)],
        month_to_date=summed(month.values(), c), last_year=last_year[(hotel.pk, last_year_day)],
        next_nights=summed(ahead.values(), c),
        losses=cancellations_report(hotels=hotels, window=Window(business_date, tomorrow))[0],
        today=day_lists(hotels=hotels, day=tomorrow))
