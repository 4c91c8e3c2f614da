"""The payment gateway interface: what every provider offers, and the values that cross it.

Card numbers never leave the gateways: callers get a token, the brand and the last four digits.
"""

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


def default_gateway() -> PaymentGateway:
    return import_string(settings.PAYMENT_GATEWAY)()
