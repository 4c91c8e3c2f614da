"""Extras priced by the engine: each kind, rooms and party, included in a plan at 0.00, and taxed to the cent.

The stay: Fri-Mon at the Deluxe King, 189 + 219 + 199 = 607.00 a room; 12% room tax on the gross; 15.00 resort
fee per room per night.
"""

from decimal import Decimal

import pytest

from hotelbooking.errors import ExtraNotAvailable, UnknownExtra, ValidationFailed
from pricing.engine import extras_choose, quote_stay
from pricing.models import Extra, Tax
from pricing.selectors import pricing_context_load
from tests.factories import RateFactory, RatePlanFactory

from .pricing_setup import BOOKED_ON, FRI, MON, fee, make_hotel, room_type_with_rates, tax, week

D = Decimal


@pytest.fixture
def hotel_plan_room(db):
    hotel, bar = make_hotel()
    rt = room_type_with_rates(hotel, bar, max_adults=4, max_children=2, max_occupancy=4)
    tax(hotel, value="12")
    fee(hotel, amount="15", name="Resort fee")
    extras = {
        "BRKF": Extra.objects.create(hotel=hotel, code="BRKF", name="Breakfast", price=D("24.50"),
                                     kind=Extra.Kind.PER_PERSON_PER_NIGHT),
        "PARK": Extra.objects.create(hotel=hotel, code="PARK", name="Parking", price=D("45"),
                                     kind=Extra.Kind.PER_NIGHT, max_quantity=2),
        "XFER": Extra.objects.create(hotel=hotel, code="XFER", name="Airport transfer", price=D("85"),
                                     kind=Extra.Kind.PER_STAY, tax_exempt=True),
        "WELC": Extra.objects.create(hotel=hotel, code="WELC", name="Welcome drink", price=D("7.50"),
                                     kind=Extra.Kind.PER_PERSON),
    }
    return hotel, bar, rt, extras


def priced(plan, rt, extras=(), *, adults=2, children=0, rooms=1, check_in=FRI, check_out=MON):
    ctx = pricing_context_load(hotel=plan.hotel, rate_plan=plan, room_type_ids=[rt.id], check_in=check_in,
                               check_out=check_out)
    return quote_stay(ctx, room_type=rt, check_in=check_in, check_out=check_out, adults=adults, children=children,
                      rooms=rooms, booked_on=BOOKED_ON, extras=extras_choose(ctx.extras, list(extras)))


def line(quote, code):
    return next(e for e in quote.extra_lines if e.code == code)


def by_night(pairs):
    return [str(a) for _, a in pairs]


def test_no_extra_chosen_leaves_every_figure_as_it_was(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt)
    assert (q.room_total, q.taxes, q.fees, q.total) == (D("607"), D("72.84"), D("45"), D("724.84"))
    assert q.extra_lines == [] and q.extras == 0
    assert "extras" not in q.as_dict() and "extra_lines" not in q.as_dict()
    assert q.nightly_totals == [D("225.69"), D("261.52"), D("237.63")]


def test_breakfast_per_person_per_night_for_two_is_taxed_with_the_room(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "brkf", "quantity": 1}])
    brkf = line(q, "BRKF")
    assert (brkf.units, brkf.unit_price, brkf.amount) == (6, D("24.50"), D("147.00"))
    assert by_night(brkf.nights) == ["49.00", "49.00", "49.00"]
    # 12% of the rooms' 607.00 and the breakfasts' 147.00, rounded once; spread by each night's base.
    room_tax = q.tax_lines[0]
    assert room_tax.amount == D("90.48")
    assert by_night(room_tax.nights) == ["28.56", "32.16", "29.76"]
    assert q.total == D("889.48")
    assert q.nightly_totals == [D("280.18"), D("316.88"), D("292.42")]
    shown = q.as_dict()
    assert shown["extras"] == "147.00" and shown["total"] == "889.48"
    assert shown["extra_lines"][0] == {
        "code": "BRKF", "name": "Breakfast", "kind": "PER_PERSON_PER_NIGHT", "quantity": 1, "unit_price": "24.50",
        "amount": "147.00", "included": False,
        "nights": [{"date": "2031-01-10", "amount": "49.00"}, {"date": "2031-01-11", "amount": "49.00"},
                   {"date": "2031-01-12", "amount": "49.00"}]}


