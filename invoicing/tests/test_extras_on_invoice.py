"""Breakfast on an invoice: each night's breakfast line carries its own 12% tax (the night's TAX posting holds
it), the room line the rest; the summary's 12% base counts breakfast; the totals stay the folio's to the cent."""

from datetime import date, timedelta
from decimal import Decimal as D
from types import SimpleNamespace as L

import pytest

from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from invoicing.composition import compose
from invoicing.services import invoice_issue
from pricing.models import Extra

from .conftest import at

pytestmark = pytest.mark.django_db


def _with_breakfast(friday):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
        check_out=friday + timedelta(days=3), adults=2, guest=GuestDetails("Bea", "Smith", "bea@example.com"),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"), extras=({"code": "BRKF", "quantity": 1},)),
        gateway=TestGateway())


def test_each_breakfast_line_carries_its_own_tax_and_the_base_counts_it(nyc, next_friday):
    with at(next_friday - timedelta(days=5), 12):
        reservation = _with_breakfast(next_friday)
        invoice = invoice_issue(reservation_id=reservation.pk)
    assert reservation.grand_total == D("828.78")  # the seed stay 664.14 + breakfast 147.00 + its tax 17.64
    lines = [(x.kind, x.net, x.tax) for x in invoice.lines.all()]
    # AAA: 189, 219, 199 less 10%; the 12% room tax on the undiscounted rate; breakfast 2 x 24.50 a night.
    assert lines == [
        ("ROOM", D("170.10"), D("22.68")), ("FEE", D("15.00"), D("0.00")), ("EXTRA", D("49.00"), D("5.88")),
        ("ROOM", D("197.10"), D("26.28")), ("FEE", D("15.00"), D("0.00")), ("EXTRA", D("49.00"), D("5.88")),
        ("ROOM", D("179.10"), D("23.88")), ("FEE", D("15.00"), D("0.00")), ("EXTRA", D("49.00"), D("5.88")),
    ]
    rows = [(t.rate, t.net, t.tax) for t in invoice.tax_summary.all()]
    assert rows == [(D("12.0000"), D("693.30"), D("90.48")), (None, D("45.00"), D("0.00"))]
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (D("738.30"), D("90.48"), D("828.78"))
    assert invoice.paid_total == D("828.78") and invoice.balance == D("0.00")


def test_a_tax_exempt_extra_carries_no_tax_and_the_room_keeps_the_nights_tax(nyc, next_friday):
    Extra.objects.filter(hotel=nyc, code="BRKF").update(tax_exempt=True)
    with at(next_friday - timedelta(days=5), 12):
        reservation = _with_breakfast(next_friday)
        invoice = invoice_issue(reservation_id=reservation.pk)
    assert reservation.grand_total == D("811.14")  # 664.14 + 147.00, no tax on breakfast
    extras = [(x.net, x.tax) for x in invoice.lines.all() if x.kind == "EXTRA"]
    assert extras == [(D("49.00"), D("0.00"))] * 3
    assert [(t.rate, t.net, t.tax) for t in invoice.tax_summary.all()] == [
        (D("12.0000"), D("546.30"), D("72.84")), (None, D("192.00"), D("0.00"))]


def test_without_the_taxed_extras_named_the_night_tax_stays_on_the_room_line():
    """compose is pure: an EXTRA line is split only when the caller names it taxed."""
    night = date(2027, 3, 5)
    room = L(pk=1, kind="ROOM", description="Deluxe King Room", amount=D("100.00"), business_date=night,
             tax_rate=None, currency="USD")
    tax = L(pk=2, kind="TAX", description="VAT, night of Fri Mar 5", amount=D("15.00"), business_date=night,
            tax_rate=D("10"), currency="USD")
    extra = L(pk=3, kind="EXTRA", description="Breakfast, night of Fri Mar 5", amount=D("50.00"),
              business_date=night, tax_rate=None, currency="USD")
    split = compose([room, tax, extra], [], {}, frozenset({3}))
    assert [(x.kind, x.net, x.tax) for x in split.lines] == [("ROOM", D("100.00"), D("10.00")),
                                                            ("EXTRA", D("50.00"), D("5.00"))]
    assert [(r.rate, r.net, r.tax) for r in split.tax_rows] == [(D("10"), D("150.00"), D("15.00"))]
    whole = compose([room, tax, extra], [], {})
    assert [(x.kind, x.net, x.tax) for x in whole.lines] == [("ROOM", D("100.00"), D("15.00")),
                                                            ("EXTRA", D("50.00"), D("0.00"))]
    assert split.gross_total == whole.gross_total == D("165.00")
