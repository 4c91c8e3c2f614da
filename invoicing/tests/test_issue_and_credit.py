"""On-demand invoices, a company's folio, a credit note and the re-issue, and what an issued invoice refuses."""

from datetime import timedelta
from decimal import Decimal

import pytest

from frontdesk.models import BillingParty, Folio, FolioLine
from hotelbooking.errors import FolioAlreadyInvoiced, FolioEmpty, InvoiceAlreadyCredited
from invoicing.models import DocumentFrozen, Invoice, InvoiceLine, InvoiceSettings
from invoicing.services import invoice_credit, invoice_issue

from .conftest import at

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def acme():
    return BillingParty.objects.create(name="Acme GmbH", address="Friedrichstrasse 1", postal_code="10117",
                                       city="Berlin", country="DE", vat_id="DE123456789", email="ap@acme.example")


def _company_folio(reservation, party):
    """The room nights and their taxes billed to the company (folio 2); the guest keeps fees and extras."""
    folio = Folio.objects.create(reservation=reservation, number=2, kind=Folio.Kind.COMPANY, billing_party=party)
    FolioLine.objects.filter(reservation=reservation, kind__in=["ROOM", "TAX"]).update(folio=folio)
    return folio


def test_a_company_folio_bills_the_company_with_its_vat_id_and_owes_the_whole_amount(in_house, next_friday, acme):
    with at(next_friday + timedelta(days=1), 12):
        from frontdesk.services import stay_nights_post

        stay_nights_post(reservation_id=in_house.pk, through=next_friday + timedelta(days=1))
        _company_folio(in_house, acme)
        invoice = invoice_issue(reservation_id=in_house.pk, folio_number=2, actor="maria")
    assert invoice.number == f"NYC-{invoice.issue_date.year}-000001"
    assert (invoice.bill_to_name, invoice.bill_to_vat_id, invoice.bill_to_email) == (
        "Acme GmbH", "DE123456789", "ap@acme.example")
    assert invoice.bill_to_address == "Friedrichstrasse 1\n10117 Berlin\nDE"
    assert [(x.kind, x.net, x.tax) for x in invoice.lines.all()] == [
        ("ROOM", D("170.10"), D("22.68")), ("ROOM", D("197.10"), D("26.28"))]
    assert (invoice.net_total, invoice.tax_total, invoice.gross_total) == (D("367.20"), D("48.96"), D("416.16"))
    # Payments belong to the guest's folio: the company owes its invoice in full.
    assert invoice.payments == [] and invoice.balance == D("416.16")
    assert Folio.objects.get(pk=invoice.folio_id).closed_at is not None
    assert Folio.objects.get(reservation=in_house, number=1).closed_at is None


def test_credit_note_cancels_the_invoice_and_a_corrected_one_is_issued(in_house, next_friday, acme):
    InvoiceSettings.objects.create(hotel=in_house.hotel, legal_name="Grand Hotel NYC LLC", tax_id="EIN 12-3456789",
                                   address="768 5th Ave\nNew York, NY 10019", legal_text="Thank you for staying.")
    with at(next_friday, 18):
        first = invoice_issue(reservation_id=in_house.pk)
        with pytest.raises(FolioAlreadyInvoiced) as twice:
            invoice_issue(reservation_id=in_house.pk)
        assert twice.value.details == {"invoice": first.number}

        note = invoice_credit(invoice_id=first.pk, actor="maria")
        with pytest.raises(InvoiceAlreadyCredited):
            invoice_credit(invoice_id=first.pk)
        with pytest.raises(InvoiceAlreadyCredited):
            invoice_credit(invoice_id=note.pk)

        folio = Folio.objects.get(reservation=in_house, number=1)
        assert folio.closed_at is None
        folio.billing_party = acme  # the guest asks for the company's name on the bill
        folio.save(update_fields=["billing_party"])
        second = invoice_issue(reservation_id=in_house.pk)

    year = first.issue_date.year
    assert (first.number, note.number, second.number) == (
        f"NYC-{year}-000001", f"NYC-CN-{year}-000001", f"NYC-{year}-000002")
    # Before the nights are posted the folio holds the extras and the prepayment (a credit).
    assert (first.seller_name, first.seller_tax_id) == ("Grand Hotel NYC LLC", "EIN 12-3456789")
    assert [(x.kind, x.gross) for x in first.lines.all()] == [("MINIBAR", D("12.50")), ("SPA", D("80.00"))]
    assert (first.gross_total, first.paid_total, first.balance) == (D("92.50"), D("664.14"), D("-571.64"))
    assert note.credited_invoice == first and note.kind == "CREDIT_NOTE" and note.bill_to_name == "John Smith"
    assert [(x.kind, x.gross) for x in note.lines.all()] == [("MINIBAR", D("-12.50")), ("SPA", D("-80.00"))]
    assert (note.gross_total, note.paid_total, note.balance) == (D("-92.50"), D("-664.14"), D("571.64"))
    assert [(t.rate, t.net, t.tax) for t in note.tax_summary.all()] == [(None, D("-92.50"), D("0"))]
    assert (second.bill_to_name, second.bill_to_vat_id, second.gross_total) == ("Acme GmbH", "DE123456789",
                                                                                 D("92.50"))
    assert {i.number for i in Invoice.objects.filter(credit_note__isnull=True, kind="INVOICE")} == {second.number}


def test_an_empty_folio_has_nothing_to_invoice(in_house, next_friday, acme):
    Folio.objects.create(reservation=in_house, number=2, kind=Folio.Kind.COMPANY, billing_party=acme)
    with at(next_friday, 18), pytest.raises(FolioEmpty):
        invoice_issue(reservation_id=in_house.pk, folio_number=2)
    assert not Invoice.objects.exists()


def test_an_issued_invoice_is_never_changed_nor_deleted(in_house, next_friday):
    with at(next_friday, 18):
        invoice = invoice_issue(reservation_id=in_house.pk)
    invoice.bill_to_name = "Someone else"
    with pytest.raises(DocumentFrozen):
        invoice.save()
    with pytest.raises(DocumentFrozen):
        invoice.delete()
    with pytest.raises(DocumentFrozen):
        Invoice.objects.filter(pk=invoice.pk).update(gross_total=0)
    with pytest.raises(DocumentFrozen):
        Invoice.objects.all().delete()
    line = invoice.lines.first()
    line.net = D("1")
    with pytest.raises(DocumentFrozen):
        line.save()
    with pytest.raises(DocumentFrozen):
        InvoiceLine.objects.filter(invoice=invoice).delete()
    stored = Invoice.objects.get(pk=invoice.pk)
    assert (stored.bill_to_name, stored.gross_total, stored.lines.count()) == ("John Smith", D("92.50"), 2)
