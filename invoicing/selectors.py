"""Invoicing reads, each in a fixed number of queries."""

from hotelbooking.errors import InvoiceNotFound

from .models import Invoice


def reservation_invoices(reservation) -> list[Invoice]:
    """A reservation's invoices and credit notes, oldest first, with their lines and tax rows: four queries."""
    return list(Invoice.objects.filter(reservation=reservation)
                .select_related("folio", "credited_invoice", "credit_note")
                .prefetch_related("lines", "tax_summary").order_by("issued_at", "id"))


def reservation_invoice(reservation, number: str) -> Invoice:
    invoice = (Invoice.objects.filter(reservation=reservation, number=(number or "").strip())
               .select_related("folio", "credited_invoice", "credit_note", "hotel")
               .prefetch_related("lines", "tax_summary").first())
    if invoice is None:
        raise InvoiceNotFound(f"Reservation {reservation.confirmation_number} has no invoice {number}.")
    return invoice
