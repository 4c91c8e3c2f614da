"""Money moves as a short saga: record the attempt, call the gateway with no transaction open, record the answer.

1. `attempt_open` records a PaymentAttempt for one business step (a booking's charge, modification 3's
   refund, a check-out balance) in the caller's short transaction, with an idempotency key made once. The same
   step opened again finds the same attempt, so every retry of the step sends the same key and the provider
   moves the money at most once.
2. `attempt_send` makes the call. No database transaction may be open around it: the caller commits its
   locks first (architecture decision 8). An exception or a lost answer leaves the attempt UNKNOWN, never
   FAILED: money may have moved.
3. `attempt_answer` writes the answer in its own short transaction. A call that moved money gets its Payment
   ledger row in that same transaction, so recorded money always equals money moved.
4. Whatever is still open (RECORDED after a crash, UNKNOWN after a timeout, a refund the provider refused for
   now) is settled by `attempts_settle_due`, run every minute by the beat task `bookings.tasks.payments_settle`:
   it asks the provider about a known reference or sends the same call with the same key again. After
   MAX_TRIES it gives up and flags the attempt `needs_attention`; the admin lists those for a person.
   The provider's webhook settles attempts too (bookings/payments/webhooks.py, through attempt_answer), whichever
   comes first.
5. When an attempt settles, the finisher registered for its step's kind (the part before ":") continues the
   business step outside any transaction: a booking is confirmed or released, a charge whose booking is gone is
   refunded. Finishers are idempotent: a webhook and the settle task may both report one attempt.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import Payment, PaymentAttempt
from .gateway import Card, ErrorCode, GatewayResult, PaymentGateway, PaymentMethodRef, PaymentStatus

logger = logging.getLogger(__name__)

Op = PaymentAttempt.Operation
State = PaymentAttempt.State

MAX_TRIES = 12
# A RECORDED attempt this old was never answered (a crash between recording and the answer): settle it.
RECORDED_GRACE = timedelta(minutes=2)
# Answers that leave nothing moved but may succeed if the same call is sent again later.
_RETRY_LATER = {ErrorCode.RATE_LIMITED, ErrorCode.GATEWAY_ERROR, ErrorCode.NETWORK_ERROR, "lock_timeout",
                "processing_error"}
_MOVES_MONEY = {Op.CHARGE: Payment.Kind.CHARGE, Op.CHARGE_SAVED: Payment.Kind.CHARGE,
                Op.CAPTURE: Payment.Kind.CHARGE, Op.REFUND: Payment.Kind.REFUND}

Finisher = Callable[[PaymentAttempt], None]
FINISHERS: dict[str, Finisher] = {}


def finisher(kind: str) -> Callable[[Finisher], Finisher]:
    """Register what continues a business step of this kind once its attempt has settled."""
    def register(fn: Finisher) -> Finisher:
        FINISHERS[kind] = fn
        return fn
    return register


def step_kind(step: str) -> str:
    return step.split(":", 1)[0]


# --- recording ---------------------------------------------------------------------------------------------

def attempt_open(*, reservation, step: str, operation: str, gateway: PaymentGateway | str,
                 amount: Decimal | None = None, currency: str = "", payment_method: str = "",
                 target: Payment | None = None, target_reference: str = "",
                 save_for_later: bool = False, allocation: dict | None = None) -> PaymentAttempt:
    """The attempt for this step (reservation, step, operation), recorded now if it is new.

    Run it inside the transaction that decides the step, so the decision and the attempt commit together.
    """
    attempt, created = PaymentAttempt.objects.get_or_create(
        reservation=reservation, step=step, operation=operation,
        defaults=dict(idempotency_key=PaymentAttempt.new_key(),
                      gateway=gateway if isinstance(gateway, str) else gateway.name,
                      amount=amount, currency=currency or reservation.currency, payment_method=payment_method,
                      target=target, target_reference=target_reference or (target.gateway_reference if target
                                                                           else ""),
                      save_for_later=save_for_later,
                      allocation={str(pk): str(v) for pk, v in (allocation or {}).items()}))
    if not created and amount is not None and attempt.amount != amount:
        raise ValueError(f"Step {step} was recorded for {attempt.amount}, not {amount}.")
    return attempt


# --- sending -----------------------------------------------------------------------------------------------

def attempt_send(attempt: PaymentAttempt, gateway: PaymentGateway, *, card: Card | None = None) -> PaymentAttempt:
    """Send the attempt's call (unless it has settled) and record the answer. Never inside a transaction."""
    if not attempt.open:
        return attempt
    if attempt.state == State.REQUIRES_ACTION or (attempt.state == State.UNKNOWN and attempt.reference):
        return attempt_check(attempt, gateway)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(tries=F("tries") + 1)
    try:
        result = _call(attempt, gateway, card)
    except Exception as exc:  # the provider's client failed in a way it did not turn into an answer
        logger.exception("Payment attempt %s: the gateway call raised", attempt.pk)
        result = GatewayResult(False, status=PaymentStatus.UNKNOWN, error_code=ErrorCode.NETWORK_ERROR,
                               message=str(exc)[:300], retryable=True)
    return attempt_answer(attempt.pk, result)


