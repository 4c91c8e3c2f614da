"""Stripe's webhook: verify the signature, store each event once by its id, hand it to the handler for its type,
and once that is committed, settle our open payment attempts from it.

Stripe delivers at least once and in no particular order. An event is stored and handled in one short
transaction (no network call inside), so a failure in the handler stores nothing and Stripe's redelivery
handles it again; a duplicate finds the stored event and is not handled twice. The handlers:

- write the provider's word on a recorded Payment (`gateway_status`), only when the event is newer than the one
  that wrote it last;
- charge.refunded: a refund made at Stripe (its dashboard) that our ledger does not hold is added to it once: a
  REFUND row for the difference between the charge's `amount_refunded` (a running total, so an older event
  arriving late adds nothing) and what we recorded or are still recording (our own refunds in flight);
- charge.dispute.created: the reservation is flagged (Reservation.disputed_at, shown in the admin and the console,
  with a "disputed" filter) and staff are told in the log.

After the commit (transaction.on_commit), `event_settle` settles the open PaymentAttempts a payment_intent or
refund event is about (bookings/payments/attempts.py): found by the provider's id, or, when our call's answer
was lost before we learnt that id, by the idempotency key we sent (kept in the object's metadata; the event's
request carries it too). So a booking charge whose answer was lost is confirmed by its webhook, with its money
recorded once. Each event type settles only the operations it can speak for: an authorisation's
`amount_capturable_updated` never settles a capture, a `canceled` intent settles a release as done and anything
else as nothing moved. Settling runs no gateway call itself but finishers may (a compensating refund), so it runs
with no transaction open. It is idempotent (an attempt that settled is left alone), so a duplicate delivery
settles again: a process that died between the commit and the settling is made good by Stripe's redelivery, or
by the settle task (`attempts_settle_due`), whichever comes first. A settling that fails answers 500, and
Stripe delivers again.
"""

import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial

import stripe
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from hotelbooking.errors import WebhookNotConfigured, WebhookRejected
from hotelbooking.money import round_money

from ..models import GatewayEvent, Payment, PaymentAttempt, Reservation
from . import attempts
from .gateway import GatewayResult, PaymentStatus
from .stripe_gateway import _intent_result, _refund_result, from_stripe_amount

logger = logging.getLogger(__name__)

Handler = Callable[[GatewayEvent, dict], str]
HANDLERS: dict[str, Handler] = {}

Op = PaymentAttempt.Operation
_OPEN = [PaymentAttempt.State.RECORDED, PaymentAttempt.State.UNKNOWN, PaymentAttempt.State.REQUIRES_ACTION]

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

# The purpose of a refund someone made at the provider (its dashboard), not through us.
REFUND_AT_PROVIDER = "REFUND_AT_PROVIDER"


@dataclasses.dataclass(frozen=True)
class _Settles:
    """What an event type may settle: these operations, when the object it carries stands at one of `statuses`."""

    operations: frozenset
    statuses: frozenset
    read: Callable[[dict], GatewayResult]


_INTENT_DONE = frozenset({PaymentStatus.SUCCEEDED})
SETTLES: dict[str, _Settles] = {
    "payment_intent.succeeded": _Settles(frozenset({Op.CHARGE, Op.CHARGE_SAVED, Op.AUTHORISE, Op.CAPTURE}),
                                         _INTENT_DONE, _intent_result),
    "payment_intent.payment_failed": _Settles(frozenset({Op.CHARGE, Op.CHARGE_SAVED, Op.AUTHORISE}),
                                              frozenset({PaymentStatus.FAILED}), _intent_result),
    "payment_intent.amount_capturable_updated": _Settles(frozenset({Op.AUTHORISE}),
                                                         frozenset({PaymentStatus.REQUIRES_CAPTURE}), _intent_result),
    "payment_intent.canceled": _Settles(frozenset({Op.RELEASE, Op.CHARGE, Op.CHARGE_SAVED, Op.AUTHORISE, Op.CAPTURE}),
                                        frozenset({PaymentStatus.CANCELED}), _intent_result),
    # A refund whose answer was lost (refund.created / refund.updated / refund.failed; older API versions send
    # charge.refund.updated).
    "refund.created": _Settles(frozenset({Op.REFUND}), frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
                               _refund_result),
    "refund.updated": _Settles(frozenset({Op.REFUND}), frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}),
                               _refund_result),
    "refund.failed": _Settles(frozenset({Op.REFUND}), frozenset({PaymentStatus.FAILED}), _refund_result),
    "charge.refund.updated": _Settles(frozenset({Op.REFUND}),
                                      frozenset({PaymentStatus.SUCCEEDED, PaymentStatus.FAILED}), _refund_result),
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
    """Store the event once and run its handler, in one transaction; settle its attempts after the commit."""
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
    if event_type in SETTLES:
        # Also for a duplicate: settling is idempotent, and the first delivery may have died before it settled.
        transaction.on_commit(partial(event_settle, event.pk))
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


