"""What an invoice says, from a folio's lines and payments. Pure: no queries; no rounding but the ledger's own
and the extras' part of a night's tax.

A room night's line carries the percentage taxes posted for the same night on the same folio (net = the room
charge, tax per rate, gross = both). A taxable extra of that night (breakfast: the night's TAX line holds its tax
too) carries its own part, its net at the rate rounded half-up, and the room line the rest: each line's tax is
its own, and the summary's base for the rate counts the extra. Every other charge (fees, incidentals, a flat
city tax, penalties, corrections) is a line of its own with no tax on it. The summary has one row per rate with
the net base it taxes, and one (rate None) for the lines that carry no percentage tax. Gross totals add up to
the folio's charges to the cent, so what is invoiced reconciles with the folio.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hotelbooking.money import ZERO, rate_text, round_money  # noqa: F401 (rate_text: read from here too)


@dataclass
class LineTax:
    name: str
    rate: Decimal
    amount: Decimal


@dataclass
class Line:
    date: date
    kind: str
    description: str
    net: Decimal
    taxes: list[LineTax] = field(default_factory=list)
    folio_line_ids: list[int] = field(default_factory=list)

    @property
    def tax(self) -> Decimal:
        return sum((t.amount for t in self.taxes), ZERO)

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class TaxRow:
    rate: Decimal | None
    net: Decimal
    tax: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax


@dataclass(frozen=True)
class PaymentRow:
    date: date
    description: str
    amount: Decimal  # a refund is negative


@dataclass
class Composition:
    lines: list[Line]
    tax_rows: list[TaxRow]
    payments: list[PaymentRow]

    @property
    def net_total(self) -> Decimal:
        return sum((x.net for x in self.lines), ZERO)

    @property
    def tax_total(self) -> Decimal:
        return sum((x.tax for x in self.lines), ZERO)

    @property
    def gross_total(self) -> Decimal:
        return sum((x.gross for x in self.lines), ZERO)

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def balance(self) -> Decimal:
        return self.gross_total - self.paid_total


def tax_name(description: str) -> str:
    """A tax posting's name: its description up to ", night of" ("NYC Hotel Room Tax, night of Fri Dec 4")."""
    return description.split(", night of")[0]


def line_rate(line, known_rates: dict[str, Decimal]) -> Decimal | None:
    """A TAX line's rate in percent: as posted, else the hotel's percentage tax of that name, else None (a flat
    tax, which is a line of its own)."""
    if line.kind != "TAX":
        return None
    if line.tax_rate is not None:
        return Decimal(line.tax_rate)
    return known_rates.get(tax_name(line.description))


def compose(folio_lines: list, payments: list[PaymentRow], known_rates: dict[str, Decimal],
            taxed_extras: frozenset[int] = frozenset()) -> Composition:
    """The invoice of these folio lines (in bill order) and payments. `known_rates` maps a percentage tax's name
    to its rate, for postings made before lines recorded their rate; `taxed_extras` are the ids of the EXTRA
    lines whose percentage tax the night's TAX lines hold."""
    rated = {fl.pk: line_rate(fl, known_rates) for fl in folio_lines}
    lines: list[Line] = []
    room_of_night: dict[date, Line] = {}
    for fl in folio_lines:
        if fl.kind == "ROOM":
            line = Line(fl.business_date, fl.kind, fl.description, fl.amount, folio_line_ids=[fl.pk])
            room_of_night.setdefault(fl.business_date, line)
            lines.append(line)
    extras_of_night: dict[date, list[Line]] = {}
    for fl in folio_lines:
        if fl.kind == "ROOM" or rated[fl.pk] is not None:
            continue
        line = Line(fl.business_date, fl.kind, fl.description, fl.amount, folio_line_ids=[fl.pk])
        lines.append(line)
        if fl.pk in taxed_extras:
            extras_of_night.setdefault(fl.business_date, []).append(line)
    for fl in folio_lines:
        rate = rated[fl.pk]
        if fl.kind == "ROOM" or rate is None:
            continue
        host = room_of_night.get(fl.business_date)
        if host is None:  # a night's tax without its room charge on this folio: shown alone
            host = Line(fl.business_date, fl.kind, fl.description, ZERO)
            lines.append(host)
        name = tax_name(fl.description)
        parts = [(x, round_money(x.net * rate / 100, fl.currency)) for x in extras_of_night.get(fl.business_date, [])]
        if fl.amount <= 0 or not parts or sum(p for _, p in parts) > fl.amount:
            parts = []  # a credit, or a tax too small to hold the extras' part: all of it on the room line
        for extra, part in parts:
            extra.taxes.append(LineTax(name, rate, part))
        host.taxes.append(LineTax(name, rate, fl.amount - sum((p for _, p in parts), ZERO)))
        host.folio_line_ids.append(fl.pk)
    order = {pk: i for i, pk in enumerate(fl.pk for fl in folio_lines)}
    lines.sort(key=lambda x: (x.date, x.kind not in ("ROOM", "TAX", "FEE", "EXTRA"), order[x.folio_line_ids[0]]))
    return Composition(lines=lines, tax_rows=tax_summary(lines), payments=payments)


def tax_summary(lines: list[Line]) -> list[TaxRow]:
    """One row per rate (its net base and tax), in rate order, then the untaxed lines (rate None)."""
    bases: dict[Decimal, Decimal] = {}
    taxes: dict[Decimal, Decimal] = {}
    untaxed = None
    for line in lines:
        if not line.taxes:
            untaxed = (untaxed or ZERO) + line.net
            continue
        for rate in {t.rate for t in line.taxes}:
            bases[rate] = bases.get(rate, ZERO) + line.net
        for t in line.taxes:
            taxes[t.rate] = taxes.get(t.rate, ZERO) + t.amount
    rows = [TaxRow(rate, bases[rate], taxes[rate]) for rate in sorted(bases)]
    if untaxed is not None:
        rows.append(TaxRow(None, untaxed, ZERO))
    return rows


def negated(invoice) -> Composition:
    """A credit note's content: the invoice's lines, tax rows and payments (stored rows) with every sign turned."""
    lines = [Line(x.date, x.kind, x.description, -x.net,
                  [LineTax(t["name"], Decimal(t["rate"]), -Decimal(t["amount"])) for t in x.taxes],
                  list(x.folio_line_ids))
             for x in invoice.lines.all()]
    rows = [TaxRow(t.rate, -t.net, -t.tax) for t in invoice.tax_summary.all()]
    payments = [PaymentRow(date.fromisoformat(p["date"]), p["description"], -Decimal(p["amount"]))
                for p in invoice.payments]
    return Composition(lines=lines, tax_rows=rows, payments=payments)
