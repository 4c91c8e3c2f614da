"""Quotes say what is charged now, what later and when: the availability API, the search page, the schema."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.formats import date_format
from rest_framework.test import APIClient

from tests.test_schema import _generate

URL = "/api/v1/hotels/NYC/availability"
NY = ZoneInfo("America/New_York")

pytestmark = pytest.mark.django_db


def king_terms(friday, rate_plan) -> dict:
    response = APIClient().get(URL, {"check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3))
                                     .isoformat(), "adults": 2, "rate_plan": rate_plan})
    assert response.status_code == 200, response.content
    king = next(rt for rt in response.json()["room_types"] if rt["code"] == "DELUXE-KING")
    return king["pricing"]["total"], king["payment_terms"]


def test_the_seed_stay_on_aaa_is_prepaid_in_full(nyc, next_friday):
    assert king_terms(next_friday, "AAA") == ("664.14", {
        "guarantee": "PREPAY", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
        "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"})


def test_the_deposit_plan_takes_the_first_night_and_the_balance_a_week_before(nyc, next_friday):
    far = next_friday + timedelta(days=28)
    # BAR's Friday to Monday (DEP is BAR at 0 %): 607.00 + 72.84 tax + 45.00 fee; Friday is 189 + its share.
    assert king_terms(far, "DEP") == ("724.84", {
        "guarantee": "DEPOSIT", "due_now": "225.69", "due_later": "499.15",
        "balance_due_on": (far - timedelta(days=7)).isoformat(), "balance_when": "BEFORE_ARRIVAL",
        "card_required": True, "save_card": True, "currency": "USD"})


def test_the_deposit_plan_booked_on_its_balance_day_takes_everything_now(nyc, next_friday):
    far = next_friday + timedelta(days=28)
    balance_day = far - timedelta(days=7)
    with time_machine.travel(datetime.combine(balance_day - timedelta(days=1), time(23, 59), tzinfo=NY)):
        _, before = king_terms(far, "DEP")
    with time_machine.travel(datetime.combine(balance_day, time(0, 1), tzinfo=NY)):
        _, on_the_day = king_terms(far, "DEP")
    assert (before["due_now"], before["due_later"], before["balance_due_on"]) == (
        "225.69", "499.15", balance_day.isoformat())
    assert (on_the_day["due_now"], on_the_day["due_later"], on_the_day["balance_due_on"],
            on_the_day["balance_when"]) == ("724.84", "0.00", None, "NONE")


def test_card_guarantee_and_pay_at_hotel_charge_nothing_now(nyc, next_friday):
    assert king_terms(next_friday, "FLEX") == ("724.84", {
        "guarantee": "CARD_GUARANTEE", "due_now": "0.00", "due_later": "724.84", "balance_due_on": None,
        "balance_when": "AT_HOTEL", "card_required": True, "save_card": True, "currency": "USD"})
    assert king_terms(next_friday, "HOTEL") == ("724.84", {
        "guarantee": "PAY_AT_HOTEL", "due_now": "0.00", "due_later": "724.84", "balance_due_on": None,
        "balance_when": "AT_HOTEL", "card_required": False, "save_card": False, "currency": "USD"})


def _search_page(client, friday, rate_plan) -> str:
    query = {"hotel": "NYC", "check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3)).isoformat(),
             "adults": 2, "children": 0, "rate_plan": rate_plan}
    html = client.get("/?" + urlencode(query)).content.decode()
    card = re.search(r'<article class="card room-result" id="room-DELUXE-KING">.*?</article>', html, re.S).group(0)
    return re.sub(r"\s+", " ", card)


def test_the_search_page_says_what_each_offer_charges_when(client, nyc, next_friday):
    far = next_friday + timedelta(days=28)
    assert "Charged now: 225.69 USD · Balance 499.15 USD charged automatically on " \
           f"{date_format(far - timedelta(days=7))}" in _search_page(client, far, "DEP")
    assert "Charged now: 664.14 USD</p>" in _search_page(client, next_friday, "AAA")
    assert "Nothing charged now; your card guarantees the booking. Cancellation and no-show charges follow the " \
           "policy. You pay 724.84 USD at the hotel." in _search_page(client, next_friday, "FLEX")
    assert "Pay at the hotel: no card needed. You pay 724.84 USD at the hotel." in \
           _search_page(client, next_friday, "HOTEL")


def test_the_schema_describes_payment_terms_beside_the_existing_fields():
    schema, _, _ = _generate()
    components = schema["components"]["schemas"]
    terms = components["PaymentTermsOutput"]
    assert set(terms["properties"]) == {"guarantee", "due_now", "due_later", "balance_due_on", "balance_when",
                                        "card_required", "save_card", "currency"}
    assert "null" in terms["properties"]["balance_due_on"]["type"]  # OpenAPI 3.1's nullable
    result = components["RoomTypeResultOutput"]["properties"]
    assert {"pricing", "cancellation_policy", "payment_terms"} <= set(result)
    assert "PaymentTermsOutput" in str(result["payment_terms"])
    booking = components["BookingOutput"]["properties"]
    assert {"pricing", "payment", "payment_terms"} <= set(booking)
    assert "PaymentTermsOutput" in str(booking["payment_terms"])
