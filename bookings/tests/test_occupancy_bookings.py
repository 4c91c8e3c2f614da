"""Occupancy and child-age pricing through search, booking, modification and the desk: the same engine, the
same figures to the cent.

The seed's hotel with BAR priced by occupancy: every room's nightly price is for 2 adults, an extra adult pays
40.00 a night, one adult alone has 20.00 off; children up to 2 free, up to 11 25.00 a night, up to 17 as adults.
A family of 2 adults and children of 4 and 13 in the Junior Suite (329 / 379 / 349 on BAR), Friday to Monday at
AAA (BAR less 10%): 394 + 444 + 414 = 1252.00, less 125.20, with the 12% room tax on 1252.00 (150.24) and the
resort fee 3 x 15.00: 1322.04.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Reservation
from frontdesk.desk_booking.selectors import desk_offers
from pricing.models import ChildAgeBand, Rate, RatePlan

from .booking_setup import seed_body

pytestmark = pytest.mark.django_db
D = Decimal
FAMILY = {"room_type": "JUNIOR-SUITE", "adults": 2, "children": 2, "child_ages": [4, 13]}


@pytest.fixture
def by_occupancy(nyc):
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    Rate.objects.filter(rate_plan=bar).update(base_occupancy=2, extra_adult_amount=D("40"),
                                              single_occupancy_discount=D("20"))
    for up_to, kind, value in ((2, "FREE", None), (11, "AMOUNT", D("25")), (17, "ADULT", None)):
        ChildAgeBand.objects.create(rate_plan=bar, up_to_age=up_to, kind=kind, value=value)
    return nyc


def search(client, friday, *, room_type="JUNIOR-SUITE", **party) -> dict:
    params = {"check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3)).isoformat(),
              "rate_plan": "AAA", **party}
    response = client.get("/api/v1/hotels/NYC/availability", params)
    assert response.status_code == 200, response.content
    return next(rt for rt in response.json()["room_types"] if rt["code"] == room_type)["pricing"]


def book(client, body) -> dict:
    response = client.generic("POST", "/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()


def test_search_booking_and_the_desk_price_the_family_alike(by_occupancy, partner_client, next_friday):
    found = search(partner_client, next_friday, adults=2, children=2, child_ages="4,13")
    assert found["nightly_rates"][0] == {"date": next_friday.isoformat(), "rate": "394.00", "base_rate": "329.00",
                                         "extra_adults": "40.00", "children_supplement": "25.00",
                                         "single_occupancy": "0.00"}
    assert (found["subtotal"], found["discount"], found["taxes"], found["fees"], found["total"]) == (
        "1252.00", "-125.20", "150.24", "45.00", "1322.04")

    booked = book(partner_client, seed_body(next_friday, **FAMILY, expected_total="1322.04"))
    assert (booked["pricing"]["room_total"], booked["pricing"]["grand_total"]) == ("1126.80", "1322.04")
    assert [n["rate"] for n in booked["pricing"]["nightly_rates"]] == ["394.00", "444.00", "414.00"]
    assert booked["payment"]["amount"] == "1322.04"

    offers = desk_offers(hotel=by_occupancy, check_in=next_friday, check_out=next_friday + timedelta(days=3),
                         adults=2, children=2, rate_plan_code="AAA", child_ages=["4", "13"])
    suite = next(o for o in offers.offers if o.room_type.code == "JUNIOR-SUITE")
    assert suite.quote.total == D("1322.04")


def test_a_booking_of_two_rooms_prices_each_room_s_party(by_occupancy, partner_client, next_friday):
    # Room 2: a Deluxe King for one adult: 169 + 199 + 179 = 547.00, less 54.70, tax 65.64, fees 45.00: 602.94.
    body = seed_body(next_friday, rooms=[FAMILY, {"room_type": "DELUXE-KING", "adults": 1}],
                     expected_total="1924.98")
    for name in ("room_type", "adults", "children", "child_ages", "room_count"):
        body.pop(name)
    booked = book(partner_client, body)
    assert [r["totals"]["grand_total"] for r in booked["rooms"]] == ["1322.04", "602.94"]
    assert [n["rate"] for n in booked["rooms"][1]["nights"]] == ["169.00", "199.00", "179.00"]
    assert booked["pricing"]["grand_total"] == "1924.98"
    single = search(partner_client, next_friday, room_type="DELUXE-KING", adults=1)
    assert single["total"] == "602.94"


def test_a_change_of_ages_or_adults_reprices_through_the_same_engine(by_occupancy, hotel_partner_client,
                                                                    next_friday):
    number = book(hotel_partner_client, seed_body(next_friday, **FAMILY))["confirmation_number"]
    url = f"/api/v1/bookings/{number}"
    # The 13-year-old was 8 after all: two adults and two children of 25.00: 379 + 429 + 399 = 1207.00, less
    # 120.70, tax 144.84, fees 45.00: 1276.14, what a search for that family says today.
    quote = hotel_partner_client.post(f"{url}/modification-quote", {"child_ages": [4, 8]}, format="json")
    assert quote.status_code == 200, quote.content
    breakdown = quote.json()["pricing_breakdown"]
    assert (breakdown["new_total"], breakdown["difference"]) == ("1276.14", "-45.90")
    assert search(hotel_partner_client, next_friday, adults=2, children=2, child_ages="4,8")["total"] == "1276.14"
    changed = hotel_partner_client.patch(url, {"child_ages": [4, 8]}, format="json")
    assert changed.status_code == 200, changed.content
    r = Reservation.objects.get(confirmation_number=number)
    assert (r.grand_total, r.child_ages) == (D("1276.14"), [4, 8])
    assert [n.rate for n in r.nights.order_by("date")] == [D("379.00"), D("429.00"), D("399.00")]

    # A guest alone in a Deluxe King, then joined by a second adult: the single price goes, and the stay comes
    # to the seed's 664.14.
    alone = book(hotel_partner_client, seed_body(next_friday, adults=1))
    assert alone["pricing"]["grand_total"] == "602.94"
    joined = hotel_partner_client.patch(f"/api/v1/bookings/{alone['confirmation_number']}", {"adults": 2},
                                        format="json")
    assert joined.status_code == 200, joined.content
    assert Reservation.objects.get(confirmation_number=alone["confirmation_number"]).grand_total == D("664.14")
