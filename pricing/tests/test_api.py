"""GET /api/v1/hotels/{code}/availability: the seed's scenario and every bad input, never a 500."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from inventory.models import InventoryDay
from inventory.services import inventory_open
from tests.factories import RoomFactory

from .pricing_setup import make_hotel, room_type_with_rates

URL = "/api/v1/hotels/{}/availability"


@pytest.fixture
def client():
    return APIClient()


def search(client, code="NYC", **params):
    return client.get(URL.format(code), params)


def stay(friday, nights=3, **extra):
    return {"check_in": friday.isoformat(), "check_out": (friday + timedelta(days=nights)).isoformat(), **extra}


def by_code(body) -> dict:
    return {rt["code"]: rt for rt in body["room_types"]}


def test_the_seed_scenario_friday_to_monday_on_aaa(client, nyc, next_friday):
    r = search(client, **stay(next_friday, adults=2, rate_plan="AAA"))
    assert r.status_code == 200
    body = r.json()
    assert body["hotel"] == {"code": "NYC", "name": "Grand Hotel NYC", "address": "123 Main St, New York, NY 10001",
                             "timezone": "America/New_York", "currency": "USD"}
    assert body["stay"] == {"check_in": next_friday.isoformat(),
                            "check_out": (next_friday + timedelta(days=3)).isoformat(),
                            "nights": 3, "adults": 2, "children": 0}
    assert body["rate_plan"] == {"code": "AAA", "name": "AAA Member Rate"}
    king = by_code(body)["DELUXE-KING"]
    assert (king["name"], king["description"], king["max_occupancy"], king["available_rooms"]) == (
        "Deluxe King Room", "450 sq ft with city view", 3, 5)
    p = king["pricing"]
    assert p["currency"] == "USD"
    assert p["nightly_rates"] == [
        {"date": (next_friday + timedelta(days=i)).isoformat(), "rate": rate}
        for i, rate in enumerate(["189.00", "219.00", "199.00"])
    ]
    assert (p["subtotal"], p["discount"], p["taxes"], p["fees"], p["total"]) == (
        "607.00", "-60.70", "72.84", "45.00", "664.14")
    assert (p["rate_plan_discount"], p["promotion_discount"], p["room_total"]) == ("-60.70", "0.00", "546.30")
    policy = king["cancellation_policy"]
    assert policy["name"] == "Flexible 24-Hour"
    assert policy["description"] == "Free cancellation until 24 hours before check-in"
    thursday_3pm = datetime.combine(next_friday - timedelta(days=1), time(15), tzinfo=ZoneInfo("America/New_York"))
    assert policy["free_until"] == thursday_3pm.isoformat()
    assert policy["free_until"][-6:] in ("-05:00", "-04:00")


def test_results_are_cheapest_first_and_fit_the_party(client, nyc, next_friday):
    body = search(client, **stay(next_friday, adults=2, rate_plan="AAA")).json()
    totals = [float(rt["pricing"]["total"]) for rt in body["room_types"]]
    assert totals == sorted(totals)
    assert [rt["code"] for rt in body["room_types"]] == ["STANDARD-QUEEN", "DELUXE-KING", "JUNIOR-SUITE"]
    three = search(client, **stay(next_friday, adults=3)).json()
    assert [rt["code"] for rt in three["room_types"]] == ["DELUXE-KING", "JUNIOR-SUITE"]


def test_defaults_are_bar_and_one_adult(client, nyc, next_friday):
    body = search(client, **stay(next_friday)).json()
    assert body["rate_plan"]["code"] == "BAR"
    assert (body["stay"]["adults"], body["stay"]["children"]) == (1, 0)
    king = by_code(body)["DELUXE-KING"]["pricing"]
    assert (king["discount"], king["taxes"], king["total"]) == ("0.00", "72.84", "724.84")


def test_promo_code_adds_its_discount(client, nyc, next_friday):
    king = by_code(search(client, **stay(next_friday, adults=2, rate_plan="AAA", promo_code="winter10")).json())[
        "DELUXE-KING"]["pricing"]
    assert (king["promotion_discount"], king["discount"], king["total"]) == ("-54.63", "-115.33", "609.51")


def test_sold_rooms_and_stop_sell_show_in_the_search(client, nyc, next_friday):
    king = nyc.room_types.get(code="DELUXE-KING")
    InventoryDay.objects.filter(room_type=king, date=next_friday + timedelta(days=1)).update(sold=3)
    assert by_code(search(client, **stay(next_friday, adults=2)).json())["DELUXE-KING"]["available_rooms"] == 2
    InventoryDay.objects.filter(room_type=king, date=next_friday).update(stop_sell=True)
    assert "DELUXE-KING" not in by_code(search(client, **stay(next_friday, adults=2)).json())


def test_hotel_code_is_case_insensitive(client, nyc, next_friday):
    lower = search(client, "nyc", **stay(next_friday))
    assert lower.status_code == 200
    assert lower.json() == search(client, "NYC", **stay(next_friday)).json()
    assert by_code(lower.json())["DELUXE-KING"]["pricing"]["total"] == "724.84"  # BAR: 607.00 + 72.84 + 45.00


def test_the_search_is_public_but_a_bad_key_is_refused(client, nyc, next_friday):
    client.credentials(HTTP_AUTHORIZATION="Api-Key nope.nope")
    r = search(client, **stay(next_friday))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_partner_keys_may_search_too(partner_client, next_friday):
    r = search(partner_client, **stay(next_friday))
    assert r.status_code == 200
    assert r.json() == search(APIClient(), **stay(next_friday)).json()


def test_unknown_hotel_is_404(client, nyc, next_friday):
    r = search(client, "NOPE", **stay(next_friday))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "HOTEL_NOT_FOUND"
    assert r.json()["error"]["retryable"] is False


def _bad(next_friday):
    f = next_friday
    today = timezone.localdate()
    return [
        ("missing check-in", {"check_out": f.isoformat()}, "INVALID_DATES", "check_in is required"),
        ("missing check-out", {"check_in": f.isoformat()}, "INVALID_DATES", "check_out is required"),
        ("malformed check-in", {"check_in": "2024-13-45", "check_out": f.isoformat()}, "INVALID_DATES",
         "check_in must be a date"),
        ("malformed check-out", {"check_in": f.isoformat(), "check_out": "next monday"}, "INVALID_DATES",
         "check_out must be a date"),
        ("same day", stay(f, 0), "INVALID_DATES", "Check-out must be after check-in."),
        ("check-out first", {"check_in": f.isoformat(), "check_out": (f - timedelta(days=2)).isoformat()},
         "INVALID_DATES", "Check-out must be after check-in."),
        ("in the past", stay(today - timedelta(days=3), 2), "INVALID_DATES", "Check-in cannot be in the past."),
        ("31 nights", stay(f, 31), "INVALID_DATES", "Stays can be at most 30 nights."),
        ("no adults", stay(f, adults=0), "INVALID_PARTY", "At least one adult is required."),
        ("negative adults", stay(f, adults=-2), "INVALID_PARTY", "At least one adult is required."),
        ("adults not a number", stay(f, adults="abc"), "INVALID_PARTY", "adults must be a whole number."),
        ("negative children", stay(f, children=-1), "INVALID_PARTY", "Children cannot be negative."),
        ("children not a number", stay(f, children="1.5"), "INVALID_PARTY", "children must be a whole number."),
        ("huge party", stay(f, adults="9" * 40), "INVALID_PARTY", "That party is too large to book online."),
        ("unknown rate plan", stay(f, rate_plan="NOPE"), "UNKNOWN_RATE_PLAN", "has no rate plan NOPE"),
        ("unknown promo", stay(f, promo_code="FREEBIE"), "UNKNOWN_PROMO_CODE", "FREEBIE is not a valid promotion"),
        ("promo too short", stay(f, 1, promo_code="WINTER10"), "UNKNOWN_PROMO_CODE", "at least 2 nights"),
    ]


@pytest.mark.parametrize("case", range(17))
def test_bad_input_is_400_with_a_stable_code(client, nyc, next_friday, case):
    name, params, code, message = _bad(next_friday)[case]
    r = search(client, **params)
    assert r.status_code == 400, name
    error = r.json()["error"]
    assert error["code"] == code, name
    assert message in error["message"], name
    assert error["retryable"] is False


def test_thirty_nights_is_fine(client, nyc, next_friday):
    r = search(client, **stay(next_friday, 30))
    assert r.status_code == 200
    assert r.json()["stay"]["nights"] == 30
    rates = by_code(r.json())["DELUXE-KING"]["pricing"]["nightly_rates"]
    assert [n["date"] for n in rates] == [(next_friday + timedelta(days=i)).isoformat() for i in range(30)]


NASTY = ["", " ", "abc", "-1", "0", "1e3", "99999999999999999999999999", "2024-02-30", "2024-13-45", "0000-00-00",
         "9999-12-31", "0001-01-01", "\x00", "%00", "'; DROP TABLE inventory_hotel; --", "🏨", "a" * 5000, "None",
         "[]", "{}", "1" * 5000]


@pytest.mark.parametrize("field", ["check_in", "check_out", "adults", "children", "rate_plan", "promo_code"])
def test_nasty_values_never_cause_a_500(client, nyc, next_friday, field):
    for value in NASTY:
        params = stay(next_friday, adults=2)
        params[field] = value
        r = search(client, **params)
        assert r.status_code in (200, 400), (field, value, r.status_code)
        assert r.json()["error"]["code"] if r.status_code == 400 else r.json()["room_types"] is not None


@pytest.mark.parametrize("code", ["\x00", "%00", "a" * 3000, "🏨", "NYC'--"])
def test_nasty_hotel_codes_are_404(client, nyc, code):
    assert client.get(URL.format(code)).status_code == 404


def test_stays_at_the_edge_of_the_calendar_do_not_crash(client, nyc):
    r = search(client, check_in="9999-12-30", check_out="9999-12-31")
    assert r.status_code == 200
    assert r.json()["room_types"] == []
    assert search(client, check_in="9999-12-31", check_out="10000-01-01").status_code == 400


def test_only_get_is_allowed(client, nyc, next_friday):
    r = client.post(URL.format("NYC"), stay(next_friday), format="json")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_anonymous_searches_are_rate_limited(client, nyc, next_friday, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {"anon_search": "2/min", "api_key": "100/min"}}
    assert search(client, **stay(next_friday)).status_code == 200
    assert search(client, **stay(next_friday)).status_code == 200
    r = search(client, **stay(next_friday))
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "RATE_LIMITED"
    assert int(r["Retry-After"]) > 0


@pytest.mark.django_db
def test_free_until_across_the_march_switch_keeps_24_real_hours(client):
    """Arriving on the Sunday clocks go forward: free until 14:00 EST on Saturday, 24 hours before 15:00 EDT."""
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        hotel, bar = make_hotel(code="DST")
        rt = room_type_with_rates(hotel, bar, start=date(2027, 1, 1))
        RoomFactory(room_type=rt)
        inventory_open(hotel=hotel, start=date(2027, 3, 12), end=date(2027, 3, 20))
        body = search(client, "DST", check_in="2027-03-14", check_out="2027-03-15").json()
        assert body["room_types"][0]["cancellation_policy"]["free_until"] == "2027-03-13T14:00:00-05:00"
        body = search(client, "DST", check_in="2027-03-15", check_out="2027-03-16").json()
        assert body["room_types"][0]["cancellation_policy"]["free_until"] == "2027-03-14T15:00:00-04:00"


PARAMS = st.fixed_dictionaries({}, optional={
    name: st.one_of(st.text(max_size=40), st.integers(-10**30, 10**30).map(str), st.dates().map(str))
    for name in ("check_in", "check_out", "adults", "children", "rate_plan", "promo_code")
})


@hypothesis_settings(max_examples=150, deadline=None, database=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=PARAMS)
def test_any_query_string_is_answered_200_or_400_never_500(client, nyc, params):
    cache.clear()  # the throttle would answer 429 long before hypothesis is done
    r = search(client, **params)
    assert r.status_code in (200, 400), (params, r.status_code, r.content[:300])
    if r.status_code == 400:
        assert r.json()["error"]["code"] in {"INVALID_DATES", "INVALID_PARTY", "UNKNOWN_RATE_PLAN",
                                             "UNKNOWN_PROMO_CODE"}
