"""Sold out: the night that is the problem, the nearest arrival dates within a week that work for the same
nights (cheapest total, to the cent), the room types free on them, and a price calendar, in a fixed number of
queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

from inventory.models import InventoryDay
from pricing.alternatives import sold_out_advice
from pricing.offers import search_all_rates
from pricing.search import stay_validate

from .rates_setup import FRI, MON, NOON, SAT, TODAY, rates_hotel, sell_out

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOON, tick=False):
        yield


def advise(hotel, check_in=FRI, check_out=MON, **kwargs):
    stay = stay_validate(hotel=hotel, check_in=check_in, check_out=check_out, adults=2)
    response = search_all_rates(hotel=hotel, stay=stay, **kwargs)
    fitting = [rt for rt, _ in response.unavailable] + [r.room_type for r in response.rooms]
    advice = sold_out_advice(hotel=hotel, stay=stay, room_types=fitting, plans=response.plans,
                             unavailable=response.unavailable, promo_code=kwargs.get("promo_code"))
    return response, advice


def jan(day: int) -> date:
    return date(2031, 1, day)


def test_a_sold_out_saturday_is_named_and_the_nearest_dates_are_priced_to_the_cent():
    hotel, _ = rates_hotel(plans=("AAA",))
    sell_out(hotel, SAT)
    response, advice = advise(hotel)
    assert response.rooms == []
    (problem,) = advice.problems
    assert (problem.date, problem.restriction, [rt.code for rt in problem.room_types]) == (
        SAT, "SOLD_OUT", ["DELUXE-KING"])
    # Three nights that miss Saturday the 11th, on AAA (the cheaper plan): Wed-Thu-Fri 567.00 - 56.70 + 68.04
    # tax + 45.00 fees = 623.34; Sun-Mon-Tue 577.00 - 57.70 + 69.24 + 45.00 = 633.54.
    assert [(d.arrival, str(d.cheapest.total), d.cheapest.rate_plan.code) for d in advice.nearest] == [
        (jan(8), "623.34", "AAA"), (jan(12), "633.54", "AAA"), (jan(7), "623.34", "AAA")]


def test_the_price_calendar_covers_a_week_either_side_past_and_sold_out_days_marked():
    hotel, _ = rates_hotel(plans=("AAA",))
    sell_out(hotel, SAT)
    _, advice = advise(hotel)
    cells = {d.arrival: ("PAST" if d.past else str(d.cheapest.total) if d.available else "SOLD_OUT")
             for d in advice.calendar}
    assert list(cells) == [FRI + timedelta(days=k) for k in range(-7, 8)]
    assert cells == {
        jan(3): "PAST", jan(4): "PAST",               # today is Sunday the 5th
        jan(5): "633.54", jan(6): "623.34", jan(7): "623.34", jan(8): "623.34",
        jan(9): "SOLD_OUT", jan(10): "SOLD_OUT", jan(11): "SOLD_OUT",
        jan(12): "633.54", jan(13): "623.34", jan(14): "623.34", jan(15): "623.34",
        jan(16): "653.94",                             # Thu-Fri-Sat: 597.00 - 59.70 + 71.64 + 45.00
        jan(17): "664.14",                             # Fri-Sat-Sun: the seed's 664.14
    }
    asked = [d for d in advice.calendar if d.asked]
    assert [d.arrival for d in asked] == [FRI]
    weeks = advice.weeks
    assert all(len(week) == 7 for week in weeks)
    assert weeks[0][:4] == [None] * 4 and weeks[0][4].arrival == jan(3)  # Friday the 3rd under "Fri"
    assert TODAY.weekday() == 6


def test_one_room_type_sold_out_the_others_still_offered_and_its_own_dates_named():
    hotel, _ = rates_hotel(room_types=("DELUXE-KING", "STANDARD-QUEEN"), plans=("AAA",))
    sell_out(hotel, SAT, ["DELUXE-KING"])
    response, advice = advise(hotel)
    assert [r.room_type.code for r in response.rooms] == ["STANDARD-QUEEN"]
    assert [(p.date, [rt.code for rt in p.room_types]) for p in advice.problems] == [(SAT, ["DELUXE-KING"])]
    king = next(rt for rt, _ in response.unavailable)
    assert [d.arrival for d in advice.nearest_for(king)] == [jan(8), jan(12), jan(7)]
    # On the asked dates only the queen is free; on the 8th both are, the queen first (cheaper).
    day = next(d for d in advice.calendar if d.arrival == jan(8))
    assert [rt.code for rt in day.room_types] == ["STANDARD-QUEEN", "DELUXE-KING"]


def test_a_stay_rule_is_named_with_its_message_rather_than_sold_out():
    hotel, _ = rates_hotel(plans=())
    InventoryDay.objects.filter(room_type__hotel=hotel, date=FRI).update(closed_to_arrival=True)
    response, advice = advise(hotel)
    (problem,) = advice.problems
    assert (problem.restriction, problem.message) == ("CLOSED_TO_ARRIVAL", "Arrivals are closed on 2031-01-10.")
    assert [d.arrival for d in advice.nearest] == [jan(9), jan(11), jan(8)]


def test_nothing_free_within_the_week_gives_no_dates():
    hotel, _ = rates_hotel(plans=())
    for k in range(-8, 12):
        sell_out(hotel, FRI + timedelta(days=k))
    _, advice = advise(hotel)
    assert advice.nearest == [] and not any(d.available for d in advice.calendar)


def count(code, nights):
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        advise_for = advise(hotel_of(code), SAT, SAT + timedelta(days=nights))
    return len(ctx.captured_queries), advise_for


def hotel_of(code):
    from inventory.models import Hotel
    return Hotel.objects.get(code=code)


def test_the_search_and_its_calendar_cost_the_same_queries_whatever_the_room_types_nights_and_derived_plans():
    small, _ = rates_hotel(code="SMALL", plans=("AAA",))
    big, _ = rates_hotel(code="BIG", room_types=tuple(f"RT{i:02d}" for i in range(10)))  # four plans
    for hotel in (small, big):
        sell_out(hotel, SAT)
    counts = {}
    for code in ("SMALL", "BIG"):
        for nights in (1, 14):
            queries, (response, advice) = count(code, nights)
            counts[(code, nights)] = queries
            assert sum(d.available for d in advice.calendar) > 0
    assert len(set(counts.values())) == 1, counts
    # The search's queries and the window's: per base plan its seasons, overrides, child prices and extras.
    assert counts[("SMALL", 1)] <= 18, counts
