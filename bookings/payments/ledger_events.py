"""PaymentSucceeded / PaymentRefunded: recorded for every succeeded Payment row, in the transaction that writes it.

Money is recorded in several places (the payment attempts' ledger, the provider's webhook, the desk); each
creates a Payment row, and this one receiver turns a new succeeded row into an outbox event, so no place can
forget it. No code path creates payments with bulk_create (which sends no signal).
"""

from hotelbooking.money import round_money

from .. import events
from ..models import Status
from .models import Payment

# A booking not confirmed yet (its payment comes first) has only a temporary number, which is never shown.
_NEVER_CONFIRMED = (Status.PENDING, Status.EXPIRED)


def payment_saved(sender, instance: Payment, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw and instance.result == Payment.Result.SUCCEEDED:
        payment_event_record(instance)


def payment_event_record(payment: Payment):
    reservation = payment.reservation
    name = events.PAYMENT_REFUNDED if payment.kind == Payment.Kind.REFUND else events.PAYMENT_SUCCEEDED
    number = None if reservation.status in _NEVER_CONFIRMED else reservation.confirmation_number
    return events.event_record(name, reservation=reservation, payload={
        "payment_id": payment.pk, "kind": payment.kind, "currency": payment.currency,
        "amount": str(round_money(payment.amount, payment.currency)), "purpose": payment.purpose,
        "refund_of": payment.refund_of_id, "confirmation_number": number,
    })
