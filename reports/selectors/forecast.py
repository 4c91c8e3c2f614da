"""Looking forward: what is on the books, what was picked up since a date, and pace against last year."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from bookings.models import Status
from hotelbooking.errors import InvalidDates
from inventory.models import Hotel
from pricing.search import hotel_today

from .stays import (
    ON_THE_BOOKS,
    Figures,
    Window,
    by_currency,
    hotel_days,
    local_date,
    local_midnight,
    reservations_in,
    same_day_a_year_before,
    spreading_load,
    stay_nights,
    summed,
)

OTB_DAYS = 365


def _month(day: date) -> date:
    return day.replace(day=1)


# --- on the books --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OnTheBooks:
    """One currency's hotels, from each hotel's today for OTB_DAYS nights, by month of stay."""

    currency: str
    hotels: list[Hotel]
    start: date
    months: list[tuple[date, Figures]]
    total: Figures


def on_the_books(*, hotels, days: int = OTB_DAYS) -> list[OnTheBooks]:
    """The next `days` nights of each hotel (from its own today), by month: eight queries."""
    hotels = list(hotels)
    if not hotels:
        return []
    today = {h.pk: hotel_today(h) for h in hotels}
    window = Window(min(today.values()), max(today.values()) + timedelta(days=days))
    figures = hotel_days(hotels, window, spreading_load(hotels))
    out = []
    for currency, group in by_currency(hotels).items():
        months = defaultdict(lambda c=currency: Figures(c))
        for h in group:
            for i in range(days):
                day = today[h.pk] + timedelta(days=i)
                months[_month(day)].add(figures[(h.pk, day)])
        rows = sorted(months.items())
        out.append(OnTheBooks(currency=currency, hotels=group, start=min(today[h.pk] for h in group), months=rows,
                              total=summed((f for _, f in rows), currency)))
    return out


# --- pickup --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PickupDay:
    day: date
    booked: Figures     # bookings made that day (hotel time) that are still on the books
    cancelled: Figures  # bookings made before `since`, cancelled that day

    @property
    def net_rooms(self) -> int:
        return self.booked.sold - self.cancelled.sold

    @property
    def net_revenue(self):
        return self.booked.room_revenue - self.cancelled.room_revenue


@dataclass(frozen=True)
class Pickup:
    """What the window's nights gained since `since`: room nights and revenue booked since then (by
    created_at), less what bookings made before then lost by being cancelled since."""

    currency: str
    window: Window
    since: date
    days: list[PickupDay]
    booked: Figures
    cancelled: Figures

    @property
    def net_rooms(self) -> int:
        return self.booked.sold - self.cancelled.sold

    @property
    def net_revenue(self):
        return self.booked.room_revenue - self.cancelled.room_revenue

    def curve(self) -> list[tuple[date, int]]:
        """Room nights picked up, cumulated day by day (net of cancellations)."""
        running, out = 0, []
        for d in self.days:
            running += d.net_rooms
            out.append((d.day, running))
        return out


def _per_hotel(hotels: list[Hotel], since: date, *lookups: str) -> Q:
    """Each lookup compared with the start of `since` in each hotel's own time."""
    q = Q(pk__in=[])
    for h in hotels:
        q |= Q(hotel=h.pk, **{lookup: local_midnight(h, since) for lookup in lookups})
    return q


def pickup_report(*, hotels, window: Window, since: date) -> list[Pickup]:
    """Pickup for the window's nights since the start of `since` (each hotel's time): seven queries.

    Nights count as booked (an early departure since does not undo the booking it was)."""
    hotels = list(hotels)
    if not hotels:
        return []
    last = max(hotel_today(h) for h in hotels)
    if since > last:
        raise InvalidDates("The pickup date cannot be in the future.", field="since")
    if (last - since).days > 3 * 366:
        raise InvalidDates("Pickup is counted over at most three years.", field="since")
    spreading = spreading_load(hotels)
    booked = stay_nights(reservations_in(hotels, window).filter(_per_hotel(hotels, since, "created_at__gte")),
                         window, spreading, as_booked=True)
    lost = reservations_in(hotels, window, statuses=[Status.CANCELLED]).filter(confirmed_at__isnull=False).filter(
        _per_hotel(hotels, since, "cancelled_at__gte", "created_at__lt"))
    cancelled = stay_nights(lost, window, spreading, as_booked=True)
    out = []
    for currency, group in by_currency(hotels).items():
        ids = {h.pk for h in group}
        days = {since + timedelta(days=i): PickupDay(since + timedelta(days=i), Figures(currency), Figures(currency))
                for i in range((last - since).days + 1)}
        for night in booked:
            r = night.reservation
            if r.hotel_id in ids:
                days[max(since, min(last, local_date(r.hotel, r.created_at)))].booked.add_night(night)
        for night in cancelled:
            r = night.reservation
            if r.hotel_id in ids:
                days[max(since, min(last, local_date(r.hotel, r.cancelled_at)))].cancelled.add_night(night)
        rows = [days[d] for d in sorted(days)]
        out.append(Pickup(currency=currency, window=window, since=since, days=rows,
                          booked=summed((d.booked for d in rows), currency),
                          cancelled=summed((d.cancelled for d in rows), currency)))
    return out


