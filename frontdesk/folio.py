"""How a booked stay turns into folio postings, night by night. Pure: no queries beyond what is passed in.

Each night gets its room line (the booked net rate times the rooms) and a share of every tax and fee line of
the booking: percentage taxes in proportion to the night's room revenue (net or gross, as the tax is based),
per-night amounts evenly, per-stay amounts on the first night. Each line's rounding remainder goes to its
heaviest night, so the postings of all nights add up to exactly the booked grand total: posting nightly and
the prepaid total reconcile to the cent (see FolioLine).

A booking that stored its tax lines night by night (pricing/engine/taxes.py: validity dates, night caps) is
posted exactly so, each percentage tax with its rate. At a hotel whose prices include tax, the included tax of
a night is posted as its TAX line and the ROOM line is the night's net: together, the night's price.

Extras the guest booked (breakfast, parking: Reservation.charge_lines["extras"], pricing/engine/extras.py) are
posted as EXTRA lines on the nights they were priced on: a per-night extra each night, any other on the first
night; their percentage tax is inside the night's TAX line (at a hotel whose prices include tax, the EXTRA line
is the extra's net and the ROOM line keeps only the room's tax out). Included extras (0.00) post nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from hotelbooking.money import ZERO, allocate, round_money


@dataclass(frozen=True)
class Posting:
    night: date
    kind: str            # ROOM, TAX, FEE or EXTRA (FolioLine.Kind values)
    description: str
    amount: Decimal
    key: str             # FolioLine.posting_key: makes posting idempotent
    line: str = ""       # the tax, fee or extra line's name as booked (TAX, FEE and EXTRA postings)
    rate: Decimal | None = None  # a percentage tax posting's rate in percent (FolioLine.tax_rate)


@dataclass(frozen=True)
class NightLine:
    """What the allocation needs of a ReservationNight (per room)."""

    date: date
    net: Decimal
    rate: Decimal | None = None  # the undiscounted rate; the net when unknown


# How a tax or fee line is spread over the nights.
BY_NET = "NET"        # a percentage of room revenue after discounts
BY_GROSS = "GROSS"    # a percentage of room revenue at the undiscounted rate
EVENLY = "EVEN"       # an amount per night (or per guest per night)
FIRST_NIGHT = "FIRST"  # an amount per stay


def spreading_for(group: str, kind: str | None, base: str | None = None) -> str:
    """The spreading of a tax or fee line from its kind (pricing.models.Tax / Fee); unknown kinds fall back to
    the usual: taxes follow room revenue, fees are spread evenly."""
    if kind == "PERCENT":
        return BY_GROSS if base == "GROSS" else BY_NET
    if kind in ("PER_NIGHT", "PER_GUEST_PER_NIGHT"):
        return EVENLY
    if kind == "PER_STAY":
        return FIRST_NIGHT
    return BY_NET if group == "taxes" else EVENLY


def stay_spreading(charge_lines: dict, taxes: dict, fees: dict) -> dict[tuple[str, str], str]:
    """How each tax and fee line of a booking is spread: from the line's kind when the booking stored it, else
    from the hotel's tax or fee of that name. `taxes` maps a Tax name to (kind, base), `fees` a Fee name to
    (kind, None)."""
    spreading = {}
    for group, known in (("taxes", taxes), ("fees", fees)):
        for line in (charge_lines or {}).get(group, []):
            kind, base = known.get(line["name"], (None, None))
            spreading[(group, line["name"])] = spreading_for(group, line.get("kind") or kind,
                                                             line.get("base") or base)
    return spreading


@dataclass(frozen=True)
class BookedLine:
    """A tax or fee line as the booking stored it (Reservation.charge_lines)."""

    name: str
    amount: Decimal
    nights: dict[str, Decimal] | None = None   # the amount per night (ISO date), when the booking stored it
    rate: Decimal | None = None                # a percentage tax's rate
    included: bool = False                     # inside the nightly price (a hotel whose prices include tax)


def _charge_lines(reservation, group: str, total: Decimal, label: str) -> list[BookedLine]:
    lines = [BookedLine(line["name"], Decimal(line["amount"]),
                        {d: Decimal(a) for d, a in line["nights"].items()} if "nights" in line else None,
                        Decimal(line["rate"]) if line.get("kind") == "PERCENT" and line.get("rate") else None,
                        bool(line.get("included")))
             for line in (reservation.charge_lines or {}).get(group, [])]
    if not lines and total:
        lines = [BookedLine(label, total)]
    return lines


@dataclass(frozen=True)
class BookedExtra:
    """An extra as the booking stored it (Reservation.charge_lines["extras"])."""

    name: str
    quantity: int
    amount: Decimal
    nights: dict[str, Decimal]
    taxable: bool = True


def booked_extras(reservation) -> list[BookedExtra]:
    """The extras the booking charges for (the included ones, at 0.00, are left out)."""
    return [BookedExtra(e["name"], int(e.get("quantity") or 1), Decimal(e["amount"]),
                        {d: Decimal(a) for d, a in (e.get("nights") or {}).items()}, bool(e.get("taxable", True)))
            for e in (reservation.charge_lines or {}).get("extras", []) if not e.get("included")]


def extras_total(reservation) -> Decimal:
    """What the booked total holds for extras."""
    return sum((e.amount for e in booked_extras(reservation)), ZERO)


def _extra_shares(extras: list[BookedExtra], taxes: list[BookedLine], tax_shares, nights: list[NightLine],
                  currency: str) -> tuple[list[list[Decimal | None]], list[Decimal]]:
    """Each extra's posting per night, and per night the extras' tax that the included TAX lines hold (to give
    back to the ROOM line, which had all of the night's included tax taken out): at a hotel whose prices include
    tax, a taxable extra of a night is posted at its net, price / (1 + the rates included that night), as the
    engine priced it."""
    shares = [[e.nights.get(n.date.isoformat()) for n in nights] for e in extras]
    given_back = [ZERO] * len(nights)
    for i, _night in enumerate(nights):
        rates = [t.rate / 100 for t, s in zip(taxes, tax_shares, strict=True)
                 if t.included and t.rate is not None and s[i] is not None]
        taxable = [j for j, e in enumerate(extras) if e.taxable and shares[j][i]]
        gross = sum((shares[j][i] for j in taxable), ZERO)
        if not rates or not gross:
            continue
        inside = gross - round_money(gross / (1 + sum(rates, ZERO)), currency)
        for j, part in zip(taxable, allocate(inside, [shares[j][i] for j in taxable], currency), strict=True):
            shares[j][i] -= part
        given_back[i] = inside
    return shares, given_back


def _shares(line: BookedLine, spreading: str, nights: list[NightLine], net: list[Decimal], gross: list[Decimal],
            currency: str) -> list[Decimal | None]:
    """The line's amount on each night: as booked night by night when the booking stored it (None: a night it
    does not apply to), else spread by its kind (bookings made before the nights were stored)."""
    dates = {n.date.isoformat() for n in nights}
    if line.nights is not None and set(line.nights) <= dates:
        return [line.nights.get(n.date.isoformat()) for n in nights]
    return allocate(line.amount, _weights(spreading, net, gross), currency)


def _weights(spreading: str, net: list[Decimal], gross: list[Decimal]) -> list[Decimal]:
    if spreading == BY_GROSS:
        return gross
    if spreading == EVENLY:
        return [Decimal(1)] * len(net)
    if spreading == FIRST_NIGHT:
        return [Decimal(1)] + [ZERO] * (len(net) - 1)
    return net


def stay_postings(reservation, nights: list[NightLine], spreading: dict[tuple[str, str], str] | None = None
                  ) -> list[Posting]:
    """Every night's postings for the booked stay, in night order. Their sum is the booked grand total.

    `spreading` maps ("taxes" or "fees", line name) to how that line is spread (see spreading_for).
    """
    if not nights:
        return []
    spreading = spreading or {}
    currency = reservation.currency
    rooms = reservation.room_count or 1
    room_amounts = [round_money(n.net * rooms, currency) for n in nights]
    gross = [round_money((n.rate if n.rate is not None else n.net) * rooms, currency) for n in nights]
    room_name = reservation.room_type.name
    per_room = f" x {rooms} rooms" if rooms > 1 else ""
    taxes = _charge_lines(reservation, "taxes", reservation.taxes, "Taxes")
    fees = _charge_lines(reservation, "fees", reservation.fees, "Fees")
    tax_shares = [_shares(t, spreading.get(("taxes", t.name), BY_NET), nights, room_amounts, gross, currency)
                  for t in taxes]
    fee_shares = [_shares(f, spreading.get(("fees", f.name), EVENLY), nights, room_amounts, gross, currency)
                  for f in fees]
    # A tax inside the nightly price is posted apart from the room: the ROOM line is the night's net.
    for line, shares in zip(taxes, tax_shares, strict=True):
        if line.included:
            room_amounts = [r - (s or ZERO) for r, s in zip(room_amounts, shares, strict=True)]
    extras = booked_extras(reservation)
    extra_shares, extras_tax = _extra_shares(extras, taxes, tax_shares, nights, currency)
    room_amounts = [r + t for r, t in zip(room_amounts, extras_tax, strict=True)]

    # Whatever the booking's own rounding left over (normally nothing) goes on the heaviest room line.
    booked = sum(room_amounts, ZERO) + sum((line.amount for line in [*taxes, *fees]), ZERO) \
        + sum((s for shares in extra_shares for s in shares if s is not None), ZERO)
    heaviest = max(range(len(nights)), key=lambda i: (room_amounts[i], -i))
    room_amounts[heaviest] += round_money(reservation.grand_total, currency) - booked

    postings = []
    for i, night in enumerate(nights):
        when = f"{night.date:%a %b} {night.date.day}"
        postings.append(Posting(night.date, "ROOM", f"{room_name}, night of {when}{per_room}", room_amounts[i],
                                f"night:{night.date.isoformat()}:room"))
        for j, line in enumerate(taxes):
            if tax_shares[j][i] is not None:
                postings.append(Posting(night.date, "TAX", f"{line.name}, night of {when}", tax_shares[j][i],
                                        f"night:{night.date.isoformat()}:tax:{j}", line.name, line.rate))
        for j, line in enumerate(fees):
            if fee_shares[j][i] is not None:
                postings.append(Posting(night.date, "FEE", f"{line.name}, night of {when}", fee_shares[j][i],
                                        f"night:{night.date.isoformat()}:fee:{j}", line.name))
        for j, extra in enumerate(extras):
            if extra_shares[j][i] is not None:
                times = f" x {extra.quantity}" if extra.quantity > 1 else ""
                postings.append(Posting(night.date, "EXTRA", f"{extra.name}{times}, night of {when}",
                                        extra_shares[j][i], f"night:{night.date.isoformat()}:extra:{j}",
                                        extra.name))
    return postings


def retained_posting(reservation) -> Posting | None:
    """The part of the retained liability the stay's own postings do not cover, posted at check-out.

    A stay shortened (or made cheaper) inside a paying cancellation window keeps what cancelling would have
    cost (Reservation.retained_amount): settling the folio must not refund it as a credit.
    """
    shortfall = round_money(reservation.retained_amount - reservation.grand_total, reservation.currency)
    if shortfall <= 0:
        return None
    last_night = max(reservation.check_in, reservation.check_out - timedelta(days=1))
    return Posting(last_night, "PENALTY", "Non-refundable after a change in the cancellation window", shortfall,
                   "retained")


def nightly_totals(postings: list[Posting]) -> list[Decimal]:
    """Each night's total (room, taxes, fees, extras), in stay order: the basis of "first N nights" penalties."""
    totals: dict[date, Decimal] = {}
    for p in postings:
        totals[p.night] = totals.get(p.night, ZERO) + p.amount
    return [totals[d] for d in sorted(totals)]
