"""Occupancy and child-age pricing (pricing/engine/occupancy.py), figures to the cent.

The room: 189 a weeknight, 219 Saturday, 199 Sunday on BAR, Friday to Monday (607.00 for the three nights),
for 2 included adults; an extra adult 40.00 a night, one adult alone 20.00 off. Children: up to 2 free, up to 11
25.00 a night, up to 17 priced as an adult.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pricing.engine import Party, party_fits, quote_stay
from pricing.engine.occupancy import parties_of
from pricing.models import ChildAgeBand, Rate, RateOverride, RatePlan, Tax
from pricing.selectors import pricing_context_load

from .pricing_setup import BOOKED_ON, FRI, MON, derived, make_hotel, room_type_with_rates, tax

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def family_room():
    hotel, bar = make_hotel()
    rt = room_type_with_rates(hotel, bar, code="FAMILY", max_adults=4, max_children=3, max_occupancy=5)
    Rate.objects.filter(room_type=rt).update(base_occupancy=2, extra_adult_amount=D("40"),
                                             single_occupancy_discount=D("20"))
    bands(bar, (2, "FREE", None), (11, "AMOUNT", "25"), (17, "ADULT", None))
    return hotel, bar, rt


def bands(plan, *rows):
    for up_to, kind, value in rows:
        ChildAgeBand.objects.create(rate_plan=plan, up_to_age=up_to, kind=kind,
                                    value=None if value is None else D(value))


def quote(plan, rt, *, adults=2, ages=(), children=None, rooms=1, check_in=FRI, check_out=MON, **kwargs):
    ctx = pricing_context_load(hotel=plan.hotel, rate_plan=plan, room_type_ids=[rt.id], check_in=check_in,
                               check_out=check_out)
    return quote_stay(ctx, room_type=rt, check_in=check_in, check_out=check_out, adults=adults,
                      children=len(ages) if children is None else children, rooms=rooms, booked_on=BOOKED_ON,
                      child_ages=list(ages), **kwargs)


def rates(q) -> list[str]:
    return [str(n.rate) for n in q.nights]


def test_a_family_of_two_adults_and_children_of_4_and_13_is_priced_by_age(family_room):
    _, bar, rt = family_room
    q = quote(bar, rt, ages=(4, 13))
    # 13 is priced as an adult: the third adult pays 40.00; the 4-year-old 25.00: 65.00 a night on top.
    assert rates(q) == ["254.00", "284.00", "264.00"]
    assert [(n.base_rate, n.extra_adults, n.children_supplement) for n in q.nights][0] == (
        D("189.00"), D("40.00"), D("25.00"))
    assert (q.subtotal, q.room_total, q.total) == (D("802.00"), D("802.00"), D("802.00"))
    night = q.as_dict()["nightly_rates"][0]
    assert night == {"date": "2031-01-10", "rate": "254.00", "base_rate": "189.00", "extra_adults": "40.00",
                     "children_supplement": "25.00", "single_occupancy": "0.00"}


def test_three_adults_pay_one_extra_adult_a_night(family_room):
    _, bar, rt = family_room
    q = quote(bar, rt, adults=3)
    assert rates(q) == ["229.00", "259.00", "239.00"]
    assert q.total == D("727.00")


def test_an_infant_is_free_and_the_night_looks_as_it_always_did(family_room):
    _, bar, rt = family_room
    q = quote(bar, rt, ages=(1,))
    assert rates(q) == ["189.00", "219.00", "199.00"]
    assert q.total == D("607.00")
    assert q.as_dict()["nightly_rates"][0] == {"date": "2031-01-10", "rate": "189.00"}


def test_one_adult_alone_pays_the_single_price_and_one_with_a_child_too(family_room):
    _, bar, rt = family_room
    assert rates(quote(bar, rt, adults=1)) == ["169.00", "199.00", "179.00"]
    # One adult and an 8-year-old: the single price, and the child's 25.00.
    q = quote(bar, rt, adults=1, ages=(8,))
    assert rates(q) == ["194.00", "224.00", "204.00"]
    assert q.nights[0].single_occupancy == D("-20.00")
    # One adult and a 15-year-old priced as an adult: two adults, no single price, no supplement.
    assert rates(quote(bar, rt, adults=1, ages=(15,))) == ["189.00", "219.00", "199.00"]


def test_a_derived_plan_discounts_the_supplements_too(family_room):
    hotel, bar, rt = family_room
    aaa = derived(hotel, bar, code="AAA", value="10")
    q = quote(aaa, rt, ages=(4, 13))
    # 10% of 254 + 284 + 264 = 80.20 (not 60.70, 10% of the base price only).
    assert [str(n.rate_plan_discount) for n in q.nights] == ["25.40", "28.40", "26.40"]
    assert (q.subtotal, q.rate_plan_discount, q.room_total) == (D("802.00"), D("-80.20"), D("721.80"))
    amount_off = derived(hotel, bar, code="FIX", kind=RatePlan.Derivation.AMOUNT, value="30")
    assert quote(amount_off, rt, ages=(4, 13)).room_total == D("712.00")  # 802 - 3 x 30


def test_taxes_per_person_count_every_guest_and_percentage_taxes_see_the_supplements(family_room):
    hotel, bar, rt = family_room
    Tax.objects.create(hotel=hotel, name="City tax", kind=Tax.Kind.PER_PERSON_PER_NIGHT, value=D("5.00"),
                       exempt_under_age=12)
    tax(hotel, value="12", base=Tax.Base.GROSS, name="Room tax")
    q = quote(bar, rt, ages=(4, 13))
    lines = {t.name: t.amount for t in q.tax_lines}
    # 2 adults and the 13-year-old pay the city tax (the 4-year-old is exempt): 3 x 5.00 x 3 nights.
    assert lines["City tax"] == D("45.00")
    assert lines["Room tax"] == D("96.24")      # 12% of 802.00
    assert q.total == D("943.24")


def test_a_child_without_an_age_is_priced_by_the_oldest_child_band(family_room):
    _, bar, rt = family_room
    q = quote(bar, rt, children=1)
    assert rates(q) == ["214.00", "244.00", "224.00"]   # the 3-11 band: 25.00, not an extra adult's 40.00


def test_a_child_older_than_every_band_is_priced_as_an_adult_and_a_percentage_band(family_room):
    _, bar, rt = family_room
    ChildAgeBand.objects.filter(rate_plan=bar).delete()
    bands(bar, (2, "FREE", None), (11, "PERCENT", "50"))
    q = quote(bar, rt, ages=(6, 14))
    # The 6-year-old: 50% of 40.00; the 14-year-old, older than every band: an extra adult.
    assert [(n.extra_adults, n.children_supplement) for n in q.nights][0] == (D("40.00"), D("20.00"))
    assert q.total == D("787.00")


def test_a_rate_without_occupancy_terms_prices_as_before(family_room):
    hotel, bar, rt = family_room
    Rate.objects.filter(room_type=rt).update(base_occupancy=None, extra_adult_amount=0, single_occupancy_discount=0)
    ChildAgeBand.objects.filter(rate_plan=bar).delete()
    for party in ((1, ()), (3, ()), (2, (4, 13))):
        assert quote(bar, rt, adults=party[0], ages=party[1]).total == D("607.00")
    # Bands without occupancy terms: the child's amount only, a teenager priced as an adult pays nothing more.
    bands(bar, (11, "AMOUNT", "25"), (17, "ADULT", None))
    assert quote(bar, rt, ages=(4, 13)).total == D("682.00")


def test_identical_rooms_share_the_party(family_room):
    _, bar, rt = family_room
    # 5 adults in 2 rooms: 3 and 2, one extra adult a night, so 20.00 a night per room on average.
    q = quote(bar, rt, adults=5, rooms=2)
    assert rates(q) == ["209.00", "239.00", "219.00"]
    assert q.subtotal == D("1334.00")                       # 2 x 607 + 3 x 40
    assert parties_of(adults=5, children=2, child_ages=[4, 13], rooms=2) == [Party(3, (4,)), Party(2, (13,))]


def test_an_override_changes_the_base_price_and_the_season_still_prices_the_party(family_room):
    _, bar, rt = family_room
    RateOverride.objects.create(rate_plan=bar, room_type=rt, date=FRI, amount=D("150"))
    assert rates(quote(bar, rt, ages=(4, 13))) == ["215.00", "284.00", "264.00"]


def test_kept_nights_move_by_the_occupancy_difference_only(family_room):
    hotel, bar, rt = family_room
    aaa = derived(hotel, bar, code="AAA", value="10")
    booked = quote(aaa, rt)
    kept = {n.date: n for n in booked.nights}
    Rate.objects.filter(room_type=rt).update(friday=D("500"))  # today's price no longer matters for kept nights
    q = quote(aaa, rt, adults=3, booked_nights=kept, booked_party=Party(2, ()))
    assert rates(q) == ["229.00", "259.00", "239.00"]
    assert [str(n.rate_plan_discount) for n in q.nights] == ["22.90", "25.90", "23.90"]
    unchanged = quote(aaa, rt, booked_nights=kept, booked_party=Party(2, ()))
    assert rates(unchanged) == ["189.00", "219.00", "199.00"]


def test_the_admin_rules_of_the_fields(family_room):
    _, bar, rt = family_room
    season = Rate.objects.get(room_type=rt)
    season.base_occupancy = None
    with pytest.raises(ValidationError, match="included adults first"):
        season.clean()
    season.base_occupancy, season.extra_adult_amount = 1, D("0")
    with pytest.raises(ValidationError, match="at least 2 included adults"):
        season.clean()
    with pytest.raises(ValidationError, match="takes no value"):
        ChildAgeBand(rate_plan=bar, up_to_age=2, kind="FREE", value=D("1")).clean()
    with pytest.raises(ValidationError, match="at most 100"):
        ChildAgeBand(rate_plan=bar, up_to_age=2, kind="PERCENT", value=D("120")).clean()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(adults=st.integers(1, 4), ages=st.lists(st.integers(0, 17) | st.none(), max_size=3),
       nights=st.integers(1, 9), rooms=st.integers(1, 2), plan=st.sampled_from(["BAR", "AAA"]))
def test_the_total_is_the_sum_of_the_nights(family_room, adults, ages, nights, rooms, plan):
    hotel, bar, rt = family_room
    aaa = RatePlan.objects.filter(hotel=hotel, code="AAA").first() or derived(hotel, bar, code="AAA", value="15")
    if not Tax.objects.filter(hotel=hotel).exists():
        tax(hotel, value="8.875", base=Tax.Base.NET, name="Sales tax")
    if not party_fits(rt, adults, len(ages), rooms):
        return
    given_ages = [a for a in ages if a is not None] if None not in ages else []
    q = quote(aaa if plan == "AAA" else bar, rt, adults=adults, ages=given_ages, children=len(ages), rooms=rooms,
              check_out=FRI + timedelta(days=nights))
    assert q.room_total == sum((n.net for n in q.nights), D(0)) * rooms
    assert q.subtotal == sum((n.base_rate + n.extra_adults + n.children_supplement + n.single_occupancy
                              for n in q.nights), D(0)) * rooms
    assert sum(q.nightly_totals, D(0)) == q.total
    assert all(n.net >= 0 for n in q.nights)


def test_the_seed_figures_stay_exactly_the_same(nyc, next_friday):
    """The seed's stay (AAA, Deluxe King, two adults) still comes to 664.14: its rates price no occupancy."""
    aaa = RatePlan.objects.get(hotel=nyc, code="AAA")
    rt = nyc.room_types.get(code="DELUXE-KING")
    for party in ((2, ()), (3, ()), (1, (4,))):
        q = quote(aaa, rt, adults=party[0], ages=party[1], check_in=next_friday,
                  check_out=next_friday + timedelta(days=3))
        assert str(q.total) == "664.14"
