"""Booking extras through the partner API and the services: the seed's stay (NYC, AAA, Friday to Monday) with
breakfast (24.50 a guest a night), parking (45.00 a car a night) and the airport transfer (85.00, tax-exempt).
The 12% room tax applies to the taxable extras; the clock is pinned to Monday 2029-01-08, noon in New York.

Without extras the Deluxe King for two is 546.30 + 72.84 tax + 45.00 fees = 664.14; breakfast for two adds
147.00 and 12% of it, 17.64.
"""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from bookings.models import Payment, Reservation, ReservationExtra
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.services import booking_create

from .booking_setup import seed_body, seed_request

D = Decimal
NY = ZoneInfo("America/New_York")
URL = "/api/v1/bookings"
BRKF = [{"code": "BRKF", "quantity": 1}]


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(datetime(2029, 1, 8, 12, 0, tzinfo=NY), tick=False) as traveller:
        yield traveller


def _post(client, body):
    return client.generic("POST", URL, json.dumps(body), content_type="application/json")


def _book(friday, gateway, capture, **overrides) -> Reservation:
    with capture(execute=True):
        return booking_create(request=seed_request(friday, **overrides), gateway=gateway)


@pytest.mark.django_db
def test_two_rooms_with_breakfast_through_the_api(partner_client, nyc, next_friday, django_capture_on_commit_callbacks):
    assert next_friday.isoformat() == "2029-01-12"
    body = seed_body(next_friday, rooms=[{"room_type": "DELUXE-KING", "adults": 2},
                                         {"room_type": "STANDARD-QUEEN", "adults": 1, "children": 1,
                                          "child_ages": [7]}],
                     extras=BRKF, expected_total="1535.16")
    for name in ("room_type", "adults", "children", "child_ages", "room_count"):
        body.pop(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(partner_client, body)

    assert response.status_code == 201, response.content
    data = response.json()
    # Room 1: 664.14 + 147.00 + 17.64 = 828.78; room 2 (541.74 without): + 147.00 + 17.64 = 706.38.
    assert {k: data["pricing"][k] for k in ("room_total", "taxes", "fees", "extras", "grand_total")} == {
        "room_total": "984.60", "taxes": "166.56", "fees": "90.00", "extras": "294.00", "grand_total": "1535.16"}
    assert [room["totals"]["grand_total"] for room in data["rooms"]] == ["828.78", "706.38"]
    assert data["extras"] == [{
        "code": "BRKF", "name": "Breakfast", "kind": "PER_PERSON_PER_NIGHT", "quantity": 1, "unit_price": "24.50",
        "amount": "294.00", "included": False,
        "nights": [{"date": "2029-01-12", "amount": "98.00"}, {"date": "2029-01-13", "amount": "98.00"},
                   {"date": "2029-01-14", "amount": "98.00"}]}]

    lead = Reservation.objects.get(confirmation_number=data["confirmation_number"])
    stored = [(e.reservation_id == lead.pk, e.code, e.quantity, e.unit_price, e.amount, e.nights)
              for e in ReservationExtra.objects.filter(reservation__in=lead.booking_rooms()).order_by("id")]
    per_night = {"2029-01-12": "49.00", "2029-01-13": "49.00", "2029-01-14": "49.00"}
    assert stored == [(True, "BRKF", 1, D("24.50"), D("147.00"), per_night),
                      (False, "BRKF", 1, D("24.50"), D("147.00"), per_night)]
    assert Payment.objects.filter(reservation__in=lead.booking_rooms(), kind="CHARGE").count() == 2
    assert sum(p.amount for p in Payment.objects.filter(reservation__in=lead.booking_rooms())) == D("1535.16")

    again = partner_client.get(f"{URL}/{data['confirmation_number']}").json()
    assert again["extras"] == data["extras"] and again["pricing"]["grand_total"] == "1535.16"

    assert len(mail.outbox) == 1
    text, html = mail.outbox[0].body, mail.outbox[0].alternatives[0][0]
    assert "Breakfast  147.00" in text and "Total               828.78" in text
    assert "Booking total: 1,535.16 USD" in text
    assert "Breakfast</td><td align=\"right\">147.00" in html


@pytest.mark.django_db
def test_parking_for_two_identical_rooms_is_per_car_not_per_room(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, adults=2, room_count=2,
                                               extras=[{"code": "PARK", "quantity": 1}]))
    assert response.status_code == 201, response.content
    pricing = response.json()["pricing"]
    # 1092.60 rooms + 12% of 1214.00 and 135.00 + 90.00 fees + 135.00 parking
    assert (pricing["taxes"], pricing["extras"], pricing["grand_total"]) == ("161.88", "135.00", "1479.48")