# --- pace ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PaceRow:
    month: date               # the month of stay, this year
    this_year: Figures        # on the books now
    last_year: Figures        # on the books at the same moment a year ago, for the same nights a year earlier
    last_year_final: Figures  # what those nights ended as (the performance report of last year)

    @property
    def rooms_change(self) -> int:
        return self.this_year.sold - self.last_year.sold

    @property
    def revenue_change(self):
        return self.this_year.room_revenue - self.last_year.room_revenue


@dataclass(frozen=True)
class Pace:
    currency: str
    hotels: list[Hotel]
    window: Window
    last_window: Window
    as_of: datetime
    as_of_last_year: datetime
    rows: list[PaceRow]
    total: PaceRow


def a_year_before(moment: datetime) -> datetime:
    day = same_day_a_year_before(moment.date())
    return moment.replace(year=day.year, month=day.month, day=day.day)


def _on_the_books_at(hotels: list[Hotel], window: Window, spreading: dict, at: datetime):
    """The window's nights as they stood on the books at the instant `at`: two queries.

    A booking was on the books if it was confirmed by then and not cancelled by then; a no-show until its
    arrival day had ended. Nights are as booked now (a booking changed since counts with its new nights).
    """
    statuses = (*ON_THE_BOOKS, Status.NO_SHOW, Status.CANCELLED)
    qs = reservations_in(hotels, window, statuses=statuses).filter(confirmed_at__lte=at).filter(
        Q(cancelled_at__isnull=True) | Q(cancelled_at__gt=at))
    nights = stay_nights(qs, window, spreading, as_booked=True)
    return [n for n in nights if n.reservation.status != Status.NO_SHOW
            or at < local_midnight(n.reservation.hotel, n.reservation.check_in + timedelta(days=1))]


def pace_report(*, hotels, window: Window) -> list[Pace]:
    """The window on the books now against the same nights a year earlier, as they stood a year ago and as
    they ended: twelve queries."""
    hotels = list(hotels)
    if not hotels:
        return []
    now = timezone.now()
    then = a_year_before(now)
    last_window = window.year_before()
    spreading = spreading_load(hotels)
    this_year = _on_the_books_at(hotels, window, spreading, now)
    last_year = _on_the_books_at(hotels, last_window, spreading, then)
    final = hotel_days(hotels, last_window, spreading)

    def next_year_month(day: date) -> date:
        return _month(day).replace(year=day.year + 1)

    out = []
    for currency, group in by_currency(hotels).items():
        ids = {h.pk for h in group}
        rows = defaultdict(lambda c=currency: (Figures(c), Figures(c), Figures(c)))
        for d in window.dates():
            rows[_month(d)]  # every month of the window has a row, even an empty one
        for night in this_year:
            if night.reservation.hotel_id in ids:
                rows[_month(night.date)][0].add_night(night)
        for night in last_year:
            if night.reservation.hotel_id in ids:
                rows[next_year_month(night.date)][1].add_night(night)
        for (hotel_id, day), figures in final.items():
            if hotel_id in ids:
                rows[next_year_month(day)][2].add(figures)
        pace_rows = [PaceRow(m, *rows[m]) for m in sorted(rows)]
        total = PaceRow(window.start, *(summed((getattr(r, name) for r in pace_rows), currency)
                                        for name in ("this_year", "last_year", "last_year_final")))
        out.append(Pace(currency=currency, hotels=group, window=window, last_window=last_window, as_of=now,
                        as_of_last_year=then, rows=pace_rows, total=total))
    return out