def test_breakfast_for_two_rooms_counts_every_guest_of_the_party(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "BRKF"}], adults=3, children=1, rooms=2)
    assert line(q, "BRKF").amount == D("294.00")            # 4 guests x 3 nights x 24.50
    assert q.room_total == D("1214")
    assert q.taxes == D("180.96")                           # 12% of 1214.00 + 294.00
    assert q.fees == D("90")
    assert q.total == D("1778.96")
    assert sum(q.nightly_totals) == q.total


def test_parking_per_night_counts_cars_not_guests_nor_rooms(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "PARK", "quantity": 2}], adults=4, rooms=2)
    park = line(q, "PARK")
    assert (park.units, park.amount) == (6, D("270.00"))
    assert by_night(park.nights) == ["90.00", "90.00", "90.00"]
    assert q.taxes == D("178.08")                           # 12% of 1214.00 + 270.00
    assert q.total == D("1214") + D("178.08") + D("90") + D("270")


def test_a_tax_exempt_transfer_per_stay_lands_on_the_first_night_untaxed(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "XFER"}])
    xfer = line(q, "XFER")
    assert (xfer.amount, by_night(xfer.nights)) == (D("85.00"), ["85.00"])
    assert xfer.nights[0][0] == FRI
    assert q.taxes == D("72.84")                            # as without it
    assert q.total == D("809.84")
    assert q.nightly_totals[0] == D("310.69")               # 225.69 + 85.00


def test_a_per_person_extra_is_once_per_guest(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "WELC"}], adults=2, children=1)
    welc = line(q, "WELC")
    assert (welc.units, welc.amount, by_night(welc.nights)) == (3, D("22.50"), ["22.50"])
    assert q.taxes == D("75.54")                            # 12% of 607.00 + 22.50 = 75.54
    assert q.total == D("607") + D("75.54") + D("45") + D("22.50")


def test_several_extras_add_up_and_the_nights_reconcile(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "BRKF"}, {"code": "PARK"}, {"code": "XFER"}])
    assert [e.code for e in q.extra_lines] == ["BRKF", "PARK", "XFER"]
    assert q.extras == D("367.00")                          # 147 + 135 + 85
    assert q.taxes == D("106.68")                           # 12% of 607 + 147 + 135 (the transfer is exempt)
    assert q.total == D("1125.68")
    assert sum(q.nightly_totals) == q.total
    assert q.tax_lines[0].amount == sum(a for _, a in q.tax_lines[0].nights)


def test_bed_and_breakfast_includes_breakfast_at_zero(hotel_plan_room):
    hotel, bar, rt, extras = hotel_plan_room
    bnb = RatePlanFactory(hotel=hotel, code="BB", name="Bed and Breakfast",
                          cancellation_policy=bar.cancellation_policy)
    RateFactory(rate_plan=bnb, room_type=rt, start_date=FRI, end_date=MON, **week("219", "249", "229"))
    bnb.included_extras.add(extras["BRKF"])
    q = priced(bnb, rt, [{"code": "BRKF"}, {"code": "PARK"}])   # breakfast chosen again: nothing more
    assert [(e.code, e.included, e.amount) for e in q.extra_lines] == [("BRKF", True, D("0")),
                                                                        ("PARK", False, D("135.00"))]
    assert q.room_total == D("697")                         # 219 + 249 + 229
    assert q.taxes == D("99.84")                            # 12% of the rooms' 697.00 and parking 135.00
    assert q.total == D("697") + D("99.84") + D("45") + D("135")
    assert q.as_dict()["extra_lines"][0]["included"] is True
    assert q.as_dict()["extra_lines"][0]["amount"] == "0.00"


