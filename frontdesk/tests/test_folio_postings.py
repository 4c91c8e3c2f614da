"""The folio's night-by-night postings, to the cent and word for word (pure: no database)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from frontdesk.folio import (
    BY_GROSS,
    BY_NET,
    EVENLY,
    FIRST_NIGHT,
    NightLine,
    nightly_totals,
    spreading_for,
    stay_postings,
)

D = Decimal
FRI, SAT, SUN = date(2031, 1, 10), date(2031, 1, 11), date(2031, 1, 12)


def booked(**kw):
    fields = dict(currency="USD", room_count=1, grand_total=D("0"), taxes=D("0"), fees=D("0"), charge_lines={},
                  room_type=SimpleNamespace(name="Deluxe King Room"))
    fields.update(kw)
    return SimpleNamespace(**fields)


@pytest.mark.parametrize("group, kind, base, spreading", [
    ("taxes", "PERCENT", "GROSS", BY_GROSS),
    ("taxes", "PERCENT", "NET", BY_NET),
    ("taxes", "PERCENT", None, BY_NET),
    ("fees", "PER_NIGHT", None, EVENLY),
    ("fees", "PER_GUEST_PER_NIGHT", None, EVENLY),
    ("taxes", "PER_NIGHT", None, EVENLY),  # a flat tax a night is not spread by room revenue
    ("taxes", "PER_GUEST_PER_NIGHT", None, EVENLY),
    ("taxes", "PER_STAY", None, FIRST_NIGHT),
    ("taxes", None, None, BY_NET),
    ("fees", None, None, EVENLY),
])
def test_how_each_kind_of_line_is_spread(group, kind, base, spreading):
    assert spreading_for(group, kind, base) == spreading


def test_two_rooms_on_aaa_with_gross_tax_and_per_stay_fee_word_for_word():
    # Two rooms, 10% off 189/219: nets 170.10 and 197.10 per room; 12% tax on the gross 816.00 = 97.92;
    # a 25.00 per-stay fee per room = 50.00 on the first night.
    r = booked(room_count=2, grand_total=D("882.32"), taxes=D("97.92"), fees=D("50.00"),
               charge_lines={"taxes": [{"name": "Room tax", "amount": "97.92"}],
                             "fees": [{"name": "Cleaning", "amount": "50.00"}]})
    nights = [NightLine(FRI, D("170.10"), D("189.00")), NightLine(SAT, D("197.10"), D("219.00"))]
    postings = stay_postings(r, nights, {("taxes", "Room tax"): BY_GROSS, ("fees", "Cleaning"): FIRST_NIGHT})
    assert [(p.night, p.kind, p.description, p.amount, p.key) for p in postings] == [
        (FRI, "ROOM", "Deluxe King Room, night of Fri Jan 10 x 2 rooms", D("340.20"), "night:2031-01-10:room"),
        (FRI, "TAX", "Room tax, night of Fri Jan 10", D("45.36"), "night:2031-01-10:tax:0"),
        (FRI, "FEE", "Cleaning, night of Fri Jan 10", D("50.00"), "night:2031-01-10:fee:0"),
        (SAT, "ROOM", "Deluxe King Room, night of Sat Jan 11 x 2 rooms", D("394.20"), "night:2031-01-11:room"),
        (SAT, "TAX", "Room tax, night of Sat Jan 11", D("52.56"), "night:2031-01-11:tax:0"),
        (SAT, "FEE", "Cleaning, night of Sat Jan 11", D("0.00"), "night:2031-01-11:fee:0"),
    ]
    assert nightly_totals(postings) == [D("435.56"), D("446.76")]
    assert sum(nightly_totals(postings)) == r.grand_total


def test_a_net_tax_follows_the_discounted_nights_and_its_remainder_goes_to_the_heaviest():
    # 10.00 over nets 100 / 200 / 100: 2.50 / 5.00 / 2.50; 10.01 leaves a cent for the 200 night.
    r = booked(grand_total=D("410.01"), taxes=D("10.01"), charge_lines={"taxes": [{"name": "T", "amount": "10.01"}]})
    nights = [NightLine(FRI, D("100")), NightLine(SAT, D("200")), NightLine(SUN, D("100"))]
    taxes = [p.amount for p in stay_postings(r, nights) if p.kind == "TAX"]
    assert taxes == [D("2.50"), D("5.01"), D("2.50")]


def test_equal_nights_give_the_remainder_to_the_first():
    r = booked(grand_total=D("310.00"), fees=D("10.00"), charge_lines={"fees": [{"name": "F", "amount": "10.00"}]})
    nights = [NightLine(d, D("100")) for d in (FRI, SAT, SUN)]
    assert [p.amount for p in stay_postings(r, nights) if p.kind == "FEE"] == [D("3.34"), D("3.33"), D("3.33")]


def test_free_nights_share_a_tax_evenly():
    r = booked(grand_total=D("1.00"), taxes=D("1.00"), charge_lines={"taxes": [{"name": "T", "amount": "1.00"}]})
    nights = [NightLine(d, D("0")) for d in (FRI, SAT, SUN)]
    postings = stay_postings(r, nights)
    assert [p.amount for p in postings if p.kind == "TAX"] == [D("0.34"), D("0.33"), D("0.33")]
    assert [p.amount for p in postings if p.kind == "ROOM"] == [D("0.00")] * 3


def test_a_booking_without_named_lines_posts_its_totals_as_taxes_and_fees():
    r = booked(grand_total=D("230.00"), taxes=D("20.00"), fees=D("10.00"))
    nights = [NightLine(FRI, D("100")), NightLine(SAT, D("100"))]
    postings = stay_postings(r, nights)
    assert [(p.kind, p.description, p.amount) for p in postings] == [
        ("ROOM", "Deluxe King Room, night of Fri Jan 10", D("100.00")),
        ("TAX", "Taxes, night of Fri Jan 10", D("10.00")),
        ("FEE", "Fees, night of Fri Jan 10", D("5.00")),
        ("ROOM", "Deluxe King Room, night of Sat Jan 11", D("100.00")),
        ("TAX", "Taxes, night of Sat Jan 11", D("10.00")),
        ("FEE", "Fees, night of Sat Jan 11", D("5.00")),
    ]
    assert stay_postings(booked(grand_total=D("100.00")), [NightLine(FRI, D("100"))])[0].amount == D("100.00")
    assert len(stay_postings(booked(grand_total=D("100.00")), [NightLine(FRI, D("100"))])) == 1


def test_a_booked_total_that_differs_from_the_lines_by_a_cent_lands_on_the_dearest_room_night():
    r = booked(grand_total=D("300.01"))
    nights = [NightLine(FRI, D("100")), NightLine(SAT, D("200"))]
    assert [p.amount for p in stay_postings(r, nights)] == [D("100.00"), D("200.01")]
    assert stay_postings(r, []) == []


def test_yen_postings_are_whole_yen():
    r = booked(currency="JPY", grand_total=D("30001"), taxes=D("1"), charge_lines={"taxes": [{"name": "T",
                                                                                           "amount": "1"}]})
    nights = [NightLine(d, D("10000")) for d in (FRI, SAT, SUN)]
    assert [p.amount for p in stay_postings(r, nights) if p.kind == "TAX"] == [D("1"), D("0"), D("0")]
