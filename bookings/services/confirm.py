"""Finishing a booking whose payment was not settled at once: the guest authenticated it (3-D Secure), or the
provider's answer was lost and is asked for again.

`booking_create` returns such a booking PENDING, holding its rooms. The guest's page (or the partner) comes back
with a signed token (`booking_payment_token`), and `booking_payment_confirm` asks the provider where the payment
stands; the BOOKING finisher (create.py) then confirms the booking or gives the rooms back.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from hotelbooking.errors import PaymentFailed, PaymentLinkExpired, ReservationNotFound

from ..models import PaymentAttempt, Reservation
from ..payments import PaymentGateway
from ..payments.attempts import attempt_check, attempt_send, attempts_due
from .settle import _booking_outcome, booking_payment_attempt

TOKEN_SALT = "bookings.payment-confirm"
NOT_COMPLETED = "The payment was not completed. Please try again, or use another card."

State = PaymentAttempt.State


@dataclass(frozen=True)
class PendingPayment:
    """What a payment token names: the reservation, a digest of its booking attempt's key, and what the caller
    kept."""

    reservation_pk: int
    attempt_digest: str
    extra: dict = field(default_factory=dict)


def _digest(idempotency_key: str) -> str:
    # The token is signed, not encrypted: it carries a digest of the key, never the key the provider knows.
    return hashlib.sha256(f"{TOKEN_SALT}:{idempotency_key}".encode()).hexdigest()[:24]


def booking_payment_token(reservation: Reservation, *, extra: dict | None = None) -> str:
    """A signed token for the PENDING `reservation`'s payment page or status URL, valid while its rooms are held.

    It names the booking attempt too (a digest of its idempotency key), so that it never points at another
    booking (a declined booking is deleted and its primary key may be used again).
    """
    attempt = booking_payment_attempt(reservation)
    return signing.dumps({"r": reservation.pk, "k": _digest(attempt.idempotency_key) if attempt else "",
                          "x": extra or {}}, salt=TOKEN_SALT, compress=True)


def booking_payment_token_read(token: str) -> PendingPayment:
    """The payment a token names. PAYMENT_LINK_EXPIRED once the hold time is over; RESERVATION_NOT_FOUND for a
    token that is not ours."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=settings.BOOKING_HOLD_MINUTES * 60)
        return PendingPayment(int(data["r"]), str(data["k"]), dict(data.get("x") or {}))
    except signing.SignatureExpired:
        raise PaymentLinkExpired() from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ReservationNotFound("No such payment.") from None


def booking_payment_pending(pending: PendingPayment) -> Reservation | None:
    """The reservation the token names, if it is still there (a declined booking leaves no trace)."""
    reservation = Reservation.objects.with_details().filter(pk=pending.reservation_pk).first()
    attempt = booking_payment_attempt(reservation) if reservation is not None else None
    if attempt is None or _digest(attempt.idempotency_key) != pending.attempt_digest:
        return None
    return reservation


def booking_payment_confirm(reservation_pk: int, gateway: PaymentGateway) -> Reservation:
    """Ask the provider where the booking's payment stands, and let the BOOKING finisher act on the answer.

    Returns the reservation: CONFIRMED, or still PENDING (`booking_payment_attempt(r).state` says why:
    REQUIRES_ACTION, the guest has not authenticated yet; UNKNOWN or RECORDED, the provider's answer is awaited).
    PAYMENT_FAILED when the payment was declined or the authentication failed (the rooms are given back), or the
    hold ran out first. Never inside a transaction: the provider is called.

    An attempt waiting for the guest is asked about at once (they just came back from authenticating); one whose
    answer was lost only when the settle task would ask too (its back-off), so a page refreshing every few
    seconds does not use up the attempt's tries.
    """
    reservation = Reservation.objects.with_details().filter(pk=reservation_pk).first()
    attempt = booking_payment_attempt(reservation) if reservation is not None else None
    if attempt is None:
        raise PaymentFailed(NOT_COMPLETED, decline_code="not_completed")
    if attempt.state == State.REQUIRES_ACTION:
        attempt = attempt_check(attempt, gateway)
    elif attempt.open and attempts_due().filter(pk=attempt.pk).exists():
        attempt = attempt_send(attempt, gateway)
    # As after booking: a decline raises PAYMENT_FAILED, a hold that ran out too, and money taken for a booking
    # that could not be confirmed is given back.
    return _booking_outcome(reservation, attempt, gateway)
