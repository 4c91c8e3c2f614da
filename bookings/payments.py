"""Payment gateways behind one interface. The built-in TestGateway follows Stripe's public test cards.

Card numbers never leave this module: callers get a token, the brand and the last four digits.
"""

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

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


@dataclass(frozen=True)
class GatewayResult:
    success: bool
    reference: str = ""
    token: str = ""
    brand: str = ""
    last_four: str = ""
    error_code: str = ""
    message: str = ""


class PaymentGateway:
    """What every provider offers: charge a card, charge the card on file (token), refund a charge."""

    name = "abstract"

    def charge(self, *, card: Card, amount: Decimal, currency: str, description: str = "",
               idempotency_key: str = "") -> GatewayResult:
        raise NotImplementedError

    def charge_saved(self, *, token: str, amount: Decimal, currency: str, description: str = "",
                     idempotency_key: str = "") -> GatewayResult:
        raise NotImplementedError

    def refund(self, *, reference: str, amount: Decimal, currency: str, idempotency_key: str = "") -> GatewayResult:
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


class TestGateway(PaymentGateway):
    """Stripe's test cards: 4242424242424242 succeeds, 4000000000000002 is declined, 4000000000009995 is
    declined for insufficient funds. Other numbers fail Luhn or are declined. State lives in the process
    (tokens are derived from the card, so any process recognises its own tokens)."""

    __test__ = False  # not a pytest class
    name = "test"
    SUCCEEDS = "4242424242424242"
    DECLINED = "4000000000000002"
    INSUFFICIENT_FUNDS = "4000000000009995"
    # Tokens that start with this prefix decline on later charges (for tests of failed balance charges).
    DECLINING_TOKEN_PREFIX = "tok_decline_"

    def charge(self, *, card, amount, currency, description="", idempotency_key=""):
        digits = card.digits
        if not luhn_valid(digits):
            return GatewayResult(False, error_code="invalid_number", last_four=card.last_four, brand=card.brand,
                                 message="The card number is not valid. Please check it and try again.")
        if _expired(card):
            return GatewayResult(False, error_code="expired_card", last_four=card.last_four, brand=card.brand,
                                 message="The card has expired. Please use another card.")
        if digits == self.INSUFFICIENT_FUNDS:
            return GatewayResult(False, error_code="insufficient_funds", last_four=card.last_four,
                                 brand=card.brand, message="The card was declined for insufficient funds.")
        if digits != self.SUCCEEDS:
            return GatewayResult(False, error_code="card_declined", last_four=card.last_four, brand=card.brand,
                                 message="The card was declined. Please use another card.")
        token = "tok_" + hashlib.sha256(f"{digits}:{card.exp_month}:{card.exp_year}".encode()).hexdigest()[:24]
        return GatewayResult(True, reference=_ref("ch"), token=token, brand=card.brand, last_four=card.last_four)

    def charge_saved(self, *, token, amount, currency, description="", idempotency_key=""):
        if not token or token.startswith(self.DECLINING_TOKEN_PREFIX) or not token.startswith("tok_"):
            return GatewayResult(False, error_code="card_declined",
                                 message="The card on file was declined.")
        return GatewayResult(True, reference=_ref("ch"), token=token)

    def refund(self, *, reference, amount, currency, idempotency_key=""):
        if not reference:
            return GatewayResult(False, error_code="no_charge", message="There is no charge to refund.")
        return GatewayResult(True, reference=_ref("re"))


def _expired(card: Card) -> bool:
    from django.utils import timezone

    today = timezone.now().date()
    year = card.exp_year + 2000 if card.exp_year < 100 else card.exp_year
    return (year, card.exp_month) < (today.year, today.month)


def _ref(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:24]}"


def default_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()
