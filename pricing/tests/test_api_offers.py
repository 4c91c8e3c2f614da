"""GET /api/v1/hotels/{code}/availability: with rate_plan= it answers as before; plans=all adds every plan side
by side (rate_offers), access_code opens code-only plans, calendar=true adds the other dates when sold out."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from rest_framework.test import APIClient

from inventory.models import Hotel, InventoryDay
from pricing.models import RatePlan

from .rates_setup import NOON

URL = "/api/v1/hotels/NYC/availability"
FRI, SAT, MON = date(2031, 1, 10), date(2031, 1, 11), date(2031, 1, 13)
OLD_ROOM_KEYS = {"code", "name", "description", "max_occupancy", "available_rooms", "pricing", "cancellation_policy",
                 "payment_terms"}


@pytest.fixture
def demo(db):
    """The seed's hotel loaded on Sunday 5 January 2031 (noon in New York), the clock held there."""
    with time_machine.travel(NOON, tick=False):
        call_command("seed_demo", stdout=StringIO())
        yield Hotel.objects.get(code="NYC")


def get(**params):
    return APIClient().get(URL, {"check_in": FRI.isoformat(), "check_out": MON.isoformat(), "adults": 2, **params})


def test_without_the_new_parameters_the_answer_keeps_its_shape(demo):
    body = get(rate_plan="AAA").json()
    assert set(body) == {"hotel", "stay", "rate_plan", "room_types"}
    assert all(set(rt) == OLD_ROOM_KEYS for rt in body["room_types"])
    king = next(rt for rt in body["room_types"] if rt["code"] == "DELUXE-KING")
    assert king["pricing"]["total"] == "664.14"


def test_plans_all_adds_every_plan_per_room_type_beside_the_unchanged_answer(demo):
    before = get(rate_plan="AAA").json()
    body = get(rate_plan="AAA", plans="all").json()
    assert {k: v for k, v in body.items() if k != "rate_offers"} == before
    king = next(rt for rt in body["rate_offers"] if rt["code"] == "DELUXE-KING")
    assert (king["name"], king["available_rooms"]) == ("Deluxe King Room", 5)
    offers = [(o["rate_plan"]["code"], o["pricing"]["total"], o["per_night"], o["payment_terms"]["guarantee"])
              for o in king["offers"]]
    # AAA is BAR less 10 %; DEP, FLEX and HOTEL are BAR's price with other payment terms.
    assert offers == [("AAA", "664.14", "221.38", "PREPAY"), ("BAR", "724.84", "241.61", "PREPAY"),
                      ("DEP", "724.84", "241.61", "DEPOSIT"), ("FLEX", "724.84", "241.61", "CARD_GUARANTEE"),
                      ("HOTEL", "724.84", "241.61", "PAY_AT_HOTEL"),
                      ("BB", "825.64", "275.21", "PREPAY")]     # bed and breakfast: BAR + 30.00 a night
    aaa = king["offers"][0]
    assert aaa["rate_plan"] == {"code": "AAA", "name": "AAA Member Rate", "visibility": "PUBLIC",
                                "description": "10% off the Best Available Rate for AAA members"}
    assert aaa["cancellation_policy"]["free_until"] == "2031-01-09T15:00:00-05:00"
    assert [rt["code"] for rt in body["rate_offers"]] == ["STANDARD-QUEEN", "DELUXE-KING", "JUNIOR-SUITE"]


def test_a_code_only_plan_needs_its_access_code(demo):
    bar = RatePlan.objects.get(hotel=demo, code="BAR")
    RatePlan.objects.create(hotel=demo, code="ACME", name="Acme corporate rate",
                            cancellation_policy=bar.cancellation_policy, parent=bar,
                            derivation=RatePlan.Derivation.PERCENT, derivation_value=Decimal("20"),
                            visibility=RatePlan.Visibility.CODE, access_code="ACME-NY")
    plans = {o["rate_plan"]["code"] for rt in get(plans="all").json()["rate_offers"] for o in rt["offers"]}
    assert "ACME" not in plans
    refused = get(rate_plan="ACME")
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "UNKNOWN_RATE_PLAN")
    opened = get(plans="all", access_code="acme-ny").json()
    king = next(rt for rt in opened["rate_offers"] if rt["code"] == "DELUXE-KING")
    first = king["offers"][0]
    assert (first["rate_plan"]["code"], first["rate_plan"]["visibility"], first["pricing"]["total"]) == (
        "ACME", "CODE", "603.44")
    assert get(rate_plan="ACME", access_code="ACME-NY").json()["room_types"][1]["pricing"]["total"] == "603.44"


def test_calendar_names_the_sold_out_night_and_the_nearest_dates(demo):
    InventoryDay.objects.filter(room_type__hotel=demo, date=SAT).update(sold=F("total"))
    body = get(rate_plan="AAA", calendar="true").json()
    assert body["room_types"] == []
    cal = body["calendar"]
    assert cal["problem_nights"] == [{"date": "2031-01-11", "restriction": "SOLD_OUT", "message": "",
                                      "room_types": ["DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"]}]
    assert cal["nearest"] == ["2031-01-08", "2031-01-12", "2031-01-07"]
    days = {d["check_in"]: d for d in cal["days"]}
    assert len(days) == 15 and cal["nights"] == 3
    assert [days[d]["availability"] for d in ("2031-01-03", "2031-01-05", "2031-01-10")] == ["PAST", "AVAILABLE",
                                                                                       "SOLD_OUT"]
    # Wed-Thu-Fri on AAA: the queen 447.00 - 44.70 + 53.64 tax + 45.00 fees = 500.94, the cheapest room type.
    wednesday = days["2031-01-08"]
    assert (wednesday["check_out"], wednesday["total"]) == ("2031-01-11", "500.94")
    assert [(r["code"], r["rate_plan"], r["total"]) for r in wednesday["room_types"]] == [
        ("STANDARD-QUEEN", "AAA", "500.94"), ("DELUXE-KING", "AAA", "623.34"), ("JUNIOR-SUITE", "AAA", "1051.74")]
    assert days["2031-01-10"]["total"] is None and days["2031-01-10"]["room_types"] == []


def test_the_schema_documents_the_new_parameters_and_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/hotels/{code}/availability"]["get"]
    params = {p["name"]: p for p in op["parameters"]}
    assert params["plans"]["schema"]["enum"] == ["all"]
    assert params["calendar"]["schema"]["type"] == "boolean"
    assert "code-only" in params["access_code"]["description"]
    out = schema["components"]["schemas"]["AvailabilityOutput"]
    assert {"rate_offers", "calendar"} <= set(out["properties"])
    assert "rate_offers" not in out["required"] and "calendar" not in out["required"]
    offer = schema["components"]["schemas"]["RateOfferOutput"]
    assert set(offer["properties"]) == {"rate_plan", "per_night", "pricing", "cancellation_policy", "payment_terms"}
