"""Every rate side by side: each open plan of each room type priced for the stay, cheapest first, with its
terms; member and code-only plans only with their code."""

import pytest
import time_machine
from django.core.exceptions import ValidationError

from hotelbooking.errors import UnknownPromoCode, UnknownRatePlan
from pricing.models import RatePlan
from pricing.offers import search_all_rates
from pricing.search import search_availability, stay_validate

from .pricing_setup import promo
from .rates_setup import FRI, MON, NOON, code_only, rates_hotel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


def stay(hotel, check_in=FRI, check_out=MON, adults=2):
    return stay_validate(hotel=hotel, check_in=check_in, check_out=check_out, adults=adults)


def figures(room):
    return [(o.rate_plan.code, str(o.total), str(o.per_night)) for o in room.offers]


def test_every_plan_of_the_room_side_by_side_cheapest_first_with_total_and_per_night():
    hotel, _ = rates_hotel()
    response = search_all_rates(hotel=hotel, stay=stay(hotel))
    (king,) = response.rooms
    # 607.00 of nights + 72.84 tax (12 % of the undiscounted rate) + 45.00 fees, less each plan's discount.
    assert figures(king) == [
        ("NR", "633.79", "211.26"),      # 15 % off: -91.05
        ("AAA", "664.14", "221.38"),     # 10 % off: -60.70
        ("BAR", "724.84", "241.61"),
        ("HOTEL", "724.84", "241.61"),   # BAR's price, paid at the hotel: equal totals go by code
    ]
    terms = {o.rate_plan.code: (o.payment_terms.guarantee, str(o.payment_terms.due_now)) for o in king.offers}
    assert terms == {"NR": ("PREPAY", "633.79"), "AAA": ("PREPAY", "664.14"), "BAR": ("PREPAY", "724.84"),
                     "HOTEL": ("PAY_AT_HOTEL", "0.00")}
    policies = {o.rate_plan.code: o.quote.policy_snapshot["name"] for o in king.offers}
    assert policies["NR"] == "Non-refundable" and policies["BAR"] == "Flexible 24-Hour"


def test_room_types_are_ordered_by_their_cheapest_rate():
    hotel, _ = rates_hotel(room_types=("DELUXE-KING", "STANDARD-QUEEN"), plans=("AAA",))
    response = search_all_rates(hotel=hotel, stay=stay(hotel))
    assert [(r.room_type.code, str(r.cheapest.total)) for r in response.rooms] == [
        # 149 + 179 + 159 = 487.00, less 48.70, + 58.44 tax + 45.00 fees
        ("STANDARD-QUEEN", "541.74"), ("DELUXE-KING", "664.14")]


def test_a_code_only_plan_is_hidden_without_its_code_and_shown_with_it():
    hotel, plans = rates_hotel(plans=("AAA",))
    code_only(hotel, plans["BAR"])
    without = search_all_rates(hotel=hotel, stay=stay(hotel))
    assert [o.rate_plan.code for o in without.rooms[0].offers] == ["AAA", "BAR"]
    wrong = search_all_rates(hotel=hotel, stay=stay(hotel), access_code="ACME2030")
    assert [o.rate_plan.code for o in wrong.rooms[0].offers] == ["AAA", "BAR"]
    with_code = search_all_rates(hotel=hotel, stay=stay(hotel), access_code=" acme2031 ")
    assert figures(with_code.rooms[0])[0] == ("CORP", "603.44", "201.15")  # 20 % off: -121.40
    assert [p.code for p in with_code.unlocked_plans] == ["CORP"]


def test_a_member_plan_opens_with_its_code_too():
    hotel, plans = rates_hotel(plans=())
    code_only(hotel, plans["BAR"], code="MEMBER", access_code="GOLD", visibility=RatePlan.Visibility.MEMBER,
              percent="5")
    assert [o.rate_plan.code for o in search_all_rates(hotel=hotel, stay=stay(hotel)).rooms[0].offers] == ["BAR"]
    opened = search_all_rates(hotel=hotel, stay=stay(hotel), access_code="gold").rooms[0].offers
    assert [(o.rate_plan.code, o.rate_plan.visibility) for o in opened] == [("MEMBER", "MEMBER"), ("BAR", "PUBLIC")]


