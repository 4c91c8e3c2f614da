"""A booking's extras: what the guest chose (and the rate plan includes), stored on each reservation.

The pricing rule is pricing/engine/extras.py's; here they are kept (ReservationExtra, prices frozen like the
nights') and read back: as choices for a change of the stay, and as the booking's answer.
"""

from datetime import date
from decimal import Decimal

from hotelbooking.money import round_money
from pricing.engine import ExtraChoice, ExtraLine, Quote

from .models import Reservation, ReservationExtra


def extras_store(reservation: Reservation, quote: Quote) -> None:
    """The quote's extra lines become the reservation's (replacing what it had)."""
    ReservationExtra.objects.filter(reservation=reservation).delete()
    ReservationExtra.objects.bulk_create([
        ReservationExtra(reservation=reservation, code=line.code, name=line.name, kind=line.kind,
                         quantity=line.quantity, unit_price=line.unit_price, amount=line.amount,
                         nights={d.isoformat(): str(a) for d, a in line.nights}, included=line.included,
                         taxable=line.taxable)
        for line in quote.extra_lines])


def extras_booked(reservation: Reservation) -> list[ExtraChoice]:
    """The extras the guest chose, at the unit prices agreed at booking (the plan's included ones come with the
    plan)."""
    return [ExtraChoice(e.code, e.name, e.kind, Decimal(e.unit_price), e.quantity, e.taxable)
            for e in reservation.extras.all() if not e.included]


def extra_lines_booked(reservation: Reservation) -> list[ExtraLine]:
    """The reservation's extras as the quote's lines they were stored from."""
    return [ExtraLine(e.code, e.name, e.kind, e.quantity, Decimal(e.unit_price), 0, Decimal(e.amount),
                      tuple((date.fromisoformat(d), Decimal(a)) for d, a in sorted(e.nights.items())), e.included,
                      e.taxable) for e in reservation.extras.all()]


def extras_data(reservations: list[Reservation]) -> list[dict]:
    """The booking's extras as the API shows them (ExtraLineOutput), summed per code over its rooms."""
    summed: dict[str, dict] = {}
    currency = reservations[0].currency
    for r in reservations:
        for e in r.extras.all():
            line = summed.setdefault(e.code, {"code": e.code, "name": e.name, "kind": e.kind, "quantity": 0,
                                              "unit_price": e.unit_price, "amount": Decimal(0),
                                              "included": e.included, "nights": {}})
            line["quantity"] = max(line["quantity"], e.quantity)
            line["amount"] += e.amount
            for night, amount in e.nights.items():
                line["nights"][night] = line["nights"].get(night, Decimal(0)) + Decimal(amount)
    m = lambda amount: str(round_money(amount, currency))  # noqa: E731
    return [{**line, "unit_price": m(line["unit_price"]), "amount": m(line["amount"]),
             "nights": [{"date": d, "amount": m(a)} for d, a in sorted(line["nights"].items())]}
            for line in summed.values()]
