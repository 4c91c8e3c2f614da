"""The built-in test gateway: Stripe's public test cards, no network, the zero-config default."""

import hashlib
import uuid

from .gateway import Card, GatewayResult, PaymentGateway, luhn_valid


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
