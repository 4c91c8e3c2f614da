"""`{{ terms|as_payment_terms }}`: a PaymentTerms, or its frozen dict, ready for a page or an email."""

import re

from django import template

from hotelbooking.money import round_money
from pricing.guarantee import PaymentTerms

register = template.Library()


@register.filter
def as_payment_terms(terms) -> dict | None:
    """The terms with amounts as strings in the currency's minor unit and the balance date as a date.

    None for no terms (None or {}): the caller shows nothing.
    """
    if not terms:
        return None
    if not isinstance(terms, PaymentTerms):
        terms = PaymentTerms.from_dict(terms)
    c = terms.currency
    return {
        "guarantee": terms.guarantee, "currency": c, "balance_when": terms.balance_when,
        "balance_due_on": terms.balance_due_on, "card_required": terms.card_required,
        "due_now": str(round_money(terms.due_now, c)), "due_later": str(round_money(terms.due_later, c)),
        "total": str(round_money(terms.total, c)),
    }


@register.filter(is_safe=True)
def squash(text: str) -> str:
    """Runs of layout whitespace (a template laid out on several lines) made one space, ends stripped; markup
    boundaries lose theirs, so `<p> Charged` reads `<p>Charged`."""
    # Layout whitespace only: the no-break spaces of an amount in the guest's locale (664,14 $) stay.
    text = re.sub(r"[ \t\r\n]+", " ", str(text)).strip(" ")
    return re.sub(r"[ ]*(<[^>]+>)[ ]*", r"\1", text)
