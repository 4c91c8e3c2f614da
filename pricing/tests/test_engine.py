"""The pricing engine: every figure a guest sees, to the cent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from hotelbooking.errors import InvalidParty, RateNotAvailable, UnknownPromoCode
from pricing.models import Fee, Promotion, Rate, RateOverride, RatePlan, Tax

from .pricing_setup import FRI, derived, fee, make_hotel, nightly, price, promo, room_type_with_rates, tax, week

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel_bar():
    return make_hotel()


@pytest.fixture
def king(hotel_bar):
    hotel, bar = hotel_bar
    return room_type_with_rates(hotel, bar)


def test_weekday_rates_friday_to_monday(hotel_bar, king):
    _, bar = hotel_bar
    q = price(bar, king)
    assert nightly(q) == ["189.00", "219.00", "199.00"]
    assert q.as_dict()["subtotal"] == "607.00"
    assert q.as_dict()["discount"] == "0.00"
    assert q.as_dict()["total"] == "607.00"


def test_the_seed_figures(hotel_bar, king):
    hotel, bar = hotel_bar
    aaa = derived(hotel, bar)
    tax(hotel, value="12", base=Tax.Base.GROSS)
    fee(hotel, amount="15")
    d = price(aaa, king).as_dict()
    assert [n["rate"] for n in d["nightly_rates"]] == ["189.00", "219.00", "199.00"]
    assert (d["subtotal"], d["discount"], d["rate_plan_discount"], d["promotion_discount"]) == (
        "607.00", "-60.70", "-60.70", "0.00")
    assert (d["room_total"], d["taxes"], d["fees"], d["total"]) == ("546.30", "72.84", "45.00", "664.14")


def test_overlapping_seasons_newest_start_wins_and_overrides_win_over_seasons(hotel_bar, king):
    hotel, bar = hotel_bar
    # A holiday season starting later overlaps the all-year one on Saturday and Sunday.
    Rate.objects.create(rate_plan=bar, room_type=king, name="Holiday", start_date=FRI + timedelta(days=1),
                        end_date=FRI + timedelta(days=20), **week("300", "320", "310"))
    RateOverride.objects.create(rate_plan=bar, room_type=king, date=FRI + timedelta(days=2), amount=Decimal("99"))
    assert nightly(price(bar, king)) == ["189.00", "320.00", "99.00"]


def test_overrides_of_a_base_plan_flow_into_derived_plans(hotel_bar, king):
    hotel, bar = hotel_bar
    aaa = derived(hotel, bar)
    RateOverride.objects.create(rate_plan=bar, room_type=king, date=FRI, amount=Decimal("250"))
    q = price(aaa, king)
    assert nightly(q) == ["250.00", "219.00", "199.00"]
    assert q.as_dict()["rate_plan_discount"] == "-66.80"


def test_no_rate_for_a_night_refuses_to_guess(hotel_bar):
    hotel, bar = hotel_bar
    rt = room_type_with_rates(hotel, bar, code="SHORT", start=FRI, end=FRI + timedelta(days=1))
    with pytest.raises(RateNotAvailable) as exc:
        price(bar, rt)
    assert exc.value.details["date"] == str(FRI + timedelta(days=2))


def test_derived_plan_amount_off_per_night_never_below_zero(hotel_bar, king):
    hotel, bar = hotel_bar
    q = price(derived(hotel, bar, code="LESS25", kind=RatePlan.Derivation.AMOUNT, value="25"), king)
    assert q.as_dict()["rate_plan_discount"] == "-75.00"
    assert q.as_dict()["room_total"] == "532.00"
    q = price(derived(hotel, bar, code="FREE", kind=RatePlan.Derivation.AMOUNT, value="500"), king)
    assert q.as_dict()["rate_plan_discount"] == "-607.00"
    assert q.as_dict()["room_total"] == "0.00"


def test_promotion_percent_applies_after_the_plan_discount(hotel_bar, king):
    hotel, bar = hotel_bar
    aaa = derived(hotel, bar)
    q = price(aaa, king, promotion=promo(hotel, value="10"))
    # Nets after AAA: 170.10, 197.10, 179.10; 10% of each: 17.01 + 19.71 + 17.91.
    assert [str(n.promotion_discount) for n in q.nights] == ["17.01", "19.71", "17.91"]
    assert q.as_dict()["promotion_discount"] == "-54.63"
    assert q.as_dict()["discount"] == "-115.33"
    assert q.as_dict()["room_total"] == "491.67"


def test_promotion_only_discounts_nights_inside_its_stay_window(hotel_bar, king):
    hotel, bar = hotel_bar
    saturday = FRI + timedelta(days=1)
    q = price(bar, king, promotion=promo(hotel, value="50", stay_start=saturday, stay_end=saturday))
    assert [str(n.promotion_discount) for n in q.nights] == ["0", "109.50", "0"]
    assert q.as_dict()["total"] == "497.50"


def test_promotion_booking_window_and_minimum_nights(hotel_bar, king):
    hotel, bar = hotel_bar
    early = promo(hotel, code="EARLY", book_start=date(2030, 6, 1), book_end=date(2030, 12, 31))
    with pytest.raises(UnknownPromoCode, match="cannot be booked today"):
        price(bar, king, promotion=early, booked_on=date(2031, 1, 1))
    assert price(bar, king, promotion=early, booked_on=date(2030, 12, 31)).as_dict()["promotion_discount"] == \
        "-60.70"
    long_stay = promo(hotel, code="STAY4", min_nights=4)
    with pytest.raises(UnknownPromoCode, match="at least 4 nights"):
        price(bar, king, promotion=long_stay)
    assert price(bar, king, FRI, FRI + timedelta(days=4), promotion=long_stay).as_dict()["promotion_discount"] \
        == "-79.60"
    summer = promo(hotel, code="SUMMER", stay_start=date(2031, 6, 1), stay_end=date(2031, 8, 31))
    with pytest.raises(UnknownPromoCode, match="does not apply to these dates"):
        price(bar, king, promotion=summer)
    retired = promo(hotel, code="OLD", is_active=False)
    with pytest.raises(UnknownPromoCode, match="no longer offered"):
        price(bar, king, promotion=retired)


def test_promotion_amount_is_spread_over_the_nights_and_adds_up_exactly(hotel_bar, king):
    hotel, bar = hotel_bar
    q = price(bar, king, promotion=promo(hotel, kind=Promotion.Kind.AMOUNT, value="50"))
    # 50 / 3 = 16.67 per night would give 50.01: the cent comes back off the first night.
    assert [str(n.promotion_discount) for n in q.nights] == ["16.66", "16.67", "16.67"]
    assert q.as_dict()["promotion_discount"] == "-50.00"
    assert q.as_dict()["room_total"] == "557.00"


def test_promotion_amount_larger_than_a_cheap_night_never_makes_a_night_negative(hotel_bar):
    hotel, bar = hotel_bar
    rt = room_type_with_rates(hotel, bar, code="MIXED", weekday="10", saturday="300", sunday="300")
    q = price(bar, rt, FRI, FRI + timedelta(days=2), promotion=promo(hotel, kind=Promotion.Kind.AMOUNT,
                                                                      value="100"))
    assert all(n.net >= 0 for n in q.nights)
    assert [str(n.net) for n in q.nights] == ["0.00", "210.00"]
    assert q.as_dict()["promotion_discount"] == "-100.00"
    # More off than the stay costs: the stay becomes free, not negative.
    q = price(bar, rt, FRI, FRI + timedelta(days=2), promotion=promo(hotel, code="BIG", kind=Promotion.Kind.AMOUNT,
                                                                      value="1000"))
    assert q.as_dict()["room_total"] == "0.00"


def test_percentage_tax_on_net_or_gross_room_revenue(hotel_bar, king):
    hotel, bar = hotel_bar
    aaa = derived(hotel, bar)
    net = tax(hotel, value="12", base=Tax.Base.NET, name="Net tax")
    assert price(aaa, king).as_dict()["taxes"] == "65.56"          # 12% of 546.30 = 65.556
    net.delete()
    tax(hotel, value="12", base=Tax.Base.GROSS, name="Gross tax")
    assert price(aaa, king).as_dict()["taxes"] == "72.84"          # 12% of 607.00


def test_flat_taxes_per_night_and_per_stay(hotel_bar, king):
    hotel, bar = hotel_bar
    tax(hotel, kind=Tax.Kind.PER_NIGHT, value="2.00", name="Occupancy")
    tax(hotel, kind=Tax.Kind.PER_STAY, value="3.50", name="Unit fee")
    q = price(bar, king)
    assert {t.name: str(t.amount) for t in q.tax_lines} == {"Occupancy": "6.00", "Unit fee": "3.50"}
    assert q.as_dict()["taxes"] == "9.50"
    assert q.as_dict()["total"] == "616.50"


def test_inactive_taxes_and_fees_are_not_charged(hotel_bar, king):
    hotel, bar = hotel_bar
    t = tax(hotel)
    f = fee(hotel)
    Tax.objects.filter(pk=t.pk).update(is_active=False)
    Fee.objects.filter(pk=f.pk).update(is_active=False)
    assert price(bar, king).as_dict()["total"] == "607.00"


def test_fees_per_night_per_stay_and_per_guest(hotel_bar, king):
    hotel, bar = hotel_bar
    fee(hotel, Fee.Kind.PER_NIGHT, "15", name="Resort fee")
    fee(hotel, Fee.Kind.PER_STAY, "10", name="Cleaning")
    fee(hotel, Fee.Kind.PER_GUEST_PER_NIGHT, "2", name="City levy")
    q = price(bar, king, adults=2, children=1)
    assert {f.name: str(f.amount) for f in q.fee_lines} == {"Resort fee": "45.00", "Cleaning": "10.00",
                                                             "City levy": "18.00"}
    assert q.as_dict()["fees"] == "73.00"


def test_several_rooms_multiply_every_figure(hotel_bar, king):
    hotel, bar = hotel_bar
    aaa = derived(hotel, bar)
    tax(hotel)
    tax(hotel, kind=Tax.Kind.PER_STAY, value="3.50", name="Unit fee")
    fee(hotel)
    d = price(aaa, king, rooms=2, adults=4).as_dict()
    assert [n["rate"] for n in d["nightly_rates"]] == ["189.00", "219.00", "199.00"]  # per room
    assert (d["subtotal"], d["discount"], d["taxes"], d["fees"]) == ("1214.00", "-121.40", "152.68", "90.00")
    assert d["total"] == "1335.28"


def test_a_party_must_fit_the_rooms(hotel_bar, king):
    _, bar = hotel_bar
    with pytest.raises(InvalidParty):
        price(bar, king, adults=4)
    with pytest.raises(InvalidParty):
        price(bar, king, adults=1, rooms=2)  # every room needs an adult
    assert price(bar, king, adults=4, rooms=2).rooms == 2


def test_rounding_is_half_up_to_the_cent(hotel_bar):
    hotel, bar = hotel_bar
    rt = room_type_with_rates(hotel, bar, code="ODD", weekday="189.25", saturday="189.25", sunday="189.25")
    aaa = derived(hotel, bar)
    q = price(aaa, rt, FRI, FRI + timedelta(days=1))
    # 10% of 189.25 is 18.925: half-up gives 18.93 (banker's rounding would give 18.92).
    assert str(q.nights[0].rate_plan_discount) == "18.93"
    tax(hotel, value="5")
    assert price(aaa, rt, FRI, FRI + timedelta(days=1)).as_dict()["taxes"] == "9.46"  # 5% of 189.25 = 9.4625


def test_rates_with_fractions_of_a_cent_are_rounded_per_night(hotel_bar):
    hotel, bar = hotel_bar
    rt = room_type_with_rates(hotel, bar, code="FRAC", weekday="100.005", saturday="100.005", sunday="100.005")
    q = price(bar, rt, FRI, FRI + timedelta(days=2))
    assert nightly(q) == ["100.01", "100.01"]
    assert q.as_dict()["subtotal"] == "200.02"


def test_a_yen_hotel_prices_in_whole_yen():
    hotel, bar = make_hotel(currency="JPY", timezone="Asia/Tokyo")
    rt = room_type_with_rates(hotel, bar, code="TWIN", weekday="12345", saturday="15000.5", sunday="13000")
    aaa = derived(hotel, bar)
    tax(hotel, value="10", base=Tax.Base.NET)
    fee(hotel, Fee.Kind.PER_NIGHT, "200")
    d = price(aaa, rt).as_dict()
    assert d["currency"] == "JPY"
    assert [n["rate"] for n in d["nightly_rates"]] == ["12345", "15001", "13000"]
    # 10% off each night, half-up to the yen: 1235 (1234.5), 1500 (1500.1), 1300.
    assert d["rate_plan_discount"] == "-4035"
    assert d["room_total"] == "36311"
    assert d["taxes"] == "3631"                                    # 3631.1
    assert d["fees"] == "600"
    assert d["total"] == "40542"


def test_cancellation_deadline_is_part_of_the_quote(hotel_bar, king):
    _, bar = hotel_bar
    q = price(bar, king)
    assert q.free_until.isoformat() == "2031-01-09T15:00:00-05:00"
    assert q.check_in_at.isoformat() == "2031-01-10T15:00:00-05:00"
    assert q.policy_snapshot["name"] == "Flexible 24-Hour"


def test_nightly_totals_add_up_to_the_total(hotel_bar, king):
    hotel, bar = hotel_bar
    tax(hotel)
    fee(hotel)
    q = price(derived(hotel, bar), king)
    assert sum(q.nightly_totals) == q.total
