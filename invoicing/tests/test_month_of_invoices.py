"""A month of stays invoiced to the cent: a prepaid 30-night stay invoiced before arrival, and 30 one-night stays."""

from datetime import timedelta
from decimal import Decimal

import pytest

from frontdesk.models import FolioLine
from invoicing.models import Invoice
from invoicing.services import invoice_issue

from .conftest import at

pytestmark = pytest.mark.django_db
D = Decimal


def _summary(invoice):
    return [(t.rate, t.net, t.tax, t.gross) for t in invoice.tax_summary.all()]


def test_a_prepaid_30_night_stay_invoiced_before_arrival(book, next_friday):
    r = book(next_friday, nights=30)
    with at(next_friday - timedelta(days=3), 9):
        invoice = invoice_issue(reservation_id=r.pk, actor="guest request")
    lines = list(invoice.lines.all())
    rooms = [x for x in lines if x.kind == "ROOM"]
    assert len(rooms) == 30 and len(lines) == 60  # each night's room (with its tax) and its resort fee
    assert all(x.taxes[0]["rate"] == "12.0000" and x.gross == x.net + x.tax for x in rooms)
    # The booked stay, posted first (the night audit will post nothing twice), is what was prepaid.
    assert FolioLine.objects.filter(reservation=r).count() == 90
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (
        r.room_total + r.fees, r.taxes, r.grand_total)
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (D("5724.00"), D("703.20"), D("6427.20"))
    assert _summary(invoice) == [(D("12"), D("5274.00"), D("703.20"), D("5977.20")),
                                 (None, D("450.00"), D("0"), D("450.00"))]
    assert (invoice.paid_total, invoice.balance) == (D("6427.20"), D("0"))


def test_thirty_one_night_stays_make_thirty_numbered_invoices_that_add_up(book, next_friday):
    stays = [book(next_friday + timedelta(days=i), nights=1, email=f"guest{i}@example.com") for i in range(30)]
    with at(next_friday - timedelta(days=1), 9):
        invoices = [invoice_issue(reservation_id=r.pk) for r in stays]
    year = invoices[0].issue_date.year
    assert [i.number for i in invoices] == [f"NYC-{year}-{n:06d}" for n in range(1, 31)]
    net = sum(i.net_total for i in invoices)
    tax = sum(i.tax_total for i in invoices)
    gross = sum(i.gross_total for i in invoices)
    # The same nights as the 30-night stay, and the same figures to the cent.
    assert (net, tax, gross) == (D("5724.00"), D("703.20"), D("6427.20"))
    assert gross == sum(r.grand_total for r in stays) and net + tax == gross
    rated = [row for i in invoices for row in _summary(i) if row[0] is not None]
    assert (sum(r[1] for r in rated), sum(r[2] for r in rated)) == (D("5274.00"), D("703.20"))
    assert all(i.balance == 0 for i in invoices) and Invoice.objects.count() == 30