@pytest.mark.django_db
def test_no_extras_keep_the_seed_figures(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, expected_total="664.14"))
    assert response.status_code == 201, response.content
    assert response.json()["pricing"]["grand_total"] == "664.14"
    assert response.json()["extras"] == [] and response.json()["pricing"]["extras"] == "0.00"


@pytest.mark.django_db
@pytest.mark.parametrize("extras, code, status", [
    ([{"code": "SPA"}], "UNKNOWN_EXTRA", 400),
    ([{"code": "PARK", "quantity": 3}], "EXTRA_NOT_AVAILABLE", 400),
    ([{"code": "BRKF", "quantity": -1}], "VALIDATION_ERROR", 400),
    ([{"quantity": 1}], "VALIDATION_ERROR", 400),
    ("BRKF", "VALIDATION_ERROR", 400),
])
def test_extras_that_cannot_be_booked_book_nothing(partner_client, nyc, next_friday, extras, code, status):
    response = _post(partner_client, seed_body(next_friday, extras=extras))
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert not Reservation.objects.exists()


@pytest.mark.django_db
def test_an_extra_no_longer_offered_is_not_available(partner_client, nyc, next_friday):
    nyc.extras.filter(code="XFER").update(is_active=False)
    response = _post(partner_client, seed_body(next_friday, extras=[{"code": "XFER"}]))
    assert response.status_code == 400 and response.json()["error"]["code"] == "EXTRA_NOT_AVAILABLE"


@pytest.mark.django_db
def test_bed_and_breakfast_shows_breakfast_included(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, rate_plan="BB", extras=BRKF))
    assert response.status_code == 201, response.content
    data = response.json()
    # BAR + 30.00 a night: 697.00, 12% tax 83.64, fees 45.00; breakfast included, chosen again: nothing more.
    assert data["pricing"]["grand_total"] == "825.64" and data["pricing"]["extras"] == "0.00"
    assert [(e["code"], e["included"], e["amount"]) for e in data["extras"]] == [("BRKF", True, "0.00")]


# --- Manage my booking: adding and removing extras is a modification -----------------------------------------

@pytest.mark.django_db
def test_adding_parking_charges_the_difference(nyc, next_friday, gateway, hotel_partner_client,
                                               django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks, extras=tuple(BRKF))
    assert r.grand_total == D("828.78")
    response = hotel_partner_client.patch(f"{URL}/{r.confirmation_number}",
                                          {"extras": [{"code": "BRKF"}, {"code": "PARK", "quantity": 1}]},
                                          format="json")

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["modification"], data["changes"]) == ("EXTRAS_CHANGE", ["EXTRAS_CHANGE"])
    # Parking 135.00 and its 12%, 16.20.
    assert data["pricing_breakdown"]["new_total"] == "979.98"
    assert data["payment"]["action"] == "CHARGED" and data["payment"]["amount"] == "151.20"
    r.refresh_from_db()
    assert r.grand_total == D("979.98")
    assert sorted((e.code, e.amount) for e in r.extras.all()) == [("BRKF", D("147.00")), ("PARK", D("135.00"))]
    charge = Payment.objects.get(reservation=r, purpose="MODIFICATION")
    assert (charge.kind, charge.amount) == ("CHARGE", D("151.20"))
    assert "extras -> BRKF x 1, PARK x 1" in r.status_changes.last().note


@pytest.mark.django_db
def test_a_booked_extra_keeps_its_price_when_the_hotel_raises_it(nyc, next_friday, gateway,
                                                                django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks, extras=tuple(BRKF))
    nyc.extras.filter(code="BRKF").update(price=D("30"))
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                request=ModificationRequest(check_out=next_friday + timedelta(days=4)))
    # The Monday night: AAA 170.10 (189 - 18.90), breakfast for two at the booked 24.50 = 49.00; 12% of the
    # gross 189.00 + 49.00 = 28.56; resort fee 15.00.
    assert result.plan.new_total == D("828.78") + D("170.10") + D("49.00") + D("28.56") + D("15.00")
    brkf = r.extras.get()
    assert (brkf.unit_price, brkf.amount, len(brkf.nights)) == (D("24.50"), D("196.00"), 4)