def test_a_code_only_plan_named_without_its_code_is_unknown_in_both_searches():
    hotel, plans = rates_hotel(plans=())
    code_only(hotel, plans["BAR"])
    for search in (search_all_rates, search_availability):
        with pytest.raises(UnknownRatePlan, match="has no rate plan CORP"):
            search(hotel=hotel, stay=stay(hotel), rate_plan_code="CORP")
    shown = search_availability(hotel=hotel, stay=stay(hotel), rate_plan_code="CORP", access_code="ACME2031")
    assert str(shown.results[0].quote.total) == "603.44"


def test_one_named_plan_answers_only_that_plan():
    hotel, _ = rates_hotel()
    response = search_all_rates(hotel=hotel, stay=stay(hotel), rate_plan_code="AAA")
    assert figures(response.rooms[0]) == [("AAA", "664.14", "221.38")]


def test_a_plan_whose_minimum_stay_is_not_met_is_left_out():
    hotel, plans = rates_hotel(plans=("AAA",))
    plans["AAA"].min_stay = 4
    plans["AAA"].save()
    assert [o.rate_plan.code for o in search_all_rates(hotel=hotel, stay=stay(hotel)).rooms[0].offers] == ["BAR"]


def test_a_promotion_applies_to_the_plans_it_is_valid_for_and_is_refused_when_valid_for_none():
    hotel, plans = rates_hotel(plans=("AAA",))
    deal = promo(hotel, code="BASEONLY", value="10", combines_with_plan_discounts=False)
    response = search_all_rates(hotel=hotel, stay=stay(hotel), promo_code="baseonly")
    by_plan = {o.rate_plan.code: o for o in response.rooms[0].offers}
    # BAR less 10 % (-60.70) costs what AAA costs; AAA cannot take it.
    assert (str(by_plan["BAR"].total), by_plan["BAR"].quote.promotion) == ("664.14", deal)
    assert str(by_plan["BAR"].without_promotion.total) == "724.84"
    assert (str(by_plan["AAA"].total), by_plan["AAA"].quote.promotion) == ("664.14", None)
    promo(hotel, code="LONG", value="10", min_nights=5)
    with pytest.raises(UnknownPromoCode, match="at least 5 nights"):
        search_all_rates(hotel=hotel, stay=stay(hotel), promo_code="LONG")


def test_an_access_code_is_needed_only_off_public_plans():
    hotel, plans = rates_hotel(plans=())
    bar = plans["BAR"]
    bar.access_code = "X"
    with pytest.raises(ValidationError, match="public plan takes no access code"):
        bar.full_clean()
    corp = RatePlan(hotel=hotel, code="CORP", name="Corp", cancellation_policy=bar.cancellation_policy,
                    visibility=RatePlan.Visibility.CODE)
    with pytest.raises(ValidationError, match="needs the code guests enter"):
        corp.full_clean()


def test_all_rates_cost_the_same_queries_whatever_the_room_types_nights_and_derived_plans():
    from datetime import timedelta

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    rates_hotel(code="SMALL", plans=("AAA",))
    rates_hotel(code="BIG", room_types=tuple(f"RT{i:02d}" for i in range(10)))  # four plans, NR with its own policy
    counts, offers = {}, {}
    for code in ("SMALL", "BIG"):
        for nights in (1, 14):
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                from pricing.search import hotel_get

                hotel = hotel_get(code)
                response = search_all_rates(hotel=hotel, stay=stay(hotel, FRI, FRI + timedelta(days=nights)),
                                            public_deals=True)
            counts[(code, nights)] = len(ctx.captured_queries)
            offers[(code, nights)] = sum(len(r.offers) for r in response.rooms)
    assert offers == {("SMALL", 1): 2, ("SMALL", 14): 2, ("BIG", 1): 40, ("BIG", 14): 40}
    assert len(set(counts.values())) == 1, counts
    # Per base plan its seasons, overrides, child prices and extras; the taxes, fees and deals once.
    assert counts[("SMALL", 1)] <= 13, counts
