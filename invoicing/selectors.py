"""Invoicing reads, each in a fixed number of queries."""

import re
from decimal import Decimal

from bookings.models import Reservation
from frontdesk.folio import booked_extras
from hotelbooking.errors import InvoiceNotFound
from pricing.models import Tax

from .models import Invoice

EXTRA_KEY = re.compile(r"night:[^:]+:extra:(\d+)")


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


def taxed_extras(lines: list, reservation) -> frozenset[int]:
    """The EXTRA lines posted from a taxable booked extra (breakfast, not a tax-exempt one): their posting key
    names the booked extra (frontdesk.folio, "night:<date>:extra:<n>"). One query per other reservation whose
    lines this folio holds (none for a folio of its own)."""
    bookings = {reservation.pk: booked_extras(reservation)}
    out = set()
    for fl in lines:
        match = EXTRA_KEY.fullmatch(fl.posting_key or "") if fl.kind == "EXTRA" else None
        if match is None:
            continue
        if fl.reservation_id not in bookings:
            bookings[fl.reservation_id] = booked_extras(Reservation.objects.get(pk=fl.reservation_id))
        booked = bookings[fl.reservation_id]
        n = int(match.group(1))
        if n < len(booked) and booked[n].taxable:
            out.add(fl.pk)
    return frozenset(out)
