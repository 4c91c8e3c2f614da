"""Occupancy and child-age pricing: what a room's party adds to (or takes off) the nightly price of its rate.

The rule, per night and per room (the season of the base plan winning that night gives the terms, see
Rate.base_occupancy; a rate override changes the base price only, the terms stay the season's):
- Children are priced by the base plan's age bands (ChildAgeBand): the first band, by `up_to_age`, the age fits.
  FREE costs nothing, AMOUNT is a fixed amount, PERCENT a share of the night's extra-adult amount, ADULT (and an
  age older than every band) prices the child as an adult. A child without a given age is priced by the oldest
  band that is not ADULT (a guest who says "a child" is a child, not an adult; the dearest child price).
  A plan without bands prices no child: the nightly price covers them, as before occupancy pricing.
- Guests priced as adults (adults, and children priced as adults) beyond `base_occupancy` each pay
  `extra_adult_amount`; exactly one of them alone has `single_occupancy_discount` taken off.
  A season without a base occupancy prices the room whoever stays (no extra adult, no single price).
- The supplements are part of the night's `rate` (the undiscounted price of that room for its party), so a
  derived plan's discount and a promotion discount them too (AAA = BAR - 10% takes 10% off the extra adult),
  and taxes on room revenue see them. NightPrice shows them beside the rate.
- Identical rooms on one line (`rooms` > 1, one party for all) share the party as evenly as possible, adults
  first and children in the order given; the line's nightly price per room is the rooms' average, rounded.
"""

from dataclasses import dataclass
from decimal import Decimal

from hotelbooking.money import ZERO, percent_of, round_money

from ..models import ChildAgeBand, Rate

__all__ = ["Party", "Supplement", "parties_of", "supplement_for"]


@dataclass(frozen=True)
class Party:
    """The guests of one room: adults, and one age per child (None where it was not given)."""

    adults: int
    child_ages: tuple[int | None, ...] = ()


@dataclass(frozen=True)
class Supplement:
    """What one room's party adds to one night, per room: amounts rounded to the minor unit."""

    extra_adults: Decimal = ZERO          # zero or more: the adults beyond the included ones
    children: Decimal = ZERO              # zero or more: the children priced by band (not as adults)
    single_occupancy: Decimal = ZERO      # zero or less: the single price's discount

    @property
    def total(self) -> Decimal:
        return self.extra_adults + self.children + self.single_occupancy

    def __add__(self, other: "Supplement") -> "Supplement":
        return Supplement(self.extra_adults + other.extra_adults, self.children + other.children,
                          self.single_occupancy + other.single_occupancy)


def parties_of(*, adults: int, children: int, child_ages=(), rooms: int = 1) -> list[Party]:
    """The party of each of `rooms` identical rooms: adults spread evenly, then children in the order given."""
    ages = list(child_ages or ())[:children]
    ages += [None] * (children - len(ages))
    split = [adults // rooms + (1 if i < adults % rooms else 0) for i in range(rooms)]
    kids: list[list] = [[] for _ in range(rooms)]
    for i, age in enumerate(ages):
        kids[i % rooms].append(age)
    return [Party(split[i], tuple(kids[i])) for i in range(rooms)]


def _band_for(age: int | None, bands: list[ChildAgeBand]) -> ChildAgeBand | None:
    """The child's band; None: priced as an adult."""
    if age is None:
        children_bands = [b for b in bands if b.kind != ChildAgeBand.Kind.ADULT]
        return children_bands[-1] if children_bands else None
    band = next((b for b in bands if age <= b.up_to_age), None)
    return None if band is None or band.kind == ChildAgeBand.Kind.ADULT else band


def supplement_for(party: Party, *, season: Rate | None, bands: list[ChildAgeBand], currency: str) -> Supplement:
    """One night of one room: what its party adds to the base price (bands sorted by up_to_age)."""
    base = season.base_occupancy if season is not None else None
    extra_adult = round_money(season.extra_adult_amount, currency) if base is not None else ZERO
    as_adults, children = party.adults, ZERO
    if bands:
        for age in party.child_ages:
            band = _band_for(age, bands)
            if band is None:
                as_adults += 1
            elif band.kind == ChildAgeBand.Kind.AMOUNT:
                children += round_money(band.value, currency)
            elif band.kind == ChildAgeBand.Kind.PERCENT:
                children += percent_of(extra_adult, band.value, currency)
    if base is None:
        return Supplement(children=children)
    single = ZERO
    if as_adults == 1 and base >= 2:
        single = -round_money(season.single_occupancy_discount, currency)
    return Supplement(extra_adult * max(0, as_adults - base), children, single)


def line_supplement(parties: list[Party], *, season: Rate | None, bands: list[ChildAgeBand],
                    currency: str) -> Supplement:
    """The per-room supplement of a line of identical rooms: the rooms' average, each part rounded."""
    total = Supplement()
    for party in parties:
        total = total + supplement_for(party, season=season, bands=bands, currency=currency)
    if len(parties) == 1:
        return total
    n = len(parties)
    return Supplement(round_money(total.extra_adults / n, currency), round_money(total.children / n, currency),
                      round_money(total.single_occupancy / n, currency))
