"""Where the folio's odd cents go: the booking's own remainder onto the dearest room night (the first of equal
ones), and a fee the hotel no longer lists spread evenly, as fees are (pure)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from frontdesk.folio import NightLine, stay_postings

D = Decimal
FRI, SAT = date(2031, 1, 10), date(2031, 1, 11)


def booked(**kw):
    fields = dict(currency="USD", room_count=1, taxes=D("0"), fees=D("0"), charge_lines={},
                  room_type=SimpleNamespace(name="Deluxe King Room"))
    fields.update(kw)
    return SimpleNamespace(**fields)


def rooms(postings):
    return [p.amount for p in postings if p.kind == "ROOM"]


def test_the_booked_remainder_goes_on_the_dearest_night_even_when_it_comes_first():
    r = booked(grand_total=D("300.01"))
    assert rooms(stay_postings(r, [NightLine(FRI, D("200")), NightLine(SAT, D("100"))])) == [D("200.01"), D("100.00")]


def test_the_booked_remainder_goes_on_the_first_of_equal_nights():
    r = booked(grand_total=D("200.01"))
    assert rooms(stay_postings(r, [NightLine(FRI, D("100")), NightLine(SAT, D("100"))])) == [D("100.01"), D("100.00")]


def test_a_fee_without_a_known_kind_is_spread_evenly_not_by_room_revenue():
    r = booked(grand_total=D("310.00"), fees=D("10.00"), charge_lines={"fees": [{"name": "Resort", "amount": "10.00"}]})
    postings = stay_postings(r, [NightLine(FRI, D("100")), NightLine(SAT, D("200"))])
    assert [p.amount for p in postings if p.kind == "FEE"] == [D("5.00"), D("5.00")]
