"""Payment ledger helpers that call the gateway directly (modifications, cancellations, the desk)."""

import logging
from decimal import Decimal

from django.db import transaction

from hotelbooking.errors import (
    PaymentFailed,
)
from hotelbooking.money import round_money

from ..models import (
    Payment,
    Reservation,
)
from ..payments import Card, PaymentGateway
from .reading import card_on_file

logger = logging.getLogger(__name__)

# --- payments --------------------------------------------------------------------------------------------

def payment_charge_card(*, gateway: PaymentGateway, reservation: Reservation, card: Card, amount: Decimal,
                        purpose: str, description: str | None = None) -> Payment:
    result = gateway.charge(card=card, amount=amount, currency=reservation.currency,
                            description=description or f"{reservation.hotel.name} {reservation.confirmation_number}",
                            idempotency_key=f"{reservation.confirmation_number}:{purpose}")
    if not result.success:
        raise PaymentFailed(result.message or None, decline_code=result.error_code)
    return Payment.objects.create(
        reservation=reservation, kind=Payment.Kind.CHARGE, amount=amount, currency=reservation.currency,
        gateway=gateway.name, gateway_reference=result.reference, card_token=result.token,
        card_brand=result.brand, last_four=result.last_four, purpose=purpose)


def payment_charge_on_file(*, gateway: PaymentGateway, reservation: Reservation, amount: Decimal,
                           purpose: str) -> Payment:
    """Charge the card on file; PAYMENT_FAILED if there is none or it is declined."""
    on_file = card_on_file(reservation)
    if on_file is None:
        raise PaymentFailed("There is no card on file for this reservation.", decline_code="no_card_on_file")
    result = gateway.charge_saved(token=on_file.card_token, amount=amount, currency=reservation.currency,
                                  description=f"{reservation.hotel.name} {reservation.confirmation_number}")
    if not result.success:
        raise PaymentFailed(result.message or None, decline_code=result.error_code)
    return Payment.objects.create(
        reservation=reservation, kind=Payment.Kind.CHARGE, amount=amount, currency=reservation.currency,
        gateway=gateway.name, gateway_reference=result.reference, card_token=on_file.card_token,
        card_brand=on_file.card_brand, last_four=on_file.last_four, purpose=purpose)


def payment_refund(*, gateway: PaymentGateway, reservation: Reservation, amount: Decimal,
                   purpose: str, made: list | None = None) -> list[Payment]:
    """Refund `amount` against the reservation's charges, newest first. Returns the refund rows.

    `made`, if given, receives each refund as the gateway makes it: should the caller's transaction roll back
    afterwards (a later part refused, a failed commit), payment_refunds_keep records them again.
    """
    remaining = round_money(amount, reservation.currency)
    refunds = []
    if remaining <= 0:
        return refunds
    charges = list(reservation.payments.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
                   .order_by("-created_at", "-id"))
    for charge in charges:
        if remaining <= 0:
            break
        already = sum((r.amount for r in charge.refunds.filter(result=Payment.Result.SUCCEEDED)), Decimal(0))
        refundable = charge.amount - already
        if refundable <= 0:
            continue
        part = min(refundable, remaining)
        result = gateway.refund(reference=charge.gateway_reference, amount=part, currency=reservation.currency)
        if not result.success:
            done = round_money(sum((r.amount for r in refunds), Decimal(0)), reservation.currency)
            message = result.message or "The refund could not be processed."
            if done > 0:
                message = f"{message} {done} {reservation.currency} of it was refunded to the card."
            exc = PaymentFailed(message, decline_code=result.error_code, retry_action="CONTACT_HOTEL",
                                **({"refunded": str(done)} if done > 0 else {}))
            exc.refunds_made = refunds  # for payment_refunds_keep(exc), after the caller's rollback
            raise exc
        refunds.append(Payment.objects.create(
            reservation=reservation, kind=Payment.Kind.REFUND, amount=part, currency=reservation.currency,
            gateway=gateway.name, gateway_reference=result.reference, card_brand=charge.card_brand,
            last_four=charge.last_four, purpose=purpose, refund_of=charge))
        if made is not None:
            made.append(refunds[-1])
        remaining -= part
    return refunds


def payment_refunds_keep(made) -> None:
    """After a rollback, record again the refunds the gateway made: payment_refund's `made` list, or the
    PaymentFailed it raised when the gateway refused a later part (its `refunds_made`).

    Without them the books would show money the guest already has back as still paid, and a retry would
    refund it a second time. Inside a caller's own transaction the rows last as long as that transaction does.
    """
    if isinstance(made, BaseException):
        made = getattr(made, "refunds_made", None) or []
    if not made:
        return
    with transaction.atomic():
        for refund in made:
            refund.pk = None
            refund._state.adding = True
            refund.save()
