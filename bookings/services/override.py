"""A price override: a manager prices a booking's rooms by hand (per night or for the whole stay), with a reason.

The override replaces the room price before taxes (the plan's rate, its discount and any promotion); the pricing
engine then prices the stay from those nightly rates exactly as it prices a modification's frozen nights, so
taxes, fees, the cancellation penalties and the payment terms follow from the new figures. Only a staff member
with `override_rate` at the booking's hotel may do it (API keys never: hotelbooking.permissions MANAGER_WORK),
and only with a reason; who, when, why and the original and new totals are recorded on the reservation
(`Reservation.price_override`) and in its history.
"""

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from hotelbooking.errors import OverrideNotAllowed, ValidationFailed
from hotelbooking.money import fmt, round_money
from hotelbooking.permissions import staff_may
from pricing.engine import NightPrice, Quote, choices_of, quote_stay
from pricing.search import hotel_today
from pricing.selectors import pricing_context_load

from ..models import actor_label, actor_user

REASON_MAX = 300


@dataclass(frozen=True)
class PriceOverride:
    """The room price given by hand: `nightly` per room and night, or `total` for all rooms and nights (before
    taxes and fees); exactly one of them. `reason` is required."""

    nightly: Decimal | None = None
    total: Decimal | None = None
    reason: str = ""


def _amount(value, name: str, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"The override {name} must be a number, e.g. 120.00.",
                               field=f"price_override.{name}") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"The override {name} cannot be negative.", field=f"price_override.{name}")
    if round_money(amount, currency) != amount:
        raise ValidationFailed(f"The override {name} has more decimal places than {currency} allows.",
                               field=f"price_override.{name}")
    return amount


def _nightly_rates(override: PriceOverride, quote: Quote) -> list[Decimal]:
    """One rate per night (per room). A total is spread evenly; the rounding remainder goes on the first night."""
    currency, count = quote.currency, len(quote.nights)
    if override.nightly is not None:
        return [_amount(override.nightly, "nightly", currency)] * count
    total = _amount(override.total, "total", currency)
    per_room = round_money(total / quote.rooms, currency)
    if per_room * quote.rooms != total:
        raise ValidationFailed(f"A total of {fmt(total, currency)} does not split evenly over {quote.rooms} rooms.",
                               field="price_override.total")
    share = round_money(per_room / count, currency)
    return [per_room - share * (count - 1)] + [share] * (count - 1)


def price_override_check(override: PriceOverride, *, hotel, actor) -> None:
    """OVERRIDE_NOT_ALLOWED for an actor without `override_rate` at the hotel; VALIDATION_ERROR without a reason
    or with neither or both amounts."""
    user = actor_user(actor)  # an API key, a channel or the guest's own pages never may
    if user is None or not staff_may(user, "override_rate", hotel):
        raise OverrideNotAllowed()
    if not (override.reason or "").strip():
        raise ValidationFailed("Give the reason for the price override.", field="price_override.reason")
    if len(override.reason.strip()) > REASON_MAX:
        raise ValidationFailed(f"The reason can be at most {REASON_MAX} characters.", field="price_override.reason")
    given = [v for v in (override.nightly, override.total) if v not in (None, "")]
    if len(given) != 1:
        raise ValidationFailed("Give either a price per night or a total for the stay, not both.",
                               field="price_override.nightly")


def price_override_apply(quote: Quote, override: PriceOverride | None, *, actor) -> Quote:
    """The quote re-priced at the overridden room price, carrying its record (`quote.price_override`); the quote
    itself when there is no override."""
    if override is None:
        return quote
    price_override_check(override, hotel=quote.hotel, actor=actor)
    rates = _nightly_rates(override, quote)
    booked: dict[date, NightPrice] = {
        n.date: NightPrice(n.date, rate) for n, rate in zip(quote.nights, rates, strict=True)}
    ctx = pricing_context_load(hotel=quote.hotel, rate_plan=quote.rate_plan, room_type_ids=[quote.room_type.id],
                               check_in=quote.check_in, check_out=quote.check_out, promotion=None)
    priced = quote_stay(ctx, room_type=quote.room_type, check_in=quote.check_in, check_out=quote.check_out,
                        adults=quote.adults, children=quote.children, rooms=quote.rooms,
                        booked_on=hotel_today(quote.hotel), booked_nights=booked, child_ages=quote.child_ages,
                        extras=choices_of(quote.extra_lines))
    c = quote.currency
    user = actor_user(actor)
    record = {
        "by": actor_label(actor), "by_user_id": user.pk if user else None, "at": timezone.now().isoformat(),
        "reason": override.reason.strip(),
        "nightly": None if override.nightly in (None, "") else str(rates[0]),
        "total": None if override.total in (None, "") else str(round_money(priced.room_total, c)),
        "original_room_total": str(round_money(quote.room_total, c)),
        "original_total": str(round_money(quote.total, c)),
        "room_total": str(round_money(priced.room_total, c)),
        "grand_total": str(round_money(priced.total, c)),
        "currency": c,
    }
    return replace(priced, price_override=record)


def price_override_summary(record: dict | None) -> str:
    """An override record in words: who, the price given, the original and new totals, why ("" for none)."""
    if not record:
        return ""
    c = record["currency"]

    def m(key):
        return fmt(Decimal(record[key]), c)

    how = f"{m('nightly')} a night" if record.get("nightly") is not None else f"{m('total')} for the stay"
    return (f"Price overridden by {record['by']} at {record['at'][:16].replace('T', ' ')} UTC to {how}: room total "
            f"{m('original_room_total')} -> {m('room_total')}, total {m('original_total')} -> {m('grand_total')}. "
            f"Reason: {record['reason']}")


def price_override_note(quote: Quote) -> str:
    """What the booking's first history row adds for an overridden price ("" for none)."""
    summary = price_override_summary(quote.price_override)
    return f"; {summary}" if summary else ""


__all__ = ["PriceOverride", "price_override_apply", "price_override_check", "price_override_note",
           "price_override_summary"]
