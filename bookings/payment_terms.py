"""A reservation's payment terms: what was charged at booking, what is left and when, as frozen at booking."""

from pricing.guarantee import PaymentTerms

from .models import Reservation
from .services import payment_summary


def reservation_payment_terms(reservation: Reservation) -> PaymentTerms | None:
    """The terms frozen on the reservation at booking (`payment_terms`).

    A booking made before plans had guarantee rules has none: it was prepaid, so its terms are the whole
    total at booking; unless nothing was ever charged through us (a channel collected the money), when there
    are no terms of ours to show (None).
    """
    frozen = getattr(reservation, "payment_terms", None) or {}
    if frozen:
        return PaymentTerms.from_dict(frozen)
    if payment_summary(reservation)["status"] == "NOT_COLLECTED":
        return None
    return PaymentTerms.prepay(total=reservation.grand_total, currency=reservation.currency)
