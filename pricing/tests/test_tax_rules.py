"""Taxes a European or US hotel must charge: a city tax per person per night with an age exemption and a cap on
nights, prices that include VAT (derived night by night), and a VAT rate that changes on a date inside a stay.

The Berlin hotel: EUR, prices include tax, VAT 7% on rooms, a city tax of 5.00 per adult per night, children
under 18 exempt, capped at 21 nights. Weekdays 119.00, Saturdays 139.00, Sundays 129.00: per night the VAT
inside is 119 - round(119 / 1.07) = 119 - 111.21 = 7.79, 139 - 129.91 = 9.09, 129 - 120.56 = 8.44.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from pricing.models import Tax

from .pricing_setup import FRI, MON, make_hotel, room_type_with_rates, tax
from .pricing_setup import price as price_of

pytestmark = pytest.mark.django_db

D = Decimal


def price(plan, room_type, check_in=FRI, check_out=MON, *, child_ages=(), **kwargs):
    from pricing.engine import quote_stay
    from pricing.selectors import pricing_context_load

    ctx = pricing_context_load(hotel=plan.hotel, rate_plan=plan, room_type_ids=[room_type.id], check_in=check_in,
                               check_out=check_out, promotion=None)
    return quote_stay(ctx, room_type=room_type, check_in=check_in, check_out=check_out,
                      booked_on=date(2031, 1, 1), child_ages=child_ages, **{"adults": 2, **kwargs})


def city_tax(hotel, *, value="5.00", exempt_under_age=18, max_nights=21, **kwargs):
    return Tax.objects.create(hotel=hotel, name="City tax", kind=Tax.Kind.PER_PERSON_PER_NIGHT, value=D(value),
                              exempt_under_age=exempt_under_age, max_nights=max_nights, **kwargs)


def vat(hotel, value="7", name="VAT", **kwargs):
    return Tax.objects.create(hotel=hotel, name=name, kind=Tax.Kind.PERCENT, value=D(value), base=Tax.Base.NET,
                              **kwargs)


def berlin(inclusive=True):
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    hotel.prices_include_tax = inclusive
    hotel.save()
    double = room_type_with_rates(hotel, bar, code="DOUBLE", weekday="119", saturday="139", sunday="129",
                                  max_adults=3, max_children=2, max_occupancy=4)
    vat(hotel)
    city_tax(hotel)
    return hotel, bar, double


def test_berlin_25_nights_two_adults_and_a_child_of_8():
    hotel, bar, double = berlin()
    quote = price(bar, double, FRI, FRI + timedelta(days=25), children=1, child_ages=[8])
    d = quote.as_dict()
    # 25 nights from a Friday: 17 weekdays, 4 Saturdays, 4 Sundays.
    assert d["room_total"] == "3095.00"                  # 17 x 119 + 4 x 139 + 4 x 129, VAT inside
    # VAT night by night: 17 x 7.79 + 4 x 9.09 + 4 x 8.44 (the stay at once, 3095 - round(3095 / 1.07), is 202.48)
    assert d["tax_lines"] == [{"name": "City tax", "amount": "210.00"},      # 5.00 x 2 adults x 21 nights
                              {"name": "VAT", "amount": "202.55", "included": True, "rate": "7"}]
    assert (d["taxes"], d["included_taxes"], d["fees"], d["total"]) == ("210.00", "202.55", "0.00", "3305.00")
    city, included = quote.tax_lines
    assert [a for _, a in city.nights] == [D("10.00")] * 21 and city.nights[-1][0] == FRI + timedelta(days=20)
    assert dict(included.nights)[FRI] == D("7.79") and dict(included.nights)[FRI + timedelta(days=1)] == D("9.09")


def test_the_same_stay_at_a_hotel_whose_prices_exclude_tax_adds_the_vat():
    hotel, bar, double = berlin(inclusive=False)
    d = price(bar, double, FRI, FRI + timedelta(days=25), children=1, child_ages=[8]).as_dict()
    assert d["tax_lines"] == [{"name": "City tax", "amount": "210.00"}, {"name": "VAT", "amount": "216.65"}]
    assert (d["room_total"], d["taxes"], d["total"]) == ("3095.00", "426.65", "3521.65")
    assert "included_taxes" not in d


@pytest.mark.parametrize("nights, city", [(20, "200.00"), (21, "210.00"), (22, "210.00")])
def test_the_city_tax_stops_at_the_21st_night(nights, city):
    hotel, bar, double = berlin()
    d = price(bar, double, FRI, FRI + timedelta(days=nights)).as_dict()
    assert d["tax_lines"][0] == {"name": "City tax", "amount": city}


@pytest.mark.parametrize("ages, city", [([11], "30.00"), ([12], "45.00"), ([], "30.00"), ([17, 12], "60.00")])
def test_children_under_the_exemption_age_pay_nothing_and_an_unknown_age_is_exempt(ages, city):
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    double = room_type_with_rates(hotel, bar, code="DOUBLE", max_adults=3, max_children=2, max_occupancy=4)
    city_tax(hotel, exempt_under_age=12, max_nights=None)
    d = price(bar, double, children=max(len(ages), 1), child_ages=ages).as_dict()
    assert d["tax_lines"] == [{"name": "City tax", "amount": city}]   # 5.00 x 3 nights x taxable guests


def test_without_an_exemption_every_child_pays():
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    double = room_type_with_rates(hotel, bar, code="DOUBLE", max_adults=3, max_children=2, max_occupancy=4)
    city_tax(hotel, exempt_under_age=None, max_nights=None)
    assert price(bar, double, children=1).as_dict()["tax_lines"] == [{"name": "City tax", "amount": "45.00"}]


def test_a_percentage_tax_with_an_exemption_is_charged_on_the_taxable_guests_share():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, max_adults=2, max_children=2, max_occupancy=3)
    Tax.objects.create(hotel=hotel, name="Tourism levy", kind=Tax.Kind.PERCENT, value=D("10"),
                       exempt_under_age=12)
    # 10% of 607.00 = 60.70, on 2 taxable guests of 3: 40.4666... -> 40.47 (rounded once).
    assert price(bar, king, children=1, child_ages=[5]).as_dict()["tax_lines"] == [
        {"name": "Tourism levy", "amount": "40.47"}]
    assert price(bar, king, children=1, child_ages=[12]).as_dict()["tax_lines"] == [
        {"name": "Tourism levy", "amount": "60.70"}]


def test_a_vat_change_on_1_july_gives_two_lines_priced_by_night():
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    hotel.prices_include_tax = True
    hotel.save()
    double = room_type_with_rates(hotel, bar, code="DOUBLE", weekday="119", saturday="119", sunday="119")
    vat(hotel, "7", name="VAT 7%", valid_until=date(2031, 6, 30))
    vat(hotel, "19", name="VAT 19%", valid_from=date(2031, 7, 1))
    quote = price(bar, double, date(2031, 6, 28), date(2031, 7, 3))
    # June 28-30 at 7%: 3 x (119 - 111.21); July 1-2 at 19%: 2 x (119 - 100.00).
    assert quote.as_dict()["tax_lines"] == [{"name": "VAT 19%", "amount": "38.00", "included": True, "rate": "19"},
                                            {"name": "VAT 7%", "amount": "23.37", "included": True, "rate": "7"}]
    assert quote.as_dict()["total"] == "595.00"
    assert [d for d, _ in quote.tax_lines[0].nights] == [date(2031, 7, 1), date(2031, 7, 2)]


def test_a_vat_change_at_a_hotel_whose_prices_exclude_tax():
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    double = room_type_with_rates(hotel, bar, code="DOUBLE", weekday="119", saturday="119", sunday="119")
    vat(hotel, "7", name="VAT 7%", valid_until=date(2031, 6, 30))
    vat(hotel, "19", name="VAT 19%", valid_from=date(2031, 7, 1))
    d = price(bar, double, date(2031, 6, 28), date(2031, 7, 3)).as_dict()
    # 7% of 357.00 = 24.99; 19% of 238.00 = 45.22
    assert d["tax_lines"] == [{"name": "VAT 19%", "amount": "45.22"}, {"name": "VAT 7%", "amount": "24.99"}]
    assert d["total"] == "665.21"


def test_a_stay_outside_a_taxs_validity_has_no_line_for_it():
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    double = room_type_with_rates(hotel, bar, code="DOUBLE")
    vat(hotel, "19", name="VAT 19%", valid_from=MON)          # the check-out day is not a stay night
    vat(hotel, "7", name="VAT 7%", valid_until=FRI)           # the first night only: 7% of 189.00
    assert price(bar, double).as_dict()["tax_lines"] == [{"name": "VAT 7%", "amount": "13.23"}]


def test_several_rooms_at_an_inclusive_hotel_carry_each_rooms_vat():
    hotel, bar, double = berlin()
    d = price(bar, double, FRI, FRI + timedelta(days=1), rooms=2, adults=4).as_dict()
    # One Friday, two rooms: 2 x (119 - 111.21); city tax 5.00 x 4 adults
    assert d["tax_lines"] == [{"name": "City tax", "amount": "20.00"},
                              {"name": "VAT", "amount": "15.58", "included": True, "rate": "7"}]
    assert (d["room_total"], d["total"]) == ("238.00", "258.00")


def test_two_included_rates_on_one_night_split_its_tax_and_keep_net_plus_tax_equal_to_the_price():
    hotel, bar = make_hotel(currency="EUR", timezone="Europe/Berlin")
    hotel.prices_include_tax = True
    hotel.save()
    double = room_type_with_rates(hotel, bar, code="DOUBLE", weekday="100", saturday="100", sunday="100")
    vat(hotel, "7", name="A VAT")
    vat(hotel, "2", name="B levy")
    quote = price(bar, double, FRI, FRI + timedelta(days=1))
    # 100 / 1.09 = 91.74 net: 8.26 of tax inside, split 7 : 2 -> 6.42 + 1.84
    assert [(t.name, t.amount) for t in quote.tax_lines] == [("A VAT", D("6.42")), ("B levy", D("1.84"))]
    assert quote.total == D("100.00") and quote.taxes == 0


def test_a_us_hotel_is_unchanged():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar)
    tax(hotel, value="12")
    d = price_of(bar, king).as_dict()
    assert d["tax_lines"] == [{"name": "PERCENT tax", "amount": "72.84"}]
    assert (d["taxes"], d["total"]) == ("72.84", "679.84")
