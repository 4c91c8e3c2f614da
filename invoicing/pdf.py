"""The invoice as a PDF: an HTML template rendered by xhtml2pdf (pure Python: no system libraries needed)."""

from io import BytesIO

from django.template.loader import render_to_string
from django.utils import translation

from hotelbooking.locale import email_language

from .models import Invoice


class PdfRenderFailed(Exception):
    pass


def pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"


def invoice_html(invoice: Invoice) -> str:
    """The invoice in its booking's language (Reservation.language; English without one), whoever asks for it:
    the guest, a clerk, the partner API or the email worker. What was stored (line descriptions, the stay, the
    legal text) is printed as stored."""
    lines = list(invoice.lines.all())
    with translation.override(email_language(invoice.reservation.language)):
        return render_to_string("invoicing/invoice.html", {
            "invoice": invoice, "lines": lines, "taxes": list(invoice.tax_summary.all()),
            "credited": invoice.credited_invoice if invoice.is_credit_note else None,
        })


def invoice_pdf(invoice: Invoice) -> bytes:
    from xhtml2pdf import pisa

    out = BytesIO()
    result = pisa.CreatePDF(invoice_html(invoice), dest=out, encoding="utf-8")
    if result.err:
        raise PdfRenderFailed(f"Invoice {invoice.number}: the PDF could not be rendered ({result.err} errors)")
    return out.getvalue()
