"""A booking read back explains its price: the rate plan booked, each discount with its amount, the special
requests, and the search's names for the same amounts (subtotal, discount, total), so that the nightly rates
reconcile with room_total and grand_total. The seed's stay: Deluxe King, AAA, Friday to Monday, 664.14."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from .booking_setup import seed_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/bookings"
AAA = {"kind": "RATE_PLAN", "code": "AAA", "name": "AAA Member Rate", "amount": "-60.70"}
# The names the search's pricing and the booking's share: the same amounts for the same stay.
SEARCH_NAMES = ("currency", "nightly_rates", "subtotal", "discount", "rate_plan_discount", "promotion_discount",
                "room_total", "taxes", "fees", "total")


def _book(client, body):
    response = client.generic("POST", URL, json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def _search(client, friday, **params):
    query = {"check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2,
             "rate_plan": "AAA", **params}
    response = client.get("/api/v1/hotels/NYC/availability", query)
    assert response.status_code == 200, response.content
    return next(r for r in response.json()["room_types"] if r["code"] == "DELUXE-KING")["pricing"]


def _reconciles(pricing, *, room_count=1):
    """sum(nightly rates) x rooms = subtotal; subtotal + discount = room_total; + taxes + fees = grand_total."""
    d = {name: Decimal(pricing[name]) for name in ("subtotal", "discount", "rate_plan_discount",
                                                   "promotion_discount", "room_total", "taxes", "fees",
                                                   "grand_total", "total")}
    assert sum(Decimal(n["rate"]) for n in pricing["nightly_rates"]) * room_count == d["subtotal"]
    assert d["rate_plan_discount"] + d["promotion_discount"] == d["discount"] \
        == sum((Decimal(x["amount"]) for x in pricing["discounts"]), Decimal(0))
    assert d["subtotal"] + d["discount"] == d["room_total"]
    assert d["room_total"] + d["taxes"] + d["fees"] == d["grand_total"] == d["total"]


def test_the_seed_booking_read_back_shows_its_rate_plan_discount_and_requests(partner_client, nyc, next_friday):
    booked = _book(partner_client, seed_body(next_friday))
    read = partner_client.get(f"{URL}/{booked['confirmation_number']}").json()

    for body in (booked, read):
        assert body["rate_plan"] == {"code": "AAA", "name": "AAA Member Rate"}
        assert body["special_requests"] == "High floor, please"
        p = body["pricing"]
        assert [n["rate"] for n in p["nightly_rates"]] == ["189.00", "219.00", "199.00"]
        assert (p["subtotal"], p["rate_plan_discount"], p["promotion_discount"], p["discount"]) == (
            "607.00", "-60.70", "0.00", "-60.70")
        assert p["discounts"] == [AAA]
        assert (p["room_total"], p["taxes"], p["fees"], p["grand_total"], p["total"]) == (
            "546.30", "72.84", "45.00", "664.14", "664.14")
        _reconciles(p)
        totals = body["rooms"][0]["totals"]
        assert (totals["subtotal"], totals["discount"], totals["room_total"], totals["grand_total"]) == (
            "607.00", "-60.70", "546.30", "664.14")


def test_a_promotion_is_shown_with_its_amount_and_the_search_names_the_same_figures(partner_client, nyc,
                                                                                    next_friday):
    searched = _search(partner_client, next_friday, promo_code="WINTER10")
    booked = _book(partner_client, seed_body(next_friday, promo_code="WINTER10", special_requests=""))

    p = booked["pricing"]
    # Friday to Monday on AAA: 607.00 less 60.70 (AAA's 10 %) less 54.63 (Winter escape's 10 % of 546.30).
    assert p["discounts"] == [AAA, {"kind": "PROMOTION", "code": "WINTER10", "name": "Winter escape",
                                    "amount": "-54.63"}]
    assert (p["discount"], p["room_total"], p["taxes"], p["fees"], p["total"], p["grand_total"]) == (
        "-115.33", "491.67", "72.84", "45.00", "609.51", "609.51")
    assert booked["special_requests"] == ""
    _reconciles(p)
    assert {name: p[name] for name in SEARCH_NAMES} == {name: searched[name] for name in SEARCH_NAMES}


def test_the_best_available_rate_has_no_discount(partner_client, nyc, next_friday):
    booked = _book(partner_client, seed_body(next_friday, rate_plan="BAR"))

    assert booked["rate_plan"] == {"code": "BAR", "name": "Best Available Rate"}
    p = booked["pricing"]
    assert (p["subtotal"], p["discount"], p["discounts"], p["room_total"], p["total"]) == (
        "607.00", "0.00", [], "607.00", "724.84")
    _reconciles(p)


def test_a_multi_room_booking_sums_its_rooms_and_each_room_reconciles(partner_client, nyc, next_friday):
    body = seed_body(next_friday, rooms=[{"room_type": "DELUXE-KING", "adults": 2},
                                         {"room_type": "STANDARD-QUEEN", "adults": 1}])
    for name in ("room_type", "adults", "children", "child_ages", "room_count"):
        body.pop(name)
    booked = _book(partner_client, body)

    # The Deluxe King 607.00 - 60.70 = 546.30 (664.14 in all), the Standard Queen 487.00 - 48.70 = 438.30 (541.74).
    assert [(r["totals"]["subtotal"], r["totals"]["discount"], r["totals"]["room_total"], r["totals"]["grand_total"])
            for r in booked["rooms"]] == [("607.00", "-60.70", "546.30", "664.14"),
                                          ("487.00", "-48.70", "438.30", "541.74")]
    p = booked["pricing"]
    assert (p["subtotal"], p["rate_plan_discount"], p["discount"], p["room_total"], p["total"], p["grand_total"]) \
        == ("1094.00", "-109.40", "-109.40", "984.60", "1205.88", "1205.88")
    assert p["discounts"] == [{**AAA, "amount": "-109.40"}]
    for room in booked["rooms"]:
        t = room["totals"]
        assert sum(Decimal(n["rate"]) for n in room["nights"]) == Decimal(t["subtotal"])
        assert Decimal(t["subtotal"]) + Decimal(t["discount"]) == Decimal(t["room_total"])
