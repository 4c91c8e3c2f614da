"""Performance by stay date: occupancy, ADR, RevPAR, room revenue and total revenue by tax and fee line."""

from dataclasses import dataclass
from datetime import date

from inventory.models import Hotel

from .stays import Figures, Window, by_currency, hotel_days, spreading_load, summed


@dataclass(frozen=True)
class Performance:
    """One currency's hotels over a window: by night, by hotel, and in total."""

    currency: str
    window: Window
    hotels: list[Hotel]
    days: list[tuple[date, Figures]]        # every night, the currency's hotels together
    by_hotel: list[tuple[Hotel, Figures]]
    total: Figures


def performance_report(*, hotels, window: Window) -> list[Performance]:
    """Per currency (never converted), the window's figures: eight queries whatever the hotels and nights
    (hotels, their taxes and fees, bookings, booked nights, inventory, cancellation and folio penalties)."""
    hotels = list(hotels)
    if not hotels:
        return []
    days = hotel_days(hotels, window, spreading_load(hotels))
    out = []
    for currency, group in by_currency(hotels).items():
        by_day = [(d, summed((days[(h.pk, d)] for h in group), currency)) for d in window.dates()]
        by_hotel = [(h, summed((days[(h.pk, d)] for d in window.dates()), currency)) for h in group]
        out.append(Performance(currency=currency, window=window, hotels=group, days=by_day, by_hotel=by_hotel,
                               total=summed((f for _, f in by_hotel), currency)))
    return out
