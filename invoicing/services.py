"""Invoicing use cases: issue a folio's invoice, cancel it with a credit note, invoice a departure.

Locks, in the front desk's order: the reservation row, then the folio row, then (last, held shortest) the series'
counter (numbering.py). Each use case is one transaction; the email leaves after commit (delivery.py).
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from bookings.models import Payment, Reservation, Status, actor_label
from bookings.services import reservation_lock
from frontdesk.models import Folio, FolioLine
from frontdesk.selectors import bill_order
from frontdesk.services.common import guest_folio, post_stay_nights
from hotelbooking.errors import (
    FolioAlreadyInvoiced,
    FolioEmpty,
    FolioNotFound,
    InvoiceAlreadyCredited,
    ReservationNotFound,
)
from hotelbooking.money import round_money
from pricing.search import hotel_today

from . import delivery
from .composition import Composition, PaymentRow, compose, negated
from .models import Invoice, InvoiceLine, InvoiceSettings, InvoiceTax
from .numbering import number_take, series_for
from .selectors import known_rates, taxed_extras

# Before arrival a prepaid guest may ask for the invoice: the booked stay is posted first (idempotently, by the
# front desk's posting keys), so the invoice shows the nights paid for and the night audit posts nothing twice.
BEFORE_ARRIVAL = (Status.CONFIRMED,)
RATE_PLACES = Decimal("0.0001")  # as InvoiceTax.rate stores it


def _payments(folio: Folio, reservation: Reservation) -> list[PaymentRow]:
    """Payments belong to the guest's folio (number 1); other folios are billed to their party in full."""
    if folio.number != Folio.GUEST_NUMBER:
        return []
    tz = reservation.hotel.tz
    rows = []
    for p in Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED).order_by("created_at",
                                                                                                       "id"):
        card = f"{p.card_brand} ending {p.last_four}".strip() if p.last_four else p.gateway
        words = "Refund" if p.kind == Payment.Kind.REFUND else "Payment"
        amount = -p.amount if p.kind == Payment.Kind.REFUND else p.amount
        rows.append(PaymentRow(timezone.localtime(p.created_at, tz).date(), f"{words} ({card})", amount))
    return rows


def _bill_to(folio: Folio, reservation: Reservation) -> dict:
    """The party billed, as it is today: the folio's billing party, else the guest (name, the address given for
    invoices at booking, email)."""
    party = folio.billing_party
    if party is not None:
        town = " ".join(x for x in (party.postal_code, party.city) if x)
        address = "\n".join(x for x in (party.address.strip(), town, party.country) if x)
        return {"bill_to_name": party.name, "bill_to_address": address, "bill_to_vat_id": party.vat_id,
                "bill_to_email": party.email}
    if folio.kind == Folio.Kind.CHANNEL:
        return {"bill_to_name": reservation.source or "Booking channel", "bill_to_address": "",
                "bill_to_vat_id": "", "bill_to_email": ""}
    guest = reservation.guest
    return {"bill_to_name": guest.full_name, "bill_to_address": reservation.billing_address.strip(),
            "bill_to_vat_id": "", "bill_to_email": guest.email}


def _seller(hotel) -> dict:
    settings = InvoiceSettings.objects.filter(hotel=hotel).first() or InvoiceSettings(hotel=hotel)
    return {"seller_name": settings.legal_name or hotel.name, "seller_address": settings.address or hotel.address,
            "seller_tax_id": settings.tax_id, "legal_text": settings.legal_text, "logo_url": settings.logo_url}


def _stay(reservation: Reservation) -> str:
    return (f"{reservation.room_type.name}, {reservation.check_in:%d %b %Y} - {reservation.check_out:%d %b %Y}, "
            f"confirmation {reservation.confirmation_number}")


def _folio_locked(reservation: Reservation, number: int) -> Folio:
    if number == Folio.GUEST_NUMBER:
        guest_folio(reservation)  # made on the first posting: a prepaid booking may have none yet
    folio = (Folio.objects.select_for_update().filter(reservation=reservation, number=number).first())
    if folio is None:
        raise FolioNotFound(f"Reservation {reservation.confirmation_number} has no folio {number}.", folio=number)
    return Folio.objects.select_related("billing_party").get(pk=folio.pk)


def _in_force(folio: Folio) -> Invoice | None:
    return (Invoice.objects.filter(folio=folio, kind=Invoice.Kind.INVOICE, credit_note__isnull=True)
            .order_by("-id").first())


