"""Extras of a priced stay: breakfast, parking, a transfer, as lines of their own beside the rooms.

- An extra comes to its unit price x the quantity chosen, x the party (adults and children of all the rooms)
  for a per-person kind, x the stay's nights for a per-night kind; rounded once, in hotelbooking.money.
- Its amount is spread over the nights it belongs to: a per-night kind evenly over every night (allocate: the
  remainder on the first nights), any other kind on the first night. The folio posts it so, night by night.
- An extra the rate plan includes (bed and breakfast) is a line at 0.00 marked `included`; choosing it again
  adds nothing.
- The hotel's percentage taxes apply to the extras not marked tax-exempt, on the nights they fall on
  (pricing/engine/taxes.py adds them to each tax's base); flat and per-person taxes are about rooms and guests.
- A modification keeps the unit price agreed at booking (`ExtraChoice.unit_price` from the reservation) and
  recounts the nights and the party of the new stay.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hotelbooking.errors import ExtraNotAvailable, UnknownExtra, ValidationFailed
from hotelbooking.money import ZERO, allocate, round_money

from ..models import Extra


@dataclass(frozen=True)
class ExtraChoice:
    """An extra as chosen for a stay, with the price it is sold at (today's, or the one agreed at booking)."""

    code: str
    name: str
    kind: str
    unit_price: Decimal
    quantity: int = 1
    taxable: bool = True

    @classmethod
    def of(cls, extra: Extra, quantity: int = 1) -> "ExtraChoice":
        return cls(extra.code, extra.name, extra.kind, extra.price, quantity, not extra.tax_exempt)

    @property
    def per_person(self) -> bool:
        return self.kind in (Extra.Kind.PER_PERSON, Extra.Kind.PER_PERSON_PER_NIGHT)

    @property
    def per_night(self) -> bool:
        return self.kind in (Extra.Kind.PER_NIGHT, Extra.Kind.PER_PERSON_PER_NIGHT)


@dataclass(frozen=True)
class ExtraLine:
    """An extra of a quote. `nights` is its amount per stay night, adding up to `amount`; `units` is what the
    unit price was multiplied by (quantity, party, nights)."""

    code: str
    name: str
    kind: str
    quantity: int
    unit_price: Decimal
    units: int
    amount: Decimal
    nights: tuple[tuple[date, Decimal], ...] = ()
    included: bool = False
    taxable: bool = True

    def shown(self, money) -> dict:
        """The line as the API and pages show it (`money` formats an amount)."""
        return {"code": self.code, "name": self.name, "kind": self.kind, "quantity": self.quantity,
                "unit_price": money(self.unit_price), "amount": money(self.amount), "included": self.included,
                "nights": [{"date": d.isoformat(), "amount": money(a)} for d, a in self.nights]}

    def stored(self) -> dict:
        """The line as a reservation keeps it (Reservation.charge_lines["extras"]), read back by frontdesk.folio."""
        return {"code": self.code, "name": self.name, "kind": self.kind, "quantity": self.quantity,
                "unit_price": str(self.unit_price), "amount": str(self.amount), "included": self.included,
                "taxable": self.taxable, "nights": {d.isoformat(): str(a) for d, a in self.nights}}


def extra_lines_for(chosen, included, nights: list[date], *, guests: int, currency: str) -> list[ExtraLine]:
    """The lines of a stay: the plan's `included` extras (Extra) at 0.00, then the `chosen` ones (ExtraChoice)
    that the plan does not include, in the order given."""
    lines = [ExtraLine(e.code, e.name, e.kind, 1, ZERO, 0, ZERO, (), True, not e.tax_exempt) for e in included]
    inside = {e.code.upper() for e in included}
    for choice in chosen:
        if choice.code.upper() in inside:
            continue
        units = choice.quantity * (guests if choice.per_person else 1) * (len(nights) if choice.per_night else 1)
        unit_price = round_money(choice.unit_price, currency)
        amount = round_money(unit_price * units, currency)
        if not nights:
            shares = []
        elif choice.per_night:
            shares = allocate(amount, [Decimal(1)] * len(nights), currency)
        else:
            shares = [amount] + [ZERO] * (len(nights) - 1)
        lines.append(ExtraLine(choice.code, choice.name, choice.kind, choice.quantity, unit_price, units, amount,
                               tuple((d, s) for d, s in zip(nights, shares, strict=True) if s or choice.per_night),
                               False, choice.taxable))
    return lines


def choices_of(lines: list[ExtraLine]) -> list[ExtraChoice]:
    """The choices a quote's lines were priced from (the included ones come with the plan)."""
    return [ExtraChoice(e.code, e.name, e.kind, e.unit_price, e.quantity, e.taxable) for e in lines
            if not e.included]


def taxable_per_night(lines: list[ExtraLine]) -> dict[date, Decimal]:
    """What the percentage taxes apply to of the extras, night by night."""
    base: dict[date, Decimal] = {}
    for line in lines:
        if line.taxable and not line.included:
            for night, amount in line.nights:
                base[night] = base.get(night, ZERO) + amount
    return base


def extras_choose(offered: dict[str, Extra], requested) -> list[ExtraChoice]:
    """The guest's request (a list of {"code", "quantity"}) as choices of the hotel's extras (`offered`, by code
    in upper case, active or not). UNKNOWN_EXTRA for a code the hotel does not have; EXTRA_NOT_AVAILABLE for one
    no longer offered or a quantity above its maximum; a code given twice counts once, with the last quantity."""
    chosen: dict[str, ExtraChoice] = {}
    for position, item in enumerate(requested or []):
        if not isinstance(item, dict):
            raise ValidationFailed("Each extra needs a code and a quantity.", field=f"extras[{position}]")
        code = str(item.get("code") or "").strip()
        extra = None if "\x00" in code else offered.get(code.upper())
        if extra is None:
            raise UnknownExtra(f"This hotel offers no extra {code}.", extra=code[:20], field=f"extras[{position}]")
        quantity = extra_quantity(item.get("quantity", 1), position)
        if not extra.is_active:
            raise ExtraNotAvailable(f"{extra.name} is no longer offered.", extra=extra.code)
        if quantity > extra.max_quantity:
            raise ExtraNotAvailable(f"{extra.name}: at most {extra.max_quantity} per booking.", extra=extra.code,
                                    max_quantity=extra.max_quantity)
        if quantity:
            chosen[extra.code.upper()] = ExtraChoice.of(extra, quantity)
        else:
            chosen.pop(extra.code.upper(), None)
    return list(chosen.values())


def extra_quantity(value, position: int) -> int:
    """A requested quantity: a whole number, 0 or more (VALIDATION_ERROR otherwise)."""
    try:
        quantity = int(str(1 if value in (None, "") else value).strip())
    except ValueError:
        raise ValidationFailed("An extra's quantity must be a whole number.", field=f"extras[{position}].quantity"
                               ) from None
    if quantity < 0:
        raise ValidationFailed("An extra's quantity cannot be negative.", field=f"extras[{position}].quantity")
    return quantity