def attempt_check(attempt: PaymentAttempt, gateway: PaymentGateway) -> PaymentAttempt:
    """Ask the provider where a known payment stands (a 3-D Secure step, a lost answer) and record it."""
    if not attempt.open:
        return attempt
    PaymentAttempt.objects.filter(pk=attempt.pk).update(tries=F("tries") + 1)
    try:
        result = gateway.payment_status(reference=attempt.reference)
    except Exception as exc:
        logger.exception("Payment attempt %s: the status query raised", attempt.pk)
        result = GatewayResult(False, status=PaymentStatus.UNKNOWN, error_code=ErrorCode.NETWORK_ERROR,
                               message=str(exc)[:300], retryable=True)
    if result.status == PaymentStatus.REQUIRES_CAPTURE and attempt.operation != Op.AUTHORISE:
        result = GatewayResult(False, reference=attempt.reference, status=PaymentStatus.UNKNOWN,
                               error_code="unexpected_state", message="The provider holds it uncaptured.")
    if not result.reference:
        result = _with_reference(result, attempt.reference)
    return attempt_answer(attempt.pk, result)


def _with_reference(result: GatewayResult, reference: str) -> GatewayResult:
    return GatewayResult(result.success, reference=reference, token=result.token, brand=result.brand,
                         last_four=result.last_four, error_code=result.error_code, message=result.message,
                         status=result.status, client_secret=result.client_secret, amount=result.amount,
                         retryable=result.retryable)


def _call(attempt: PaymentAttempt, gateway: PaymentGateway, card: Card | None) -> GatewayResult:
    key, amount, currency = attempt.idempotency_key, attempt.amount, attempt.currency
    method = PaymentMethodRef.from_token(attempt.payment_method) if attempt.payment_method else None
    description = f"{attempt.reservation.hotel.name} {attempt.reservation.confirmation_number}"
    if attempt.operation == Op.CHARGE:
        return gateway.charge(card=card, payment_method=method, amount=amount, currency=currency,
                              description=description, idempotency_key=key, save_for_later=attempt.save_for_later)
    if attempt.operation == Op.AUTHORISE:
        return gateway.authorise(card=card, payment_method=method, amount=amount, currency=currency,
                                 description=description, idempotency_key=key,
                                 save_for_later=attempt.save_for_later)
    if attempt.operation == Op.CHARGE_SAVED:
        return gateway.charge_saved(token=attempt.payment_method, amount=amount, currency=currency,
                                    description=description, idempotency_key=key)
    if attempt.operation == Op.REFUND:
        return gateway.refund(reference=attempt.target_reference, amount=amount, currency=currency,
                              idempotency_key=key)
    if attempt.operation == Op.CAPTURE:
        return gateway.capture(reference=attempt.target_reference, amount=amount, currency=currency,
                               idempotency_key=key)
    if attempt.operation == Op.RELEASE:
        return gateway.release(reference=attempt.target_reference, idempotency_key=key)
    if attempt.operation == Op.SAVE_CARD:
        guest = attempt.reservation.guest
        return gateway.save_card(card=card, payment_method=method, email=guest.email, name=guest.full_name,
                                 idempotency_key=key)
    raise ValueError(f"Unknown operation {attempt.operation}")


# --- recording the answer ------------------------------------------------------------------------------------

def _outcome(attempt: PaymentAttempt, result: GatewayResult) -> str:
    status = result.status
    if status == PaymentStatus.SUCCEEDED:
        return State.SUCCEEDED
    if status == PaymentStatus.REQUIRES_CAPTURE:
        return State.SUCCEEDED if attempt.operation == Op.AUTHORISE else State.UNKNOWN
    if status == PaymentStatus.CANCELED:
        # A release that cancelled the authorisation did what it was asked; anything else moved nothing.
        return State.SUCCEEDED if attempt.operation == Op.RELEASE else State.FAILED
    if status == PaymentStatus.REQUIRES_ACTION:
        return State.REQUIRES_ACTION
    if status in (PaymentStatus.UNKNOWN, PaymentStatus.PROCESSING):
        return State.UNKNOWN
    if result.retryable or result.error_code in _RETRY_LATER:
        return State.RECORDED  # nothing moved; send the same call again later
    return State.FAILED


