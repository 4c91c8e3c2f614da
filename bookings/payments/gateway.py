"""The payment gateway interface: what every provider offers, and the values that cross it.

Card numbers never leave the gateways: callers get a token, the brand and the last four digits.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int
    exp_year: int
    cvc: str = ""
    holder: str = ""

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())

    @property
    def last_four(self) -> str:
        return self.digits[-4:]

    @property
    def brand(self) -> str:
        d = self.digits
        if d.startswith("4"):
            return "visa"
        if d[:2] in {"51", "52", "53", "54", "55"} or (d[:4].isdigit() and 2221 <= int(d[:4]) <= 2720):
            return "mastercard"
        if d[:2] in {"34", "37"}:
            return "amex"
        if d.startswith("6011") or d.startswith("65"):
            return "discover"
        return "unknown"

    def __repr__(self):  # never print the number
        return f"Card(****{self.last_four}, {self.exp_month:02d}/{self.exp_year})"


class PaymentStatus(StrEnum):
    """Where a payment stands at the provider (Stripe's PaymentIntent statuses, plus UNKNOWN and FAILED)."""

    SUCCEEDED = "succeeded"                # money moved (for a refund: money went back)
    REQUIRES_CAPTURE = "requires_capture"  # authorised and held; capture or release it later
    REQUIRES_ACTION = "requires_action"    # the guest must authenticate (3-D Secure): see client_secret
    PROCESSING = "processing"              # accepted, not final yet; the webhook or payment_status settles it
    CANCELED = "canceled"                  # an authorisation released, or an intent abandoned: nothing moved
    FAILED = "failed"                      # nothing moved (declined, refused, or not sent at all)
    UNKNOWN = "unknown"                    # the answer was lost (timeout): money may have moved; settle it by
    #                                        repeating the call with the same idempotency key, payment_status
    #                                        or the webhook, never by treating it as a decline


class ErrorCode(StrEnum):
    """Codes our gateways give besides the provider's own (card_declined, insufficient_funds, ...)."""

    CARD_DATA_NOT_ACCEPTED = "card_data_not_accepted"  # raw card numbers refused: send a payment_method id
    PAYMENT_METHOD_REQUIRED = "payment_method_required"
    AMOUNT_NOT_REPRESENTABLE = "amount_not_representable"  # more decimals than the provider carries
    NETWORK_ERROR = "network_error"                    # timeout or connection lost: status UNKNOWN
    GATEWAY_ERROR = "gateway_error"                    # the provider failed (5xx): status UNKNOWN
    RATE_LIMITED = "rate_limited"                      # 429: nothing done, retry later with the same key
    IDEMPOTENCY_CONFLICT = "idempotency_conflict"      # the key was used with other parameters: nothing done
    GATEWAY_AUTHENTICATION = "gateway_authentication"  # our API key is wrong or lacks the permission
    RESOURCE_MISSING = "resource_missing"              # no such payment at the provider


@dataclass(frozen=True)
class PaymentMethodRef:
    """A payment method the provider holds (Stripe `pm_...`), optionally saved on a customer (`cus_...`).

    This is what a guest page or partner sends instead of card fields when a real provider is on. `token` is
    the form stored as Payment.card_token and given back to charge_saved.
    """

    id: str
    customer: str = ""

    @property
    def token(self) -> str:
        return f"{self.customer}:{self.id}" if self.customer else self.id

    @classmethod
    def from_token(cls, token: str) -> "PaymentMethodRef":
        customer, _, method = token.rpartition(":")
        return cls(id=method, customer=customer)


@dataclass(frozen=True)
class GatewayResult:
    success: bool
    reference: str = ""
    token: str = ""
    brand: str = ""
    last_four: str = ""
    error_code: str = ""
    message: str = ""
    status: str = ""            # a PaymentStatus; filled from `success` when a gateway leaves it empty
    client_secret: str = ""     # with REQUIRES_ACTION: what the page hands to the provider's script
    amount: Decimal | None = None  # what the provider reports as authorised, captured or refunded
    retryable: bool = False     # repeating the same call (same idempotency key) later may succeed

    def __post_init__(self):
        if not self.status:
            object.__setattr__(self, "status", PaymentStatus.SUCCEEDED if self.success else PaymentStatus.FAILED)

    @property
    def unknown(self) -> bool:
        """The answer was lost: money may have moved. Never treat this as a decline."""
        return self.status == PaymentStatus.UNKNOWN


class PaymentGateway:
    """What every provider offers.

    Every call that moves money takes an idempotency key from the caller, the same on every retry of the same
    business step (booking 12's deposit, modification 7's refund), so that a retry after a lost answer never
    moves money twice. Amounts are Decimal in the currency's major unit; each gateway converts.
    `card` (raw card fields) is for the built-in test gateway only; a real provider takes `payment_method`.
    """

    name = "abstract"

    def charge(self, *, card: Card | None = None, amount: Decimal, currency: str, description: str = "",
               idempotency_key: str = "", payment_method: PaymentMethodRef | None = None,
               save_for_later: bool = False) -> GatewayResult:
        """Take the amount now. With save_for_later the result's token can be charged again off-session."""
        raise NotImplementedError

    def charge_saved(self, *, token: str, amount: Decimal, currency: str, description: str = "",
                     idempotency_key: str = "") -> GatewayResult:
        """Charge the card on file without the guest present (off-session): a balance, a penalty, a no-show."""
        raise NotImplementedError

    def refund(self, *, reference: str, amount: Decimal | None, currency: str,
               idempotency_key: str = "") -> GatewayResult:
        """Give back part (amount) or all (None) of a charge."""
        raise NotImplementedError

    def authorise(self, *, card: Card | None = None, amount: Decimal, currency: str, description: str = "",
                  idempotency_key: str = "", payment_method: PaymentMethodRef | None = None,
                  save_for_later: bool = False) -> GatewayResult:
        """Hold the amount on the card without taking it (status REQUIRES_CAPTURE): capture or release later."""
        raise NotImplementedError

    def capture(self, *, reference: str, amount: Decimal | None = None, currency: str,
                idempotency_key: str = "") -> GatewayResult:
        """Take all (None) or part of an authorisation; the rest is released."""
        raise NotImplementedError

    def release(self, *, reference: str, idempotency_key: str = "") -> GatewayResult:
        """Cancel an authorisation (nothing is taken): status CANCELED."""
        raise NotImplementedError

    def save_card(self, *, card: Card | None = None, payment_method: PaymentMethodRef | None = None,
                  email: str = "", name: str = "", idempotency_key: str = "") -> GatewayResult:
        """Keep the card as a guarantee, charging nothing: the result's token is for later charge_saved calls."""
        raise NotImplementedError

    def payment_status(self, *, reference: str) -> GatewayResult:
        """Where a payment (or refund) stands now: to settle an UNKNOWN answer or a 3-D Secure step."""
        raise NotImplementedError


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def default_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()