def invoice_issue(*, reservation_id: int, folio_number: int = Folio.GUEST_NUMBER, actor=None) -> Invoice:
    """Issue the invoice of one folio: what it holds now, frozen, with the next number of the hotel's series.

    A folio has one invoice in force at a time (closed_at is set): FolioAlreadyInvoiced until a credit note
    cancels it. An empty folio has nothing to invoice (FolioEmpty). Before arrival the booked stay is posted first.
    """
    with transaction.atomic():
        reservation = reservation_lock(reservation_id)
        if reservation is None:
            raise ReservationNotFound()
        folio = _folio_locked(reservation, folio_number)
        if folio.closed_at is not None:
            current = _in_force(folio)
            raise FolioAlreadyInvoiced(f"Folio {folio.number} is invoiced already ({current}). Cancel that invoice "
                                       "with a credit note to issue a new one.", invoice=str(current or ""))
        if reservation.status in BEFORE_ARRIVAL and folio.number == Folio.GUEST_NUMBER:
            post_stay_nights(reservation, actor=actor)
        lines = sorted(FolioLine.objects.filter(folio=folio), key=bill_order)
        if not lines:
            raise FolioEmpty(f"Folio {folio.number} of {reservation.confirmation_number} has no charges.")
        composition = compose(lines, _payments(folio, reservation), known_rates(reservation.hotel_id),
                              taxed_extras(lines, reservation))
        invoice = _write(reservation, folio, composition, actor=actor, bill_to=_bill_to(folio, reservation))
        Folio.objects.filter(pk=folio.pk).update(closed_at=invoice.issued_at)
        delivery.send_after_commit(invoice)
        return invoice


def _write(reservation, folio, composition: Composition, *, actor, bill_to: dict, credited: Invoice | None = None
           ) -> Invoice:
    hotel = reservation.hotel
    currency = reservation.currency
    issue_date = hotel_today(hotel)
    series = series_for(hotel, credit_note=credited is not None)
    money = lambda value: round_money(value, currency)  # noqa: E731 (the ledger's amounts are rounded already)
    sequence, number = number_take(hotel=hotel, series=series, year=issue_date.year)
    invoice = Invoice.objects.create(
        hotel=hotel, folio=folio, reservation=reservation, confirmation_number=reservation.confirmation_number,
        kind=Invoice.Kind.CREDIT_NOTE if credited else Invoice.Kind.INVOICE, number=number, series=series,
        year=issue_date.year, sequence=sequence, credited_invoice=credited, issue_date=issue_date,
        issued_by=actor_label(actor), currency=currency, stay=_stay(reservation),
        **(_seller(hotel) if credited is None else _seller_of(credited)), **bill_to,
        net_total=money(composition.net_total), tax_total=money(composition.tax_total),
        gross_total=money(composition.gross_total),
        payments=[{"date": p.date.isoformat(), "description": p.description, "amount": str(money(p.amount))}
                  for p in composition.payments],
        paid_total=money(composition.paid_total), balance=money(composition.balance))
    InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, position=i, date=line.date, kind=line.kind, description=line.description[:200],
                    net=money(line.net), tax=money(line.tax), gross=money(line.gross),
                    taxes=[{"name": t.name, "rate": str(t.rate.quantize(RATE_PLACES)), "amount": str(money(t.amount))}
                           for t in line.taxes],
                    folio_line_ids=line.folio_line_ids)
        for i, line in enumerate(composition.lines, start=1)])
    InvoiceTax.objects.bulk_create([
        InvoiceTax(invoice=invoice, rate=row.rate, net=money(row.net), tax=money(row.tax), gross=money(row.gross))
        for row in composition.tax_rows])
    return invoice


def _seller_of(invoice: Invoice) -> dict:
    return {"seller_name": invoice.seller_name, "seller_address": invoice.seller_address,
            "seller_tax_id": invoice.seller_tax_id, "legal_text": invoice.legal_text, "logo_url": invoice.logo_url}


def invoice_credit(*, invoice_id: int, actor=None) -> Invoice:
    """Cancel an invoice in full with a credit note (its own series, e.g. NYC-CN-2026-000004): every line, tax and
    payment negated, the bill-to as on the invoice. The folio reopens (closed_at cleared): it can be corrected and
    invoiced again."""
    with transaction.atomic():
        invoice = Invoice.objects.select_related("folio").get(pk=invoice_id)
        reservation = reservation_lock(invoice.reservation_id)
        folio = _folio_locked(reservation, invoice.folio.number)
        if invoice.is_credit_note:
            raise InvoiceAlreadyCredited(f"{invoice.number} is a credit note: it cannot be credited.",
                                         invoice=invoice.number)
        credit_note = Invoice.objects.filter(credited_invoice=invoice).first()
        if credit_note is not None:
            raise InvoiceAlreadyCredited(f"{invoice.number} is cancelled already by {credit_note.number}.",
                                         invoice=credit_note.number)
        composition = negated(invoice)
        bill_to = {name: getattr(invoice, name) for name in ("bill_to_name", "bill_to_address", "bill_to_vat_id",
                                                            "bill_to_email")}
        note = _write(reservation, folio, composition, actor=actor, bill_to=bill_to, credited=invoice)
        Folio.objects.filter(pk=folio.pk).update(closed_at=None)
        delivery.send_after_commit(note)
        return note


def departure_invoice(*, reservation_id: int) -> list[Invoice]:
    """At check-out every folio with charges and no invoice in force is invoiced. Idempotent: an invoiced folio is
    closed, so a second run issues nothing."""
    issued = []
    numbers = (Folio.objects.filter(reservation_id=reservation_id, closed_at__isnull=True, lines__isnull=False)
               .distinct().order_by("number").values_list("number", flat=True))
    for number in list(numbers):
        try:
            issued.append(invoice_issue(reservation_id=reservation_id, folio_number=number, actor="system"))
        except (FolioAlreadyInvoiced, FolioEmpty):
            continue  # invoiced (or emptied) by someone else in the meantime
    return issued