_INTENT_MARKS = {
    "payment_intent.succeeded": Payment.GatewayStatus.SUCCEEDED,
    "payment_intent.payment_failed": Payment.GatewayStatus.FAILED,
    "payment_intent.amount_capturable_updated": Payment.GatewayStatus.AUTHORISED,
    "payment_intent.canceled": Payment.GatewayStatus.CANCELED,
}


@handles(*_INTENT_MARKS)
def _intent_marked(event, intent):
    return _mark(event, [intent.get("id")], _INTENT_MARKS[event.event_type])


@handles("charge.refunded")
def _charge_refunded(event, charge):
    status = Payment.GatewayStatus.REFUNDED if charge.get("refunded") else Payment.GatewayStatus.PARTIALLY_REFUNDED
    marked = _mark(event, [charge.get("payment_intent"), charge.get("id")], status)
    return "; ".join(filter(None, [marked, _refund_made_at_provider(event, charge)]))


def _refund_made_at_provider(event: GatewayEvent, charge: dict) -> str:
    """Add to the ledger, once, what the provider refunded of this charge beyond what we recorded.

    `amount_refunded` is the charge's running total, so the difference never counts a refund twice, whichever
    order the events come in. Our own refunds still in flight (an open REFUND attempt on this charge) count as
    recorded: their answer records them. Locks: the charge's Payment row (two events of one charge at once), then
    those attempts, so an answer being written now is waited for and then seen.
    """
    references = [ref for ref in (charge.get("payment_intent"), charge.get("id")) if ref]
    currency = (charge.get("currency") or "").upper()
    minor = charge.get("amount_refunded")
    if not references or minor is None or not currency:
        return ""
    # A multi-room booking's one charge is a Payment row per room (its share): every row counts together.
    shares = list(Payment.objects.select_for_update(of=("self",))
                  .filter(gateway=event.gateway, kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED,
                          gateway_reference__in=references)
                  .select_related("reservation").order_by("pk"))
    if not shares:
        return ""
    paid = shares[0]
    if paid.currency.upper() != currency:
        logger.error("Stripe event %s: charge %s is in %s, our payment %s in %s; nothing recorded", event.event_id,
                     charge.get("id"), currency, paid.pk, paid.currency)
        return f"refund not recorded: {currency} is not the payment's {paid.currency}"
    in_flight = list(PaymentAttempt.objects.select_for_update().filter(operation=Op.REFUND, state__in=_OPEN)
                     .filter(Q(target__in=shares) | Q(target__isnull=True, target_reference__in=references)))
    pending = sum((a.amount if a.amount is not None else paid.amount for a in in_flight), Decimal(0))
    recorded = sum(Payment.objects.filter(kind=Payment.Kind.REFUND, result=Payment.Result.SUCCEEDED)
                   .filter(Q(refund_of__in=shares)
                           | Q(refund_of__isnull=True, attempt__target_reference__in=references))
                   .values_list("amount", flat=True), Decimal(0))
    missing = round_money(from_stripe_amount(minor, currency) - recorded - pending, paid.currency)
    if missing <= 0:
        return ""
    refunds = ((charge.get("refunds") or {}).get("data") or []) if isinstance(charge.get("refunds"), dict) else []
    reference = next((r.get("id") for r in refunds if r.get("id")), "") or event.event_id
    row = Payment.objects.create(
        reservation=paid.reservation, kind=Payment.Kind.REFUND, amount=missing, currency=paid.currency,
        gateway=event.gateway, gateway_reference=reference[:100], card_brand=paid.card_brand,
        last_four=paid.last_four, purpose=REFUND_AT_PROVIDER, refund_of=paid, created_at=event.created)
    logger.warning("Reservation %s: %s %s refunded at Stripe outside the system (charge %s); recorded as payment %s",
                   paid.reservation.confirmation_number, missing, paid.currency, charge.get("id"), row.pk)
    return f"refund of {missing} {paid.currency} made at the provider recorded (payment {row.pk})"