def test_percentage_taxes_apply_to_extras_only_on_the_nights_they_tax(hotel_plan_room):
    hotel, bar, rt, _ = hotel_plan_room
    Tax.objects.filter(hotel=hotel).update(max_nights=1)     # only the first night is taxed
    q = priced(bar, rt, [{"code": "BRKF"}])
    assert q.taxes == D("28.56")                            # 12% of 189.00 + 49.00
    assert by_night(q.tax_lines[0].nights) == ["28.56"]


def test_at_a_hotel_whose_prices_include_tax_the_extras_hold_their_tax_too(db):
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    hotel.prices_include_tax = True
    hotel.save()
    rt = room_type_with_rates(hotel, bar, code="DOUBLE", weekday="100", saturday="100", sunday="100")
    tax(hotel, value="7", base=Tax.Base.NET, name="VAT 7%")
    Extra.objects.create(hotel=hotel, code="BRKF", name="Breakfast", price=D("20"),
                         kind=Extra.Kind.PER_PERSON_PER_NIGHT)
    q = priced(bar, rt, [{"code": "BRKF"}], adults=1, check_out=FRI.replace(day=12))
    vat = q.tax_lines[0]
    # Per night: the room 100.00 holds 6.54 (100 - 93.46), the breakfast 20.00 holds 1.31 (20 - 18.69).
    assert vat.included and by_night(vat.nights) == ["7.85", "7.85"]
    assert q.included_taxes == D("15.70")
    assert q.taxes == 0
    assert q.total == D("240.00")


def test_extras_that_cannot_be_had_are_refused_with_a_code(hotel_plan_room):
    hotel, bar, rt, extras = hotel_plan_room
    with pytest.raises(UnknownExtra) as unknown:
        priced(bar, rt, [{"code": "SPA"}])
    assert unknown.value.code == "UNKNOWN_EXTRA" and unknown.value.details["extra"] == "SPA"
    with pytest.raises(ExtraNotAvailable) as too_many:
        priced(bar, rt, [{"code": "PARK", "quantity": 3}])
    assert too_many.value.code == "EXTRA_NOT_AVAILABLE" and too_many.value.details["max_quantity"] == 2
    extras["XFER"].is_active = False
    extras["XFER"].save()
    with pytest.raises(ExtraNotAvailable):
        priced(bar, rt, [{"code": "XFER"}])
    with pytest.raises(ValidationFailed):
        priced(bar, rt, [{"code": "BRKF", "quantity": "two"}])
    with pytest.raises(ValidationFailed):
        priced(bar, rt, [{"code": "BRKF", "quantity": -1}])
    other, other_bar = make_hotel(code="OTH")
    room_type_with_rates(other, other_bar, code="OTHER", **{})
    with pytest.raises(UnknownExtra):   # another hotel's extra
        ctx = pricing_context_load(hotel=other, rate_plan=other_bar, room_type_ids=[], check_in=FRI, check_out=MON)
        extras_choose(ctx.extras, [{"code": "BRKF"}])


def test_a_quantity_of_zero_takes_nothing(hotel_plan_room):
    _, bar, rt, _ = hotel_plan_room
    q = priced(bar, rt, [{"code": "BRKF", "quantity": 0}])
    assert q.extra_lines == [] and q.total == D("724.84")


def test_unit_price_with_three_decimals_is_rounded_once_to_the_cent(hotel_plan_room):
    hotel, bar, rt, _ = hotel_plan_room
    Extra.objects.create(hotel=hotel, code="TEA", name="Tea", price=D("3.335"), kind=Extra.Kind.PER_NIGHT)
    q = priced(bar, rt, [{"code": "TEA"}])
    assert (line(q, "TEA").unit_price, line(q, "TEA").amount) == (D("3.34"), D("10.02"))


