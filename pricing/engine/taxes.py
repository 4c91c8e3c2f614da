"""The taxes of a priced stay: which nights and guests each tax applies to, and what it comes to, night by night.

- A tax applies to the stay nights inside its validity (`valid_from`..`valid_until`), and only to the first
  `max_nights` nights of the stay when it is capped (counted from the stay's first night).
- `exempt_under_age`: children younger than N pay nothing; a child whose age was not given counts as exempt. A
  per-person tax counts the taxable guests; any other tax is charged on their share of the room (taxable / all
  guests).
- A hotel whose prices include tax has every percentage tax inside the nightly price. Per night and per room:
  net = round(price / (1 + the rates)), the included tax = price - net, split between the taxes by rate; the
  stay's included tax is the sum of the nights'. Flat and per-person taxes are added on top, as everywhere.
- Every other tax is computed on the stay and rounded once, then spread over the nights it applies to (the
  rounding remainder on the heaviest night), so the folio can post exactly the quoted line night by night.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from hotelbooking.money import ZERO, allocate, round_money

from ..models import Tax


@dataclass(frozen=True)
class ChargeLine:
    """A tax or fee line of a quote. `nights` is its amount per stay night (all rooms), adding up to `amount`;
    `included` marks a tax already inside the nightly prices (a hotel whose prices include tax)."""

    name: str
    kind: str
    amount: Decimal
    rate: Decimal | None = None      # a percentage tax's rate, in percent
    included: bool = False
    nights: tuple[tuple[date, Decimal], ...] = ()

    def shown(self, money) -> dict:
        """The line as the API shows it: name and amount; a tax included in the prices also says so, with its
        rate (`money` formats an amount)."""
        if not self.included:
            return {"name": self.name, "amount": money(self.amount)}
        return {"name": self.name, "amount": money(self.amount), "included": True,
                "rate": None if self.rate is None else format(self.rate.normalize(), "f")}

    def stored(self) -> dict:
        """The line as a reservation keeps it (Reservation.charge_lines), read back by frontdesk.folio."""
        line = {"name": self.name, "amount": str(self.amount), "kind": self.kind}
        if self.rate is not None:
            line["rate"] = str(self.rate)
        if self.included:
            line["included"] = True
        if self.nights:
            line["nights"] = {d.isoformat(): str(a) for d, a in self.nights}
        return line


def taxable_guests(tax: Tax, *, adults: int, children: int, child_ages) -> int:
    """The guests who pay the tax: every adult, and the children whose given age is at least the exemption age."""
    if tax.exempt_under_age is None:
        return adults + children
    ages = list(child_ages or [])[:children]
    return adults + sum(1 for age in ages if int(age) >= tax.exempt_under_age)


def taxed_nights(tax: Tax, nights: list) -> list:
    """The stay nights (NightPrice, in stay order) the tax applies to: inside its validity, within its cap."""
    return [n for position, n in enumerate(nights)
            if (tax.max_nights is None or position < tax.max_nights) and tax.applies_on(n.date)]


def tax_lines_for(taxes: list[Tax], nights: list, *, rooms: int, adults: int, children: int, child_ages,
                  inclusive: bool, currency: str, extras: dict[date, Decimal] | None = None) -> list[ChargeLine]:
    """One line per tax that applies to at least one night of the stay, in the order of `taxes`.

    `extras` is the taxable extras' amount per night (all rooms; pricing/engine/extras.py): a percentage tax
    applies to it on the nights it taxes, in full (an exemption shares out rooms, not what was ordered)."""
    extras = extras or {}
    guests = adults + children
    taxable = {id(t): taxable_guests(t, adults=adults, children=children, child_ages=child_ages) for t in taxes}
    on = {id(t): taxed_nights(t, nights) for t in taxes}

    def shared(tax: Tax, amount: Decimal) -> Decimal:
        """The taxable guests' share of a per-room amount (all of it when nobody is exempt)."""
        return amount if taxable[id(tax)] == guests else amount * taxable[id(tax)] / guests

    inside = [t for t in taxes if inclusive and t.kind == Tax.Kind.PERCENT]
    included = _included_per_night(inside, nights, on, rates={id(t): shared(t, t.value / 100) for t in inside},
                                   rooms=rooms, currency=currency, extras=extras)
    lines = []
    for tax in taxes:
        taxed = on[id(tax)]
        if not taxed:
            continue
        if id(tax) in included:
            per_night = included[id(tax)]
            lines.append(ChargeLine(tax.name, tax.kind, sum(per_night.values(), ZERO), tax.value, True,
                                    tuple(per_night.items())))
            continue
        if tax.kind == Tax.Kind.PERCENT:
            weights = [(n.rate if tax.base == Tax.Base.GROSS else n.net) * rooms for n in taxed]
            on_extras = [extras.get(n.date, ZERO) for n in taxed]
            amount = round_money(shared(tax, sum(weights, ZERO) * tax.value / 100)
                                 + sum(on_extras, ZERO) * tax.value / 100, currency)
            if any(on_extras):
                weights = [shared(tax, w) + e for w, e in zip(weights, on_extras, strict=True)]
        elif tax.kind == Tax.Kind.PER_PERSON_PER_NIGHT:
            weights = [Decimal(1)] * len(taxed)
            amount = round_money(tax.value * taxable[id(tax)] * len(taxed), currency)
        elif tax.kind == Tax.Kind.PER_NIGHT:
            weights = [Decimal(1)] * len(taxed)
            amount = round_money(shared(tax, tax.value * len(taxed) * rooms), currency)
        else:  # PER_STAY: on the first night it applies to
            weights = [Decimal(1)] + [ZERO] * (len(taxed) - 1)
            amount = round_money(shared(tax, tax.value * rooms), currency)
        shares = allocate(amount, weights, currency)
        lines.append(ChargeLine(tax.name, tax.kind, amount, tax.value if tax.kind == Tax.Kind.PERCENT else None,
                                False, tuple((n.date, s) for n, s in zip(taxed, shares, strict=True))))
    return lines


def _included_per_night(taxes: list[Tax], nights: list, on: dict, *, rates: dict, rooms: int, currency: str,
                        extras: dict[date, Decimal]) -> dict[int, dict[date, Decimal]]:
    """The tax inside each night's price, per tax (keyed by id), all rooms: per room, the night's price less
    its net (price / (1 + the rates of the taxes applying that night), rounded), split between them by rate.
    The taxable extras of the night (all rooms) hold their tax the same way, at the full rates."""
    out: dict[int, dict[date, Decimal]] = {id(t): {} for t in taxes if on[id(t)]}
    taxed_on = {id(t): {n.date for n in on[id(t)]} for t in taxes}
    for night in nights:
        applying = [t for t in taxes if night.date in taxed_on[id(t)]]
        if not applying:
            continue
        price = round_money(night.net, currency)   # a kept night's booked price comes back with 3 places
        net = round_money(price / (1 + sum((rates[id(t)] for t in applying), ZERO)), currency)
        shares = allocate(price - net, [rates[id(t)] for t in applying], currency)
        for tax, share in zip(applying, shares, strict=True):
            out[id(tax)][night.date] = share * rooms
        extra = extras.get(night.date, ZERO)
        if extra:
            full = [t.value / 100 for t in applying]
            extra_net = round_money(extra / (1 + sum(full, ZERO)), currency)
            for tax, share in zip(applying, allocate(extra - extra_net, full, currency), strict=True):
                out[id(tax)][night.date] += share
    return out
