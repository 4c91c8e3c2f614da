"""Booked extras on the folio: posted on their nights (a per-night extra each night, a per-stay one on the first),
their tax inside the night's TAX line, everything adding up to the booked total to the cent.

The stay: the seed's Deluxe King at AAA, Friday to Monday, two adults, with breakfast (24.50 a guest a night),
parking for one car (45.00 a night) and the airport transfer (85.00 per stay, tax-exempt). Nights 170.10,
197.10 and 179.10; the 12% tax on the gross 189/219/199 and the taxable extras 94.00 a night: 33.96, 37.56,
35.16; resort fee 15.00 a night. Total 546.30 + 106.68 + 45.00 + 367.00 = 1064.98.
"""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.folio import NightLine, stay_postings
from frontdesk.models import FolioLine
from frontdesk.selectors import folio_get, stay_plan
from frontdesk.services import night_audits_run_due, stay_check_in, stay_check_out

from .conftest import at

D = Decimal
EXTRAS = ({"code": "BRKF"}, {"code": "PARK"}, {"code": "XFER"})


@pytest.fixture
def stay_with_extras(nyc, next_friday):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"), extras=EXTRAS), gateway=TestGateway())


def _rows(postings):
    return [(p.night, p.kind, p.line or "", p.amount) for p in postings]


@pytest.mark.django_db
def test_the_stay_plan_posts_each_extra_on_its_nights(stay_with_extras, next_friday):
    fri, sat, sun = (next_friday + timedelta(days=i) for i in range(3))
    assert stay_with_extras.grand_total == D("1064.98")
    postings = stay_plan(stay_with_extras)
    assert _rows(postings) == [
        (fri, "ROOM", "", D("170.10")), (fri, "TAX", "NYC Hotel Room Tax", D("33.96")),
        (fri, "FEE", "Resort fee", D("15.00")), (fri, "EXTRA", "Breakfast", D("49.00")),
        (fri, "EXTRA", "Parking", D("45.00")), (fri, "EXTRA", "Airport transfer", D("85.00")),
        (sat, "ROOM", "", D("197.10")), (sat, "TAX", "NYC Hotel Room Tax", D("37.56")),
        (sat, "FEE", "Resort fee", D("15.00")), (sat, "EXTRA", "Breakfast", D("49.00")),
        (sat, "EXTRA", "Parking", D("45.00")),
        (sun, "ROOM", "", D("179.10")), (sun, "TAX", "NYC Hotel Room Tax", D("35.16")),
        (sun, "FEE", "Resort fee", D("15.00")), (sun, "EXTRA", "Breakfast", D("49.00")),
        (sun, "EXTRA", "Parking", D("45.00")),
    ]
    assert sum(p.amount for p in postings) == D("1064.98")
    breakfast = next(p for p in postings if p.kind == "EXTRA")
    assert breakfast.description == f"Breakfast, night of {fri:%a %b} {fri.day}"
    assert breakfast.key == f"night:{fri.isoformat()}:extra:0"


@pytest.mark.django_db
def test_the_night_audit_posts_the_extras_and_the_prepaid_stay_reconciles(stay_with_extras, next_friday):
    number = stay_with_extras.confirmation_number
    with at(next_friday):
        stay_check_in(confirmation_number=number, room_numbers=["1202"])
    with at(next_friday + timedelta(days=1), 3, 5):   # Friday night's audit
        night_audits_run_due(gateway=TestGateway())
    friday = FolioLine.objects.filter(reservation=stay_with_extras, kind="EXTRA").order_by("id")
    assert [(x.business_date, x.description.split(",")[0], x.amount) for x in friday] == [
        (next_friday, "Breakfast", D("49.00")), (next_friday, "Parking", D("45.00")),
        (next_friday, "Airport transfer", D("85.00"))]
    for day in (2, 3):
        with at(next_friday + timedelta(days=day), 3, 5):
            night_audits_run_due(gateway=TestGateway())
    folio = folio_get(stay_with_extras)
    assert folio.totals.extras == D("367.00")
    assert folio.totals.charges == D("1064.98") and folio.totals.balance == D("0.00")
    with at(next_friday + timedelta(days=3), 10):
        result = stay_check_out(confirmation_number=number, gateway=TestGateway())
    assert result.folio.totals.balance == D("0.00")
    assert FolioLine.objects.filter(reservation=stay_with_extras, kind="EXTRA").count() == 7


def test_where_prices_include_tax_the_extra_is_posted_at_its_net():
    # Two nights at 100.00 with breakfast 20.00 for one, VAT 7% inside: per night the room holds 6.54 and the
    # breakfast 1.31 (engine: pricing/tests/test_extras_pricing.py); the VAT line is 7.85 a night.
    fri, sat = date(2031, 1, 10), date(2031, 1, 11)
    booked = SimpleNamespace(
        currency="EUR", room_count=1, grand_total=D("240.00"), taxes=D("0"), fees=D("0"),
        room_type=SimpleNamespace(name="Double"),
        charge_lines={"taxes": [{"name": "VAT 7%", "amount": "15.70", "kind": "PERCENT", "rate": "7",
                                 "included": True, "nights": {fri.isoformat(): "7.85", sat.isoformat(): "7.85"}}],
                      "fees": [],
                      "extras": [{"code": "BRKF", "name": "Breakfast", "kind": "PER_PERSON_PER_NIGHT", "quantity": 1,
                                  "unit_price": "20.00", "amount": "40.00", "included": False, "taxable": True,
                                  "nights": {fri.isoformat(): "20.00", sat.isoformat(): "20.00"}}]})
    postings = stay_postings(booked, [NightLine(fri, D("100")), NightLine(sat, D("100"))])
    assert _rows(postings) == [
        (fri, "ROOM", "", D("93.46")), (fri, "TAX", "VAT 7%", D("7.85")), (fri, "EXTRA", "Breakfast", D("18.69")),
        (sat, "ROOM", "", D("93.46")), (sat, "TAX", "VAT 7%", D("7.85")), (sat, "EXTRA", "Breakfast", D("18.69"))]
    assert sum(p.amount for p in postings) == D("240.00")


def test_included_extras_post_nothing():
    fri = date(2031, 1, 10)
    booked = SimpleNamespace(
        currency="USD", room_count=1, grand_total=D("100.00"), taxes=D("0"), fees=D("0"),
        room_type=SimpleNamespace(name="Double"),
        charge_lines={"taxes": [], "fees": [],
                      "extras": [{"code": "BRKF", "name": "Breakfast", "kind": "PER_PERSON_PER_NIGHT", "quantity": 1,
                                  "unit_price": "0", "amount": "0", "included": True, "nights": {}}]})
    assert _rows(stay_postings(booked, [NightLine(fri, D("100"))])) == [(fri, "ROOM", "", D("100.00"))]
