"""Reading exchange rates and converting for display. Nothing here is ever charged."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hotelbooking.money import round_money

from .models import ExchangeRate


@dataclass(frozen=True)
class Indicative:
    """An amount shown in another currency: what it is, and the rate and day it was converted at."""

    amount: Decimal
    currency: str
    rate: Decimal
    as_of: date


def latest_rate(base: str, quote: str) -> ExchangeRate | None:
    """The newest stored rate from `base` to `quote`; None when there is none (nothing is converted then)."""
    return ExchangeRate.objects.filter(base=base.upper(), quote=quote.upper()).order_by("-as_of").first()


def display_currencies() -> list[str]:
    """Every currency a price may be shown in: the hotels' own ones and those a rate converts into."""
    pairs = ExchangeRate.objects.values_list("base", "quote").distinct()
    return sorted({code for pair in pairs for code in pair})


def convert(amount, rate: ExchangeRate) -> Indicative:
    """`amount` (in rate.base) in rate.quote, rounded once to that currency's minor unit."""
    return Indicative(amount=round_money(Decimal(str(amount)) * rate.rate, rate.quote), currency=rate.quote,
                      rate=rate.rate, as_of=rate.as_of)
