"""A Berlin-style hotel through search, booking, read-back, changes and the folio: prices include VAT 7%, a city
tax of 5.00 per adult per night, children under 18 exempt, capped at 21 nights.

The seed's hotel made European: its rates (Deluxe King 189 / Sat 219 / Sun 199 on BAR; Junior Suite 329 / 379 /
349) now include VAT. Per night the VAT inside is 189 - round(189 / 1.07) = 12.36, 219 - 204.67 = 14.33,
199 - 185.98 = 13.02; Junior Suite 21.52, 24.79, 22.83.
"""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Reservation
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.selectors import stay_plan
from pricing.models import Fee, Tax

from .booking_setup import seed_body

pytestmark = pytest.mark.django_db

D = Decimal
CITY = {"name": "City tax", "amount": "210.00"}


@pytest.fixture
def berlin(nyc):
    nyc.currency, nyc.prices_include_tax = "EUR", True
    nyc.save()
    Tax.objects.filter(hotel=nyc).delete()
    Fee.objects.filter(hotel=nyc).delete()
    Tax.objects.create(hotel=nyc, name="VAT", kind=Tax.Kind.PERCENT, value=D("7"))
    Tax.objects.create(hotel=nyc, name="City tax", kind=Tax.Kind.PER_PERSON_PER_NIGHT, value=D("5.00"),
                       exempt_under_age=18, max_nights=21)
    return nyc


def book(friday, *, nights, room_type="DELUXE-KING", adults=2, children=1, child_ages=(8,)) -> Reservation:
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code=room_type, rate_plan_code="BAR", check_in=friday,
        check_out=friday + timedelta(days=nights), adults=adults, children=children, child_ages=list(child_ages),
        guest=GuestDetails("Lena", "Schmidt", "lena@example.com"), card=Card("4242424242424242", 12, 2030, "123")),
        gateway=TestGateway())


def modify(r, **changes) -> Reservation:
    reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**changes),
                       gateway=TestGateway())
    return Reservation.objects.get(pk=r.pk)


def lines(r: Reservation) -> list[tuple]:
    return [(t["name"], t["amount"], t.get("included", False)) for t in r.charge_lines["taxes"]]


def test_the_booking_api_and_its_read_back_show_the_city_tax_and_the_vat_inside(berlin, partner_client,
                                                                                next_friday):
    body = seed_body(next_friday, rate_plan="BAR", check_out=(next_friday + timedelta(days=25)).isoformat(),
                     children=1, child_ages=[8])
    response = partner_client.generic("POST", "/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    number = response.json()["confirmation_number"]
    read = partner_client.get(f"/api/v1/bookings/{number}").json()
    for p in (response.json()["pricing"], read["pricing"]):
        # 25 nights from a Friday: 17 x 189 + 4 x 219 + 4 x 199, VAT inside: 17 x 12.36 + 4 x 14.33 + 4 x 13.02
        assert p["tax_lines"] == [CITY, {"name": "VAT", "amount": "319.52", "included": True, "rate": "7"}]
        assert (p["room_total"], p["taxes"], p["included_taxes"], p["grand_total"]) == (
            "4885.00", "210.00", "319.52", "5095.00")

    # The folio posts it night by night: each night's ROOM (net) + VAT = its price; 21 nights of city tax.
    postings = stay_plan(Reservation.objects.get(confirmation_number=number))
    assert sum(p.amount for p in postings) == D("5095.00")
    first = [p for p in postings if p.night == next_friday]
    assert [(p.kind, p.amount, p.rate) for p in first] == [("ROOM", D("176.64"), None), ("TAX", D("10.00"), None),
                                                           ("TAX", D("12.36"), D("7"))]
    assert sum(p.amount for p in postings if p.rate == D("7")) == D("319.52")
    assert len([p for p in postings if p.line == "City tax"]) == 21


def test_the_search_api_shows_the_lines_and_takes_child_ages(berlin, client, next_friday):
    query = {"check_in": next_friday.isoformat(), "check_out": (next_friday + timedelta(days=3)).isoformat(),
             "adults": 2, "children": 1, "rate_plan": "BAR"}
    found = client.get("/api/v1/hotels/NYC/availability", {**query, "child_ages": "8"}).json()
    pricing = next(r for r in found["room_types"] if r["code"] == "DELUXE-KING")["pricing"]
    assert pricing["tax_lines"] == [{"name": "City tax", "amount": "30.00"},
                                    {"name": "VAT", "amount": "39.71", "included": True, "rate": "7"}]
    assert (pricing["room_total"], pricing["taxes"], pricing["included_taxes"], pricing["total"]) == (
        "607.00", "30.00", "39.71", "637.00")
    bad = client.get("/api/v1/hotels/NYC/availability", {**query, "child_ages": "8,9"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "INVALID_PARTY"


def test_an_extension_beyond_the_cap_adds_no_city_tax_for_the_nights_past_21(berlin, next_friday):
    r = book(next_friday, nights=20)
    assert lines(r) == [("City tax", "200.00", False), ("VAT", "255.09", True)]
    assert r.grand_total == D("4100.00")     # 14 x 189 + 3 x 219 + 3 x 199 + 200.00

    r = modify(r, check_out=next_friday + timedelta(days=23))
    # Three nights more (Thursday, Friday, Saturday): only the first of them, the 21st night, is taxed.
    assert lines(r) == [("City tax", "210.00", False), ("VAT", "294.14", True)]
    assert (r.room_total, r.taxes, r.grand_total) == (D("4497.00"), D("210.00"), D("4707.00"))
    postings = stay_plan(r)
    assert sum(p.amount for p in postings) == D("4707.00")
    assert max(p.night for p in postings if p.line == "City tax") == next_friday + timedelta(days=20)


def test_adding_a_child_of_16_costs_no_city_tax_and_an_18_year_old_pays(berlin, next_friday):
    # Junior Suite, Friday to Monday: 1057.00 with 69.14 of VAT inside, city tax 2 adults x 3 nights = 30.00
    r = book(next_friday, nights=3, room_type="JUNIOR-SUITE")
    assert (r.grand_total, lines(r)) == (D("1087.00"), [("City tax", "30.00", False), ("VAT", "69.14", True)])

    r = modify(r, children=2, child_ages=[8, 16])
    assert (r.grand_total, r.child_ages, lines(r)[0]) == (D("1087.00"), [8, 16], ("City tax", "30.00", False))

    other = book(next_friday, nights=3, room_type="JUNIOR-SUITE")
    other = modify(other, adults=3)      # an 18-year-old is an adult: they pay
    assert (other.grand_total, lines(other)[0]) == (D("1102.00"), ("City tax", "45.00", False))


def test_a_child_whose_age_was_not_given_is_exempt(berlin, next_friday):
    r = book(next_friday, nights=3, room_type="JUNIOR-SUITE", children=2, child_ages=())
    assert lines(r)[0] == ("City tax", "30.00", False)
