"""Gap-free invoice numbers: per hotel, series and year, e.g. NYC-2026-000123 (credit notes: NYC-CN-2026-000004).

The number is taken inside the issuing transaction from the series' counter row, locked with select_for_update
and held until commit: two issues wait for each other, a rolled-back issue gives its number back, so numbers are
never reused and never skipped. The counter lock is the last lock an issue takes (after the reservation and the
folio), so it is held for the shortest time.
"""

from django.db import IntegrityError, transaction

from inventory.models import Hotel

from .models import InvoiceCounter, InvoiceSettings

CREDIT_NOTE_SUFFIX = "CN"


def series_for(hotel: Hotel, *, credit_note: bool = False) -> str:
    """The hotel's invoice series (its settings' prefix, else its code); credit notes have their own."""
    settings = InvoiceSettings.objects.filter(hotel=hotel).first()
    prefix = (settings.series_prefix if settings else "").strip() or hotel.code
    return f"{prefix}-{CREDIT_NOTE_SUFFIX}" if credit_note else prefix


def format_number(series: str, year: int, sequence: int) -> str:
    return f"{series}-{year}-{sequence:06d}"


def number_take(*, hotel: Hotel, series: str, year: int) -> tuple[int, str]:
    """The next (sequence, number) of the series. Call inside the issuing transaction."""
    counter = _counter_locked(hotel, series, year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number, format_number(series, year, counter.last_number)


def _counter_locked(hotel: Hotel, series: str, year: int) -> InvoiceCounter:
    lookup = {"hotel": hotel, "series": series, "year": year}
    counter = InvoiceCounter.objects.select_for_update().filter(**lookup).first()
    if counter is not None:
        return counter
    try:  # the series' first number this year: make the row (another issue may be making it right now)
        with transaction.atomic():
            InvoiceCounter.objects.create(**lookup)
    except IntegrityError:
        pass
    return InvoiceCounter.objects.select_for_update().get(**lookup)
