"""Payment terms: what a rate plan's guarantee rule takes at booking, what it leaves for later, and when.

PREPAY        the whole stay at booking.
DEPOSIT       the first night (all rooms, with that night's taxes and fees) or a percentage of the total at
              booking; the balance charged automatically `balance_due_days` before arrival (hotel-local date)
              or, with no days set, at check-in. Booked on or after the balance date, or with a deposit that
              would reach the total, everything is taken at booking.
CARD_GUARANTEE nothing at booking; the card is kept and charged only for a late cancellation or a no-show
              penalty, per the policy; the stay is settled at the desk.
PAY_AT_HOTEL  no card at all; everything is settled at the desk.

Amounts are rounded here once, with hotelbooking.money.round_money; the booking service freezes
`PaymentTerms.as_dict()` onto the reservation, as it does the cancellation policy.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hotelbooking.money import ZERO, percent_of, round_money

from .models import RatePlan

Guarantee = RatePlan.Guarantee

NONE, BEFORE_ARRIVAL, AT_CHECK_IN, AT_HOTEL = "NONE", "BEFORE_ARRIVAL", "AT_CHECK_IN", "AT_HOTEL"


@dataclass(frozen=True)
class PaymentTerms:
    guarantee: str               # RatePlan.Guarantee value
    due_now: Decimal             # taken at booking, rounded to the currency (0 for CARD_GUARANTEE / PAY_AT_HOTEL)
    due_later: Decimal           # grand total - due_now
    balance_due_on: date | None  # hotel-local date the balance is charged automatically (DEPOSIT with days)
    balance_when: str            # NONE | BEFORE_ARRIVAL | AT_CHECK_IN | AT_HOTEL
    card_required: bool          # False only for PAY_AT_HOTEL
    save_card: bool              # keep the card for later off-session charges
    currency: str

    @property
    def total(self) -> Decimal:
        return self.due_now + self.due_later

    def as_dict(self) -> dict:
        """JSON-safe: amounts as strings in the currency's minor unit ("132.83", JPY "5000"), dates ISO."""
        return {
            "guarantee": self.guarantee,
            "due_now": str(round_money(self.due_now, self.currency)),
            "due_later": str(round_money(self.due_later, self.currency)),
            "balance_due_on": self.balance_due_on.isoformat() if self.balance_due_on else None,
            "balance_when": self.balance_when,
            "card_required": self.card_required,
            "save_card": self.save_card,
            "currency": self.currency,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "PaymentTerms":
        currency = data["currency"]
        due_on = data.get("balance_due_on")
        return cls(
            guarantee=data["guarantee"],
            due_now=round_money(Decimal(str(data["due_now"])), currency),
            due_later=round_money(Decimal(str(data["due_later"])), currency),
            balance_due_on=date.fromisoformat(due_on) if isinstance(due_on, str) else due_on,
            balance_when=data["balance_when"],
            card_required=bool(data["card_required"]),
            save_card=bool(data["save_card"]),
            currency=currency,
        )

    @classmethod
    def prepay(cls, *, total: Decimal, currency: str) -> "PaymentTerms":
        """The whole stay at booking: the rule of every booking made before plans had guarantee rules."""
        return cls(guarantee=Guarantee.PREPAY, due_now=round_money(total, currency),
                   due_later=round_money(ZERO, currency), balance_due_on=None, balance_when=NONE,
                   card_required=True, save_card=False, currency=currency)


def terms_at_hotel(terms: PaymentTerms) -> PaymentTerms:
    """The same stay settled at the hotel, whatever the plan asks (the desk's "pay at the hotel" or "payment
    link" choice): nothing due now, no card, the whole total at the hotel."""
    zero = round_money(ZERO, terms.currency)
    return PaymentTerms(guarantee=Guarantee.PAY_AT_HOTEL, due_now=zero,
                        due_later=round_money(terms.total, terms.currency), balance_due_on=None,
                        balance_when=AT_HOTEL, card_required=False, save_card=False, currency=terms.currency)


def payment_terms(*, rate_plan: RatePlan, total: Decimal, nightly_totals: list[Decimal], currency: str,
                  check_in: date, booked_on: date) -> PaymentTerms:
    """The plan's guarantee rule applied to a stay priced at `total`, booked on `booked_on` (hotel-local).

    `nightly_totals` are the nights' shares of the total (all rooms, taxes and fees), in stay order, as
    Quote.nightly_totals gives them. A DEPOSIT whose balance would fall due on or before the booking day, or
    whose deposit would reach the total, takes everything at booking (balance_when NONE, no card kept).
    """
    total = round_money(total, currency)
    zero = round_money(ZERO, currency)
    guarantee = rate_plan.guarantee
    if guarantee == Guarantee.PREPAY:
        return PaymentTerms.prepay(total=total, currency=currency)
    if guarantee in (Guarantee.CARD_GUARANTEE, Guarantee.PAY_AT_HOTEL):
        card = guarantee == Guarantee.CARD_GUARANTEE
        return PaymentTerms(guarantee=guarantee, due_now=zero, due_later=total, balance_due_on=None,
                            balance_when=AT_HOTEL, card_required=card, save_card=card, currency=currency)
    if guarantee != Guarantee.DEPOSIT:
        raise ValueError(f"Unknown guarantee rule {guarantee!r} on rate plan {rate_plan.code}")

    if rate_plan.deposit_kind == RatePlan.DepositKind.PERCENT:
        deposit = percent_of(total, rate_plan.deposit_percent, currency)
    else:  # FIRST_NIGHT
        deposit = round_money(nightly_totals[0], currency) if nightly_totals else total
    due_on = None
    if rate_plan.balance_due_days is not None:
        due_on = check_in - timedelta(days=rate_plan.balance_due_days)
    if deposit >= total or (due_on is not None and booked_on >= due_on):
        return PaymentTerms(guarantee=guarantee, due_now=total, due_later=zero, balance_due_on=None,
                            balance_when=NONE, card_required=True, save_card=False, currency=currency)
    return PaymentTerms(guarantee=guarantee, due_now=deposit, due_later=total - deposit, balance_due_on=due_on,
                        balance_when=BEFORE_ARRIVAL if due_on is not None else AT_CHECK_IN,
                        card_required=True, save_card=True, currency=currency)


def terms_for_quote(quote, *, booked_on: date) -> PaymentTerms:
    """The payment terms of a pricing.engine.Quote booked on `booked_on` (the hotel's today)."""
    return payment_terms(rate_plan=quote.rate_plan, total=quote.total, nightly_totals=quote.nightly_totals,
                         currency=quote.currency, check_in=quote.check_in, booked_on=booked_on)
