"""A tax on the undiscounted rate is spread over the nights by those rates, for every room booked (pure)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from frontdesk.folio import BY_GROSS, NightLine, stay_postings

D = Decimal
FRI, SAT, SUN = date(2031, 1, 10), date(2031, 1, 11), date(2031, 1, 12)


def booked(**kw):
    fields = dict(currency="USD", room_count=1, taxes=D("0"), fees=D("0"), charge_lines={},
                  room_type=SimpleNamespace(name="Deluxe King Room"))
    fields.update(kw)
    return SimpleNamespace(**fields)


def tax_postings(reservation, nights):
    postings = stay_postings(reservation, nights, {("taxes", "Room tax"): BY_GROSS})
    return [p.amount for p in postings if p.kind == "TAX"]


def test_a_gross_tax_follows_the_rates_not_the_promotion_that_took_only_friday():
    # 10% off Friday only: nets 170.10 and 219.00, rates 189.00 and 219.00. 12% of the gross 408.00 = 48.96,
    # spread 189 : 219 (22.68 + 26.28), not 170.10 : 219.00 (21.40 + 27.56).
    r = booked(grand_total=D("438.06"), taxes=D("48.96"), charge_lines={"taxes": [{"name": "Room tax",
                                                                                  "amount": "48.96"}]})
    nights = [NightLine(FRI, D("170.10"), D("189.00")), NightLine(SAT, D("219.00"), D("219.00"))]
    assert tax_postings(r, nights) == [D("22.68"), D("26.28")]


def test_a_gross_tax_on_three_rooms_is_spread_by_what_the_three_rooms_cost_a_night():
    # Three rooms at 189.23 / 219.00 / 199.00: 567.69 / 657.00 / 597.00, and 12% of 1821.69 = 218.60.
    r = booked(room_count=3, grand_total=D("2040.29"), taxes=D("218.60"),
               charge_lines={"taxes": [{"name": "Room tax", "amount": "218.60"}]})
    nights = [NightLine(FRI, D("189.23"), D("189.23")), NightLine(SAT, D("219.00"), D("219.00")),
              NightLine(SUN, D("199.00"), D("199.00"))]
    assert tax_postings(r, nights) == [D("68.12"), D("78.84"), D("71.64")]
    rooms = [p for p in stay_postings(r, nights) if p.kind == "ROOM"]
    assert [p.amount for p in rooms] == [D("567.69"), D("657.00"), D("597.00")]
    assert rooms[0].description == "Deluxe King Room, night of Fri Jan 10 x 3 rooms"


def test_a_booking_that_names_no_room_count_is_posted_as_one_room():
    postings = stay_postings(booked(room_count=None, grand_total=D("189.00")), [NightLine(FRI, D("189.00"))])
    assert [(p.description, p.amount) for p in postings] == [("Deluxe King Room, night of Fri Jan 10", D("189.00"))]
