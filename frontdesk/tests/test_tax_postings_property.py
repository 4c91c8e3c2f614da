"""No one-cent mismatch between offer and folio (apaleo/api#373), over random stays.

Random stays (1-30 nights, odd-cent rates, 1-3 rooms, a member discount or none) at hotels whose prices include
tax and hotels whose prices exclude it, with several percentage taxes valid on dates, a city tax per person per
night with a cap and an age exemption, random parties and child ages: the folio posts, night by night, exactly
what the quote charged. Pure: the engine and the folio allocation, no database.
"""

import json
from datetime import date, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from bookings.services.quote import quote_totals
from frontdesk.folio import NightLine, stay_postings, stay_spreading
from hotelbooking.money import ZERO, round_money
from inventory.models import Hotel, RoomType
from pricing.engine import PricingContext, quote_stay
from pricing.models import Fee, RatePlan, Tax

FIRST = date(2031, 1, 1)


@st.composite
def stays(draw):
    inclusive = draw(st.booleans())
    currency = draw(st.sampled_from(["EUR", "USD", "JPY"]))
    nights = draw(st.integers(1, 30))
    check_in = FIRST + timedelta(days=draw(st.integers(0, 360)))
    rates = [Decimal(draw(st.integers(0, 99999))) / 100 for _ in range(nights)]
    rooms = draw(st.integers(1, 3))
    adults = draw(st.integers(rooms, 2 * rooms))
    children = draw(st.integers(0, 2 * rooms))
    ages = draw(st.one_of(st.just([]), st.lists(st.integers(0, 17), min_size=children, max_size=children)))
    discount = draw(st.sampled_from([None, "10", "15"]))

    def validity():
        start = draw(st.one_of(st.none(), st.integers(-5, nights + 5)))
        length = draw(st.one_of(st.none(), st.integers(0, 20)))
        valid_from = None if start is None else check_in + timedelta(days=start)
        valid_until = None if length is None else (valid_from or check_in) + timedelta(days=length)
        return valid_from, valid_until

    taxes = []
    for i in range(draw(st.integers(0, 3))):
        valid_from, valid_until = validity()
        taxes.append(Tax(name=f"VAT {i}", kind=Tax.Kind.PERCENT,
                         value=draw(st.sampled_from([Decimal("5"), Decimal("7"), Decimal("8.875"), Decimal("19"),
                                                     Decimal("20")])),
                         base=draw(st.sampled_from([Tax.Base.NET, Tax.Base.GROSS])),
                         exempt_under_age=draw(st.one_of(st.none(), st.integers(6, 18))),
                         max_nights=draw(st.one_of(st.none(), st.integers(1, 30))),
                         valid_from=valid_from, valid_until=valid_until))
    if draw(st.booleans()):
        valid_from, valid_until = validity()
        taxes.append(Tax(name="City tax", kind=Tax.Kind.PER_PERSON_PER_NIGHT,
                         value=draw(st.sampled_from([Decimal("1.5"), Decimal("2.125"), Decimal("5")])),
                         exempt_under_age=draw(st.one_of(st.none(), st.integers(6, 18))),
                         max_nights=draw(st.one_of(st.none(), st.integers(1, 30))),
                         valid_from=valid_from, valid_until=valid_until))
    if draw(st.booleans()):
        taxes.append(Tax(name="Unit tax", kind=draw(st.sampled_from([Tax.Kind.PER_NIGHT, Tax.Kind.PER_STAY])),
                         value=Decimal("1.75"), exempt_under_age=draw(st.one_of(st.none(), st.integers(6, 18)))))
    fees = [Fee(name="Resort", kind=Fee.Kind.PER_NIGHT, amount=Decimal("9.99"))] if draw(st.booleans()) else []
    return SimpleNamespace(inclusive=inclusive, currency=currency, check_in=check_in, rates=rates, rooms=rooms,
                           adults=adults, children=children, ages=ages, discount=discount, taxes=taxes, fees=fees)


def quote_of(s):
    hotel = Hotel(code="PBT", name="Property", currency=s.currency, timezone="Europe/Berlin",
                  check_in_time=time(15), prices_include_tax=s.inclusive)
    room_type = RoomType(id=1, hotel=hotel, code="DBL", name="Double", max_adults=6, max_children=6,
                         max_occupancy=12)
    plan = RatePlan(hotel=hotel, code="BAR", name="Best Available Rate")
    if s.discount:
        plan = RatePlan(hotel=hotel, code="MEM", name="Members", parent_id=99,
                        derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal(s.discount))
    overrides = {(1, s.check_in + timedelta(days=i)): rate for i, rate in enumerate(s.rates)}
    ctx = PricingContext(hotel=hotel, rate_plan=plan, policy_snapshot={}, seasons={}, overrides=overrides,
                         taxes=s.taxes, fees=s.fees)
    return quote_stay(ctx, room_type=room_type, check_in=s.check_in, check_out=s.check_in +
                      timedelta(days=len(s.rates)), adults=s.adults, children=s.children, rooms=s.rooms,
                      booked_on=FIRST, child_ages=s.ages)


def booked(quote):
    """The reservation as bookings.services.create stores it (charge_lines through JSON, as the database)."""
    totals = quote_totals(quote)
    totals["charge_lines"] = json.loads(json.dumps(totals["charge_lines"]))
    return SimpleNamespace(currency=quote.currency, room_count=quote.rooms, room_type=quote.room_type, **totals)


@settings(max_examples=300, deadline=None)
@given(stays())
def test_the_folio_posts_exactly_what_the_quote_charged(s):
    quote = quote_of(s)
    c = quote.currency
    reservation = booked(quote)
    nights = [NightLine(n.date, n.net, n.rate) for n in quote.nights]
    postings = stay_postings(reservation, nights, stay_spreading(reservation.charge_lines, {}, {}))

    assert sum((p.amount for p in postings), ZERO) == round_money(quote.total, c) == reservation.grand_total
    assert all(p.amount >= 0 for p in postings)
    assert quote.total == quote.room_total + quote.taxes + quote.fees
    # Every tax line's postings add up to the line (no remainder was pushed onto a room line).
    for j, line in enumerate(quote.tax_lines):
        assert sum((p.amount for p in postings if p.key.endswith(f":tax:{j}")), ZERO) == line.amount
    for rate in {t.rate for t in quote.tax_lines if t.rate is not None}:
        assert sum((p.amount for p in postings if p.kind == "TAX" and p.rate == rate), ZERO) == \
            sum((t.amount for t in quote.tax_lines if t.rate == rate), ZERO)
    room = [p for p in postings if p.kind == "ROOM"]
    assert sum((p.amount for p in room), ZERO) == quote.room_total - quote.included_taxes
    if s.inclusive:
        included = {j for j, t in enumerate(quote.tax_lines) if t.included}
        assert included == {j for j, t in enumerate(quote.tax_lines) if t.kind == Tax.Kind.PERCENT}
        for night in quote.nights:
            on_night = [p for p in postings if p.night == night.date and
                        (p.kind == "ROOM" or any(p.key.endswith(f":tax:{j}") for j in included))]
            assert sum((p.amount for p in on_night), ZERO) == round_money(night.net * quote.rooms, c)
    else:
        assert quote.included_taxes == 0
        assert all(p.amount == round_money(n.net * quote.rooms, c) for p, n in zip(room, quote.nights, strict=True))
