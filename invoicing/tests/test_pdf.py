"""The invoice PDF: rendered from the HTML template, its page 1 drawn to PNG (shots/) to be looked at."""

import os
from datetime import timedelta
from pathlib import Path

import pytest

from frontdesk.models import BillingParty, Folio
from invoicing.models import InvoiceSettings
from invoicing.pdf import invoice_pdf
from invoicing.services import invoice_credit, invoice_issue

from .conftest import checked_out

pytestmark = pytest.mark.django_db
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", Path(__file__).resolve().parents[2] / "shots"))


def _page_one(pdf: bytes, name: str) -> str:
    """Draw page 1 to shots/<name>.png; return the page's text."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    page = document[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.render(scale=1.6).to_pil().save(SHOTS / f"{name}.png")
    text = page.get_textpage().get_text_range()
    return " ".join(text.split())


def test_the_invoice_pdf_shows_the_parties_lines_tax_summary_and_balance(
        in_house, departure, django_capture_on_commit_callbacks):
    InvoiceSettings.objects.create(hotel=in_house.hotel, legal_name="Grand Hotel NYC LLC",
                                   address="768 5th Ave\nNew York, NY 10019", tax_id="EIN 12-3456789",
                                   legal_text="Grand Hotel NYC LLC, registered in New York. Payable on receipt.")
    party = BillingParty.objects.create(name="Acme GmbH", address="Friedrichstrasse 1", postal_code="10117",
                                        city="Berlin", country="DE", vat_id="DE123456789")
    Folio.objects.filter(reservation=in_house, number=1).update(billing_party=party)
    checked_out(in_house, departure, django_capture_on_commit_callbacks)
    invoice = in_house.invoices.get()

    text = _page_one(invoice_pdf(invoice), "invoice-page-1")
    for expected in (f"Invoice {invoice.number}", "Grand Hotel NYC LLC", "EIN 12-3456789", "Acme GmbH",
                     "10117 Berlin", "VAT id: DE123456789", "NYC Hotel Room Tax 12%", "170.10 22.68 192.78",
                     "12% 546.30 72.84 619.14", "No tax 137.50 0.00 137.50", "Total USD 756.64",
                     "Balance 0.00", "Payable on receipt."):
        assert expected in text, expected


def test_the_credit_note_pdf_names_the_invoice_it_cancels(in_house, next_friday):
    from .conftest import at

    with at(next_friday + timedelta(days=1), 12):
        invoice = invoice_issue(reservation_id=in_house.pk)
        note = invoice_credit(invoice_id=invoice.pk)
    text = _page_one(invoice_pdf(note), "credit-note-page-1")
    assert f"Credit note {note.number}" in text and f"Cancels invoice {invoice.number}" in text
    assert "Total USD -92.50" in text and "Balance 571.64" in text


def test_the_invoice_is_printed_in_the_language_of_its_booking(in_house, next_friday):
    from bookings.models import Reservation

    from .conftest import at

    Reservation.objects.filter(pk=in_house.pk).update(language="de")  # booked on the German pages
    with at(next_friday + timedelta(days=1), 12):
        invoice = invoice_issue(reservation_id=in_house.pk)
    text = _page_one(invoice_pdf(invoice), "invoice-de-page-1")
    for expected in (f"Rechnung {invoice.number}", "Rechnungsdatum:", "Währung: USD", "Rechnungsempfänger",
                     "Datum Beschreibung Netto Steuer Brutto", "Steuersatz Nettobetrag", "Gesamt USD", "Saldo",
                     "Gesamt USD 92,50", "664,14", "Saldo -571,64"):
        assert expected in text, (expected, text)
    assert "Invoice" not in text and "Balance" not in text
