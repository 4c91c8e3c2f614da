"""Placeholder until the guarantee rules land (PAYMENTS.md contract): every plan is PREPAY."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hotelbooking.money import round_money


@dataclass(frozen=True)
class PaymentTerms:
    guarantee: str
    due_now: Decimal
    due_later: Decimal
    balance_due_on: date | None
    balance_when: str
    card_required: bool
    save_card: bool
    currency: str

    def as_dict(self) -> dict:
        return {"guarantee": self.guarantee, "due_now": str(self.due_now), "due_later": str(self.due_later),
                "balance_due_on": self.balance_due_on.isoformat() if self.balance_due_on else None,
                "balance_when": self.balance_when, "card_required": self.card_required,
                "save_card": self.save_card, "currency": self.currency}


def terms_for_quote(quote, *, booked_on: date) -> PaymentTerms:
    total = round_money(quote.total, quote.currency)
    return PaymentTerms("PREPAY", total, Decimal(0), None, "NONE", True, False, quote.currency)