@handles("charge.dispute.created")
def _dispute_created(event, dispute):
    references = [dispute.get("payment_intent"), dispute.get("charge")]
    marked = _mark(event, references, Payment.GatewayStatus.DISPUTED)
    return "; ".join(filter(None, [marked, _flag_dispute(event, dispute, references)]))


def _flag_dispute(event: GatewayEvent, dispute: dict, references: list[str | None]) -> str:
    """Flag the reservations the disputed charge belongs to, and tell staff."""
    wanted = [ref for ref in references if ref]
    reservation_ids = set(Payment.objects.filter(gateway=event.gateway, kind=Payment.Kind.CHARGE,
                                                 gateway_reference__in=wanted).values_list("reservation_id", flat=True))
    if not reservation_ids:
        return ""
    reason = str(dispute.get("reason") or "unknown")[:100]
    Reservation.objects.filter(pk__in=reservation_ids, disputed_at__isnull=True).update(
        disputed_at=event.created, dispute_reason=reason)
    numbers = sorted(Reservation.objects.filter(pk__in=reservation_ids).values_list("confirmation_number", flat=True))
    amount = event.amount if event.amount is not None else "?"
    logger.warning("DISPUTE %s opened at Stripe on %s (%s %s, reason %s): answer it in the Stripe dashboard before "
                   "its deadline", dispute.get("id"), ", ".join(numbers), amount, event.currency, reason)
    return f"reservation {', '.join(numbers)} flagged as disputed ({reason})"


# --- after the commit: settling our attempts -------------------------------------------------------------------

def _our_keys(payload: dict, obj: dict) -> list[str]:
    """The idempotency keys the event names: the one we put in the object's metadata when we created it, and the
    one of the request that caused the event (a capture's own key)."""
    request = payload.get("request")
    keys = [(obj.get("metadata") or {}).get("idempotency_key"),
            request.get("idempotency_key") if isinstance(request, dict) else None]
    return sorted({key for key in keys if isinstance(key, str) and key})


def event_settle(event_pk: int) -> list[PaymentAttempt]:
    """Settle the open attempts the stored event is about. Idempotent; never inside a transaction."""
    event = GatewayEvent.objects.filter(pk=event_pk).first()
    rule = SETTLES.get(event.event_type) if event is not None else None
    if rule is None:
        return []
    obj = (event.payload.get("data") or {}).get("object") or {}
    reference = obj.get("id") or ""
    if not reference:
        return []
    result = rule.read(obj)
    if result.status not in rule.statuses:
        return []
    found = Q(reference=reference)
    keys = _our_keys(event.payload, obj)
    if keys:
        found |= Q(reference="", idempotency_key__in=keys)
    pks = list(PaymentAttempt.objects.filter(found, gateway=event.gateway, operation__in=rule.operations,
                                             state__in=_OPEN).order_by("pk").values_list("pk", flat=True))
    if not pks:
        return []
    result = dataclasses.replace(result, reference=reference)
    settled = [attempts.attempt_answer(pk, result) for pk in pks]
    notes = [f"attempt {a.pk} {a.state}" for a in settled]
    with transaction.atomic():
        if event.event_type in _INTENT_MARKS:  # the ledger row this settling wrote gets the provider's word too
            _mark(event, [reference], _INTENT_MARKS[event.event_type])
        stored = GatewayEvent.objects.select_for_update().get(pk=event.pk)
        stored.outcome = "; ".join(filter(None, [stored.outcome, *notes]))[:300]
        stored.save(update_fields=["outcome"])
    logger.info("Stripe event %s (%s) settled %s", event.event_id, event.event_type, ", ".join(notes))
    return settled
