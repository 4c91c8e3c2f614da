"""Holds that ran out: PENDING reservations give their rooms back."""

import logging

from django.db import transaction
from django.utils import timezone

from inventory.services import inventory_release

from .. import events
from ..models import (
    Reservation,
    Status,
)
from .lifecycle import reservation_save, transition

logger = logging.getLogger(__name__)

# --- holds that ran out ----------------------------------------------------------------------------------

def reservations_expire_pending(*, now=None) -> int:
    """PENDING reservations whose hold has run out become EXPIRED and give their rooms back."""
    now = now or timezone.now()
    ids = list(Reservation.objects.filter(status=Status.PENDING, hold_expires_at__lt=now)
               .values_list("pk", flat=True))
    expired = 0
    for pk in ids:
        with transaction.atomic():
            reservation = Reservation.objects.select_for_update().filter(pk=pk, status=Status.PENDING).first()
            if reservation is None:
                continue
            transition(reservation, "expire")
            inventory_release(holder=reservation.holder)
            reservation_save(reservation)
            events.event_record(events.RESERVATION_EXPIRED, reservation=reservation)
            expired += 1
    return expired
