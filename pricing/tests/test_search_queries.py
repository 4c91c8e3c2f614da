"""The search costs the same number of SQL queries whatever the number of room types and nights."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from inventory.services import inventory_open
from pricing.models import Fee, Promotion
from pricing.search import hotel_get, search_availability, stay_validate
from tests.factories import RoomFactory

from .pricing_setup import derived, fee, make_hotel, promo, room_type_with_rates, tax

TODAY = date(2031, 1, 2)
ARRIVAL = date(2031, 1, 10)


def build(code: str, room_types: int):
    hotel, bar = make_hotel(code=code)
    derived(hotel, bar)
    tax(hotel)
    fee(hotel)
    fee(hotel, Fee.Kind.PER_STAY, "10", name="Cleaning")
    promo(hotel, code="TENOFF", kind=Promotion.Kind.AMOUNT, value="10")
    for i in range(room_types):
        rt = room_type_with_rates(hotel, bar, code=f"RT{i:02d}")
        RoomFactory(room_type=rt, hotel=hotel, number=f"{code}{i:02d}")
    inventory_open(hotel=hotel, start=ARRIVAL, end=ARRIVAL + timedelta(days=15))
    return hotel


def count_service(code, nights, **kwargs):
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        hotel = hotel_get(code)
        stay = stay_validate(hotel=hotel, check_in=ARRIVAL.isoformat(),
                             check_out=(ARRIVAL + timedelta(days=nights)).isoformat(), adults="2")
        response = search_availability(hotel=hotel, stay=stay, **kwargs)
    return len(ctx.captured_queries), len(response.results)


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs", [{}, {"rate_plan_code": "AAA", "promo_code": "TENOFF"}])
def test_search_query_count_does_not_grow_with_room_types_or_nights(kwargs):
    with time_machine.travel(TODAY, tick=False):
        build("ONE", 1)
        build("TEN", 10)
        counts = {(rts, nights): count_service(code, nights, **kwargs)
                  for rts, code in ((1, "ONE"), (10, "TEN")) for nights in (1, 14)}
    assert {k: v[1] for k, v in counts.items()} == {(1, 1): 1, (1, 14): 1, (10, 1): 10, (10, 14): 10}
    queries = {k: v[0] for k, v in counts.items()}
    assert len(set(queries.values())) == 1, queries
    # A promotion costs two more: the plans and room types it is limited to. The plan's child prices by age
    # (pricing/engine/occupancy.py) are one query of their own; the hotel's extras (and which the plan includes)
    # one more.
    assert queries[(1, 1)] <= (14 if "promo_code" in kwargs else 12), queries


@pytest.mark.django_db
def test_the_api_request_costs_the_same_queries_too():
    client = APIClient()
    with time_machine.travel(TODAY, tick=False):
        build("ONE", 1)
        build("TEN", 10)
        counts = {}
        for code in ("ONE", "TEN"):
            for nights in (1, 14):
                reset_queries()  # a request clears the query log when it starts: begin from an empty one
                with CaptureQueriesContext(connection) as ctx:
                    r = client.get(f"/api/v1/hotels/{code}/availability", {
                        "check_in": ARRIVAL.isoformat(), "check_out": (ARRIVAL + timedelta(days=nights)).isoformat(),
                        "adults": 2, "rate_plan": "AAA"})
                assert r.status_code == 200
                counts[(code, nights)] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts
    assert 5 <= counts[("ONE", 1)] <= 12, counts
