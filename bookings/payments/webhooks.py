"""Stripe's webhook: verify the signature, store each event once by its id, hand it to the handler for its type.

Stripe delivers at least once and in no particular order. An event is stored and handled in one short
transaction (no network call inside), so a failure in the handler stores nothing and Stripe's redelivery
handles it again; a duplicate finds the stored event and is not handled twice. Handlers write the provider's
word on a recorded Payment (`gateway_status`) only when the event is newer than the one that wrote it last.
Settling UNKNOWN payments and acting on refunds and disputes belongs to the booking flow, which reads these.
"""

from collections.abc import Callable
from datetime import UTC, datetime

import stripe
from django.conf import settings
from django.db import transaction

from hotelbooking.errors import WebhookNotConfigured, WebhookRejected

from ..models import GatewayEvent, Payment
from .stripe_gateway import from_stripe_amount

Handler = Callable[[GatewayEvent, dict], str]
HANDLERS: dict[str, Handler] = {}

# When two events carry the same `created` second, the one further along a payment's life wins.
_PRECEDENCE = {
    Payment.GatewayStatus.FAILED: 1,
    Payment.GatewayStatus.AUTHORISED: 2,
    Payment.GatewayStatus.CANCELED: 3,
    Payment.GatewayStatus.SUCCEEDED: 4,
    Payment.GatewayStatus.PARTIALLY_REFUNDED: 5,
    Payment.GatewayStatus.REFUNDED: 6,
    Payment.GatewayStatus.DISPUTED: 7,
}


def handles(*event_types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for event_type in event_types:
            HANDLERS[event_type] = handler
        return handler
    return register


def receive_stripe_event(*, payload: bytes, signature: str) -> tuple[GatewayEvent, bool]:
    """Verify and record one delivery. Returns the event and whether it was new (False: a duplicate)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise WebhookNotConfigured()
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except stripe.SignatureVerificationError as exc:
        raise WebhookRejected() from exc
    except ValueError as exc:  # signed, but not JSON
        raise WebhookRejected("The webhook body is not a Stripe event.") from exc
    return record_event(gateway="stripe", data=event.to_dict())


@transaction.atomic
def record_event(*, gateway: str, data: dict) -> tuple[GatewayEvent, bool]:
    obj = (data.get("data") or {}).get("object") or {}
    event_type = data.get("type", "")
    minor = obj.get("amount_refunded") if event_type == "charge.refunded" else obj.get("amount")
    currency = (obj.get("currency") or "").upper()
    event, created = GatewayEvent.objects.get_or_create(
        gateway=gateway, event_id=data["id"],
        defaults={
            "event_type": event_type,
            "object_id": obj.get("id", ""),
            "amount": from_stripe_amount(minor, currency) if minor is not None and currency else None,
            "currency": currency,
            "created": datetime.fromtimestamp(int(data.get("created", 0)), tz=UTC),
            "livemode": bool(data.get("livemode")),
            "payload": data,
        },
    )
    if not created:
        return event, False
    event.outcome = HANDLERS.get(event_type, _not_handled)(event, obj)[:300]
    event.save(update_fields=["outcome"])
    return event, True


def _not_handled(event: GatewayEvent, obj: dict) -> str:
    return "stored; no handler for this type"


def _mark(event: GatewayEvent, references: list[str | None], status: str) -> str:
    """Write `status` on the recorded charges these references name, unless a newer event already spoke."""
    wanted = [ref for ref in references if ref]
    payments = list(Payment.objects.select_for_update().order_by("pk").filter(
        gateway=event.gateway, kind=Payment.Kind.CHARGE, gateway_reference__in=wanted))
    if not payments:
        return f"no recorded payment for {', '.join(wanted) or 'this object'}"
    done = []
    for payment in payments:
        if payment.gateway_status_at is not None and (
                event.created < payment.gateway_status_at
                or (event.created == payment.gateway_status_at
                    and _PRECEDENCE[status] <= _PRECEDENCE.get(payment.gateway_status, 0))):
            done.append(f"payment {payment.pk} kept {payment.gateway_status} (newer)")
            continue
        payment.gateway_status, payment.gateway_status_at = status, event.created
        payment.save(update_fields=["gateway_status", "gateway_status_at"])
        done.append(f"payment {payment.pk} {status}")
    return "; ".join(done)


@handles("payment_intent.succeeded")
def _intent_succeeded(event, intent):
    return _mark(event, [intent.get("id")], Payment.GatewayStatus.SUCCEEDED)


@handles("payment_intent.payment_failed")
def _intent_failed(event, intent):
    return _mark(event, [intent.get("id")], Payment.GatewayStatus.FAILED)


@handles("payment_intent.amount_capturable_updated")
def _intent_authorised(event, intent):
    return _mark(event, [intent.get("id")], Payment.GatewayStatus.AUTHORISED)


@handles("payment_intent.canceled")
def _intent_canceled(event, intent):
    return _mark(event, [intent.get("id")], Payment.GatewayStatus.CANCELED)


@handles("charge.refunded")
def _charge_refunded(event, charge):
    status = Payment.GatewayStatus.REFUNDED if charge.get("refunded") else Payment.GatewayStatus.PARTIALLY_REFUNDED
    return _mark(event, [charge.get("payment_intent"), charge.get("id")], status)


@handles("charge.dispute.created")
def _dispute_created(event, dispute):
    return _mark(event, [dispute.get("payment_intent"), dispute.get("charge")], Payment.GatewayStatus.DISPUTED)