def attempt_answer(pk: int, result: GatewayResult) -> PaymentAttempt:
    """Record the provider's answer on the attempt (and the ledger row when money moved), then finish the step."""
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().select_related("reservation").get(pk=pk)
        if not attempt.open:  # the webhook or another settler got there first
            return attempt
        state = _outcome(attempt, result)
        now = timezone.now()
        attempt.reference = result.reference or attempt.reference
        if result.token:
            attempt.token = result.token[:200]
        attempt.card_brand = result.brand or attempt.card_brand
        attempt.last_four = result.last_four or attempt.last_four
        attempt.client_secret = result.client_secret if state == State.REQUIRES_ACTION else ""
        attempt.error_code = "" if state == State.SUCCEEDED else (result.error_code or "")[:60]
        attempt.error_message = "" if state == State.SUCCEEDED else (result.message or "")[:300]
        attempt.state = state
        if state in (State.SUCCEEDED, State.FAILED):
            attempt.settled_at, attempt.next_try_at = now, None
            if state == State.SUCCEEDED and attempt.operation in _MOVES_MONEY:
                moved = result.amount if attempt.operation == Op.CAPTURE and result.amount is not None \
                    else attempt.amount
                attempt.payment = _ledger(attempt, moved)
            if state == State.FAILED and attempt.operation in (Op.REFUND, Op.RELEASE):
                attempt.needs_attention = True  # money is owed back and the provider refused: a person decides
        else:
            attempt.next_try_at = now + _backoff(attempt.tries)
            if attempt.tries >= MAX_TRIES and state != State.REQUIRES_ACTION:
                attempt.needs_attention = True
        attempt.save()
    if not attempt.open:
        attempt_finish(attempt)
    return attempt


def _backoff(tries: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, tries - 1)))


def _ledger(attempt: PaymentAttempt, amount: Decimal) -> Payment:
    kind = _MOVES_MONEY[attempt.operation]
    token = attempt.token or (attempt.payment_method if attempt.operation == Op.CHARGE_SAVED else "")
    brand, last_four = attempt.card_brand, attempt.last_four
    if attempt.target_id and not last_four:
        brand, last_four = attempt.target.card_brand, attempt.target.last_four
    if attempt.operation == Op.CHARGE_SAVED and not last_four:
        on_file = (Payment.objects.filter(reservation=attempt.reservation_id, card_token=attempt.payment_method)
                   .exclude(last_four="").order_by("-id").first())
        if on_file is not None:
            brand, last_four = on_file.card_brand, on_file.last_four
    row = dict(kind=kind, currency=attempt.currency, gateway=attempt.gateway, gateway_reference=attempt.reference,
               card_token=token if kind == Payment.Kind.CHARGE else "", card_brand=brand, last_four=last_four,
               purpose=step_kind(attempt.step), refund_of=attempt.target if kind == Payment.Kind.REFUND else None)
    shares = _shares(attempt, amount)
    if kind != Payment.Kind.CHARGE or not shares:
        return Payment.objects.create(reservation=attempt.reservation, amount=amount, **row)
    # One provider charge for several rooms: each room's ledger gets its share, so each folio stands alone.
    rows = {pk: Payment.objects.create(reservation_id=pk, amount=share, **row) for pk, share in shares.items()}
    return rows.get(attempt.reservation_id) or next(iter(rows.values()))


def _shares(attempt: PaymentAttempt, amount: Decimal) -> dict[int, Decimal]:
    """The attempt's allocation per reservation, when it adds up to what moved (else all of it is the lead's)."""
    if not attempt.allocation:
        return {}
    shares = {int(pk): Decimal(str(value)) for pk, value in attempt.allocation.items() if Decimal(str(value)) > 0}
    if sum(shares.values(), Decimal(0)) != amount:
        logger.error("Payment attempt %s: allocation %s does not add up to %s; booked on the lead", attempt.pk,
                     attempt.allocation, amount)
        return {}
    return shares


def attempt_finish(attempt: PaymentAttempt) -> None:
    """Continue the business step of a settled attempt (its finisher), outside any transaction."""
    fn = FINISHERS.get(step_kind(attempt.step))
    if fn is None:
        return
    try:
        fn(attempt)
    except Exception:  # the step stays as it is; the settle task runs the finisher again
        logger.exception("Finishing payment attempt %s (%s) failed", attempt.pk, attempt.step)
        PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=True)


# --- settling what is open -----------------------------------------------------------------------------------

def attempts_due(*, now=None):
    now = now or timezone.now()
    return (PaymentAttempt.objects
            .filter(Q(state__in=[State.UNKNOWN, State.REQUIRES_ACTION], next_try_at__lte=now)
                    | Q(state=State.RECORDED, next_try_at__lte=now)
                    | Q(state=State.RECORDED, next_try_at__isnull=True, created_at__lte=now - RECORDED_GRACE))
            .filter(needs_attention=False).order_by("created_at", "id"))


def attempts_settle_due(*, gateway: PaymentGateway, now=None, batch: int = 200) -> int:
    """Settle open attempts whose time has come: ask about a known payment, or send the same call again.

    Returns how many settled (succeeded or failed) in this run.
    """
    settled = 0
    for attempt in list(attempts_due(now=now).select_related("reservation__hotel", "reservation__guest")[:batch]):
        done = attempt_send(attempt, gateway)
        settled += 0 if done.open else 1
    return settled