@pytest.mark.django_db
def test_removing_breakfast_before_the_deadline_refunds_it(nyc, next_friday, gateway,
                                                          django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks, extras=tuple(BRKF))
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                request=ModificationRequest(extras=[]))
    assert result.plan.new_total == D("664.14")
    assert result.payment["action"] == "REFUNDED" and result.payment["amount"] == "164.64"
    r.refresh_from_db()
    assert r.grand_total == D("664.14") and not r.extras.exists()
    assert Payment.objects.get(reservation=r, kind="REFUND").amount == D("164.64")


@pytest.mark.django_db
def test_removing_breakfast_inside_the_full_penalty_window_refunds_nothing(
        nyc, next_friday, gateway, monday, django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks, extras=tuple(BRKF))
    monday.move_to(datetime(2029, 1, 11, 16, 0, tzinfo=NY))   # past Thursday 15:00: cancelling costs 100%
    result = reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                                request=ModificationRequest(extras=[]))
    breakdown = result.plan.as_dict()["pricing_breakdown"]
    assert (breakdown["new_total"], breakdown["amount_to_refund"], breakdown["retained_amount"],
            breakdown["refund_withheld"]) == ("664.14", "0.00", "828.78", "164.64")
    assert result.payment["action"] == "NONE"
    r.refresh_from_db()
    assert (r.grand_total, r.retained_amount) == (D("664.14"), D("828.78"))
    assert not Payment.objects.filter(reservation=r, kind="REFUND").exists()


@pytest.mark.django_db
def test_a_date_change_keeps_the_extras_and_recounts_their_nights(nyc, next_friday, gateway,
                                                                 django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks,
              extras=({"code": "PARK", "quantity": 2}, {"code": "XFER"}))
    reservation_modify(confirmation_number=r.confirmation_number, gateway=gateway,
                       request=ModificationRequest(check_out=next_friday + timedelta(days=2)))
    r.refresh_from_db()
    assert sorted((e.code, e.quantity, e.amount) for e in r.extras.all()) == [
        ("PARK", 2, D("180.00")), ("XFER", 1, D("85.00"))]


# --- the guest's book page -----------------------------------------------------------------------------------

def _page_url(friday, **extra):
    from urllib.parse import urlencode

    return "/book/?" + urlencode({"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA",
                                  "check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3)).isoformat(),
                                  "adults": 2, "children": 0, **extra}, doseq=True)


@pytest.mark.django_db
def test_the_book_page_reprices_with_the_ticked_extras_and_books_them(client, nyc, next_friday):
    page = client.get(_page_url(next_friday))
    assert [x["code"] for x in page.context["extras_offered"]] == ["BRKF", "PARK", "XFER"]
    assert page.context["price"]["total"] == "664.14"

    url = _page_url(next_friday, extras_form=1, extra=["BRKF", "PARK"], qty_PARK=2)
    page = client.get(url)
    assert page.context["params"]["extras"] == "BRKF:1,PARK:2"
    # Breakfast 147.00, parking for two cars 270.00, 12% of both 50.04.
    assert [(x["name"], x["amount"]) for x in page.context["price"]["extras"]] == [
        ("Breakfast (6 guest-nights)", "147.00"), ("Parking \u00d7 2", "270.00")]
    assert page.context["price"]["total"] == "1131.18"
    form = page.context["form"]
    response = client.post(url, {
        "first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
        "card_number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "holder_name": "John Smith",
        "expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()})
    assert response.status_code == 302, response.content
    r = Reservation.objects.get()
    assert r.grand_total == D("1131.18")
    assert [(e.code, e.quantity, e.amount) for e in r.extras.all()] == [("BRKF", 1, D("147.00")),
                                                                       ("PARK", 2, D("270.00"))]
    confirmation = client.get(response["Location"])
    assert [x["name"] for x in confirmation.context["price"]["extras"]] == ["Breakfast", "Parking \u00d7 2"]


@pytest.mark.django_db
def test_an_unknown_extra_in_the_link_says_so(client, nyc, next_friday):
    page = client.get(_page_url(next_friday, extras="SPA:1"))
    assert page.context["stay_error"] == "This hotel offers no extra SPA."
