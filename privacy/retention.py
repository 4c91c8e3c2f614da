"""Retention: a past guest is anonymised once every stay of theirs is past its hotel's retention period
(PrivacySettings.retention_days after the departure, default 3 years; a hotel without settings uses the default).
A guest with stays at several hotels waits for the longest."""

import logging
from datetime import timedelta

from django.db.models import Q

from bookings.models import Guest, Reservation
from hotelbooking.errors import ErasureBlocked
from inventory.models import Hotel
from pricing.search import hotel_today

from .erasure import guest_erase
from .models import DEFAULT_RETENTION_DAYS, ErasureRecord, PrivacySettings

logger = logging.getLogger(__name__)


def retention_cutoffs() -> dict[int, object]:
    """Hotel id -> the last departure date whose guests may be erased today (hotel time)."""
    days = dict(PrivacySettings.objects.values_list("hotel_id", "retention_days"))
    return {hotel.pk: hotel_today(hotel) - timedelta(days=days.get(hotel.pk, DEFAULT_RETENTION_DAYS))
            for hotel in Hotel.objects.all()}


def guests_past_retention() -> list[int]:
    """Ids of the guests, not yet erased, none of whose reservations is within its hotel's retention period."""
    cutoffs = retention_cutoffs()
    kept = Q(pk__in=[])
    for hotel_id, cutoff in cutoffs.items():
        kept |= Q(hotel_id=hotel_id, check_out__gt=cutoff)
    recent = Reservation.objects.filter(kept).values("guest_id")
    erased = ErasureRecord.objects.values("guest_id")
    return list(Guest.objects.filter(reservations__isnull=False).exclude(pk__in=recent).exclude(pk__in=erased)
                .values_list("pk", flat=True).distinct().order_by("pk"))


def retention_run() -> list[int]:
    """Erase every guest past retention, each in its own transaction; the ids erased."""
    erased = []
    for guest_id in guests_past_retention():
        try:
            guest_erase(guest_id=guest_id, reason=ErasureRecord.Reason.RETENTION)
        except ErasureBlocked:  # a stay long past its departure still open (e.g. never checked out)
            logger.warning("Retention: guest %s has a stay still open; not erased", guest_id)
            continue
        erased.append(guest_id)
    return erased
