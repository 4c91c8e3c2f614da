"""Invoicing reads, each in a fixed number of queries."""

from decimal import Decimal

from hotelbooking.errors import InvoiceNotFound
from pricing.models import Tax

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


def known_rates(hotel_id: int) -> dict[str, Decimal]:
    """The hotel's percentage taxes by name, for tax postings that did not record their rate."""
    return {t.name: t.value for t in Tax.objects.filter(hotel_id=hotel_id, kind=Tax.Kind.PERCENT)}
