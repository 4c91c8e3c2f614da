"""Loyalty points for bookings, and the cancellation penalty on the folio."""

import logging

from django.db import transaction
from django.utils import timezone

from bookings.models import Reservation, Status

from ..models import (
    FolioLine,
    LoyaltyEntry,
)
from .check_out import loyalty_rule
from .common import _channel_bills, _post_line, _state_label

logger = logging.getLogger(__name__)

def loyalty_award_booking(*, reservation: Reservation, event_id=None) -> LoyaltyEntry | None:
    """The booking bonus, once per reservation, to the guest profile's own loyalty number (not the one typed
    with the booking, reservation.guest_loyalty_number, which anyone typing the guest's email could set)."""
    guest = reservation.guest
    if not guest.loyalty_number:
        return None
    rule = loyalty_rule(reservation.currency)
    if rule.booking_points <= 0:
        return None
    entry, _ = LoyaltyEntry.objects.get_or_create(
        reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING,
        defaults=dict(guest=guest, loyalty_number=guest.loyalty_number, points=rule.booking_points,
                      event_id=event_id, description=f"Booking {reservation.confirmation_number}"))
    return entry


def loyalty_withdraw_booking(*, reservation: Reservation, event_id=None) -> LoyaltyEntry | None:
    """A cancelled or no-show booking gives its booking bonus back, once."""
    bonus = LoyaltyEntry.objects.filter(reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING).first()
    if bonus is None:
        return None
    entry, _ = LoyaltyEntry.objects.get_or_create(
        reservation=reservation, kind=LoyaltyEntry.Kind.BOOKING_REVERSAL,
        defaults=dict(guest=bonus.guest, loyalty_number=bonus.loyalty_number, points=-bonus.points,
                      event_id=event_id,
                      description=f"Booking {reservation.confirmation_number} {_state_label(reservation)}"))
    return entry


def loyalty_balance(guest) -> int:
    from django.db.models import Sum

    return LoyaltyEntry.objects.filter(guest=guest).aggregate(total=Sum("points"))["total"] or 0


def cancellation_penalty_post(*, reservation: Reservation) -> FolioLine | None:
    """A cancelled reservation's penalty belongs on its folio (once), next to the payments and refund."""
    penalty = reservation.cancellation_penalty
    if reservation.status != Status.CANCELLED or not penalty or penalty <= 0:
        return None
    with transaction.atomic():
        Reservation.objects.select_for_update().filter(pk=reservation.pk).first()
        existing = FolioLine.objects.filter(reservation=reservation, posting_key="cancellation").first()
        if existing is not None:
            return existing
        when = timezone.localtime(reservation.cancelled_at or timezone.now(), reservation.hotel.tz).date()
        _channel_bills(reservation)  # the channel collects it from its guest, as for a no-show: its folio
        return _post_line(reservation, kind=FolioLine.Kind.PENALTY, amount=penalty, business_date=when,
                          description="Cancellation penalty", key="cancellation")
