"""At check-out the guest's folio becomes an invoice, numbered, frozen and emailed with its PDF."""

from decimal import Decimal

import pytest
from django.core import mail

from bookings.events import event_deliver
from bookings.models import OutboxEvent
from frontdesk.models import Folio
from invoicing.models import Invoice

from .conftest import checked_out

pytestmark = pytest.mark.django_db
D = Decimal


def test_check_out_issues_the_guest_invoice_with_taxes_per_night_and_the_payments(
        in_house, departure, django_capture_on_commit_callbacks):
    checked_out(in_house, departure, django_capture_on_commit_callbacks)

    invoice = Invoice.objects.get()
    assert invoice.number == f"NYC-{departure.year}-000001" and invoice.kind == "INVOICE"
    assert invoice.issue_date == departure
    assert (invoice.seller_name, invoice.bill_to_name, invoice.bill_to_email) == (
        "Grand Hotel NYC", "John Smith", "john@example.com")
    assert invoice.bill_to_address == "" and invoice.bill_to_vat_id == ""
    # Each room night carries its 12% room tax (on the undiscounted rate); fees and extras are lines of their own.
    assert [(x.kind, x.net, x.tax, x.gross) for x in invoice.lines.all()] == [
        ("ROOM", D("170.10"), D("22.68"), D("192.78")), ("FEE", D("15.00"), D("0"), D("15.00")),
        ("MINIBAR", D("12.50"), D("0"), D("12.50")), ("SPA", D("80.00"), D("0"), D("80.00")),
        ("ROOM", D("197.10"), D("26.28"), D("223.38")), ("FEE", D("15.00"), D("0"), D("15.00")),
        ("ROOM", D("179.10"), D("23.88"), D("202.98")), ("FEE", D("15.00"), D("0"), D("15.00"))]
    first = invoice.lines.first()
    assert first.taxes == [{"name": "NYC Hotel Room Tax", "rate": "12.0000", "amount": "22.68"}]
    assert [(t.rate, t.net, t.tax, t.gross) for t in invoice.tax_summary.all()] == [
        (D("12"), D("546.30"), D("72.84"), D("619.14")), (None, D("137.50"), D("0"), D("137.50"))]
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (D("683.80"), D("72.84"), D("756.64"))
    assert [p["amount"] for p in invoice.payments] == ["664.14", "92.50"]
    assert (invoice.paid_total, invoice.balance) == (D("756.64"), D("0"))
    assert Folio.objects.get(reservation=in_house).closed_at == invoice.issued_at

    [email] = mail.outbox[-1:]
    assert email.to == ["john@example.com"] and invoice.number in email.subject
    assert "Total: 756.64 USD" in email.body and "Balance: 0.00 USD" in email.body
    [(name, content, mimetype)] = email.attachments
    assert (name, mimetype) == (f"{invoice.number}.pdf", "application/pdf") and content.startswith(b"%PDF")


def test_delivering_the_check_out_event_again_issues_nothing_more(
        in_house, departure, django_capture_on_commit_callbacks):
    checked_out(in_house, departure, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(name="GuestCheckedOut")
    event.delivered_at = None
    event.save(update_fields=["delivered_at"])
    from bookings.models import HandledEvent

    HandledEvent.objects.filter(event_id=event.pk).delete()  # as if no handler had run
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_deliver(event.pk)
    assert Invoice.objects.count() == 1 and len(mail.outbox) == sent
