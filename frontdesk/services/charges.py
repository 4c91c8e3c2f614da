"""Charges on the folio: posting and reversing."""

import logging
from decimal import Decimal, InvalidOperation

from django.db import transaction

from bookings.models import Status
from hotelbooking.errors import (
    ChargeNotFound,
    InvalidCurrency,
    InvalidState,
    ValidationFailed,
)
from hotelbooking.money import round_money
from pricing.search import hotel_today

from ..models import (
    FolioLine,
)
from .common import _post_line, _reservation_locked

logger = logging.getLogger(__name__)

def _parse_amount(value, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("The amount must be a number, e.g. 12.50.", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("The amount must be positive.", field="amount")
    if amount > Decimal("1000000"):
        raise ValidationFailed("The amount is too large for one charge.", field="amount")
    if round_money(amount, currency) != amount:
        raise ValidationFailed(f"The amount has more decimal places than {currency} allows.", field="amount")
    return amount


def charge_post(*, confirmation_number: str, kind: str, amount, currency: str, description: str = "",
                hotels=None, actor=None) -> FolioLine:
    """Post an incidental charge (minibar, spa, ...) to a checked-in guest's folio, in the hotel's currency."""
    kind = (kind or "").strip().upper()
    if kind not in FolioLine.INCIDENTALS:
        raise ValidationFailed(f"type must be one of {', '.join(FolioLine.INCIDENTALS)}.", field="type")
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState("Can only post charges for checked-in guests.", state=reservation.status)
        hotel_currency = reservation.hotel.currency
        if (currency or "").strip().upper() != hotel_currency:
            raise InvalidCurrency(f"Charges at {reservation.hotel.name} are in {hotel_currency}.",
                                  currency=str(currency)[:10], expected=hotel_currency)
        value = _parse_amount(amount, hotel_currency)
        text = (description or "").strip() or FolioLine.Kind(kind).label
        return _post_line(reservation, kind=kind, description=text, amount=value,
                          business_date=hotel_today(reservation.hotel), actor=actor)


def charge_reverse(*, confirmation_number: str, line_id: int, reason: str = "", hotels=None,
                   actor=None) -> FolioLine:
    """Correct a mistaken incidental charge with an opposite line. Nothing is ever deleted from a folio."""
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        line = FolioLine.objects.select_for_update().filter(reservation=reservation, pk=line_id).first()
        if line is None:
            raise ChargeNotFound(f"Reservation {reservation.confirmation_number} has no charge {line_id}.")
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState("Charges can only be corrected while the guest is checked in.",
                               state=reservation.status)
        if line.reverses_id is not None:
            raise InvalidState(f"Line {line.pk} is a reversal: it corrects charge {line.reverses_id}. A reversal "
                               "cannot be reversed; if the charge was right after all, post the charge again.",
                               reverses=line.reverses_id)
        if not line.is_incidental:
            raise InvalidState("Only incidental charges can be reversed; room nights, taxes and fees follow the "
                               "booking.")
        if FolioLine.objects.filter(reverses=line).exists():
            raise InvalidState(f"Charge {line.pk} has already been reversed.")
        note = (reason or "").strip()
        return _post_line(reservation, kind=FolioLine.Kind.CORRECTION, amount=-line.amount, reverses=line,
                          description=f"Reversal of {line.description}" + (f": {note}" if note else ""),
                          business_date=hotel_today(reservation.hotel), actor=actor)
