"""Invoices API, under a reservation: list its invoices, issue a folio's, credit one, download the PDF.

Front-desk keys and staff sessions with the invoicing permissions (hotelbooking.permissions WORK:
view_invoices, issue_invoice, credit_invoice) at their hotels; a partner key is told these do not exist (404).
Thin views: one service or selector each.
"""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.services import reservation_get
from frontdesk.services import clean_code
from hotelbooking.api import AmountField, ErrorSerializer, HotelWork, caller_of, hotels_for
from hotelbooking.money import round_money

from . import selectors, services
from .models import Invoice
from .pdf import invoice_pdf, pdf_filename

TAGS = ["invoices"]


def _err(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


AUTH_ERRORS = {
    401: _err("AUTHENTICATION_REQUIRED: no or an invalid API key."),
    403: _err("FORBIDDEN: a staff session without the permission for this work."),
    429: _err("RATE_LIMITED"),
}
NOT_FOUND = "RESERVATION_NOT_FOUND, or NOT_FOUND for a partner key (invoices are not shown to partners)"


def _amount(help_text="Decimal string in the invoice's currency, e.g. \"92.50\"."):
    return AmountField(help_text=help_text)


class PartyOutput(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField(help_text="Lines separated by newlines; may be empty")
    tax_id = serializers.CharField(help_text="The seller's tax id, or the billed party's VAT id; may be empty")
    email = serializers.CharField(required=False, help_text="Bill-to only: where the invoice is emailed")


class LineTaxOutput(serializers.Serializer):
    name = serializers.CharField()
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True,
                                    help_text="Percent, e.g. \"12.0000\"")
    amount = _amount()


class InvoiceLineOutput(serializers.Serializer):
    position = serializers.IntegerField()
    date = serializers.DateField()
    type = serializers.CharField(help_text="The folio line's kind: ROOM, TAX, FEE, MINIBAR, ...")
    description = serializers.CharField()
    net = _amount()
    tax = _amount()
    gross = _amount()
    taxes = LineTaxOutput(many=True, help_text="The percentage taxes on this line, per rate")


class TaxRowOutput(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True, allow_null=True,
                                    help_text="Percent; null for the lines that carry no percentage tax")
    net = _amount(help_text="The net base taxed at this rate")
    tax = _amount()
    gross = _amount()


class InvoicePaymentOutput(serializers.Serializer):
    date = serializers.DateField()
    description = serializers.CharField()
    amount = _amount(help_text="A refund is negative")


class InvoiceTotalsOutput(serializers.Serializer):
    net = _amount()
    tax = _amount()
    gross = _amount()
    paid = _amount(help_text="Payments applied (the guest's folio only)")
    balance = _amount(help_text="gross - paid: what the bill-to party owes (negative: a credit)")


class InvoiceOutput(serializers.Serializer):
    number = serializers.CharField(help_text="e.g. NYC-2026-000123; a credit note NYC-CN-2026-000004")
    type = serializers.ChoiceField(choices=Invoice.Kind.choices)
    folio = serializers.IntegerField(help_text="The folio's number (1: the guest's)")
    issue_date = serializers.DateField(help_text="The hotel's local date")
    currency = serializers.CharField()
    seller = PartyOutput()
    bill_to = PartyOutput()
    lines = InvoiceLineOutput(many=True)
    tax_summary = TaxRowOutput(many=True)
    payments = InvoicePaymentOutput(many=True)
    totals = InvoiceTotalsOutput()
    cancels = serializers.CharField(allow_null=True, help_text="A credit note: the invoice it cancels")
    cancelled_by = serializers.CharField(allow_null=True, help_text="An invoice: the credit note cancelling it")
    pdf = serializers.CharField(help_text="The path of the PDF")


class InvoiceListOutput(serializers.Serializer):
    confirmation_number = serializers.CharField()
    invoices = InvoiceOutput(many=True)


def invoice_data(invoice: Invoice) -> dict:
    c = invoice.currency

    def m(value):
        return str(round_money(value, c))

    note = getattr(invoice, "credit_note", None) if not invoice.is_credit_note else None
    return {
        "number": invoice.number, "type": invoice.kind, "folio": invoice.folio.number,
        "issue_date": invoice.issue_date, "currency": c,
        "seller": {"name": invoice.seller_name, "address": invoice.seller_address, "tax_id": invoice.seller_tax_id},
        "bill_to": {"name": invoice.bill_to_name, "address": invoice.bill_to_address,
                    "tax_id": invoice.bill_to_vat_id, "email": invoice.bill_to_email},
        "lines": [{"position": x.position, "date": x.date, "type": x.kind, "description": x.description,
                   "net": m(x.net), "tax": m(x.tax), "gross": m(x.gross),
                   "taxes": [{**t, "amount": m(t["amount"])} for t in x.taxes]} for x in invoice.lines.all()],
        "tax_summary": [{"rate": t.rate, "net": m(t.net), "tax": m(t.tax), "gross": m(t.gross)}
                        for t in invoice.tax_summary.all()],
        "payments": [{**p, "amount": m(p["amount"])} for p in invoice.payments],
        "totals": {"net": m(invoice.net_total), "tax": m(invoice.tax_total), "gross": m(invoice.gross_total),
                   "paid": m(invoice.paid_total), "balance": m(invoice.balance)},
        "cancels": invoice.credited_invoice.number if invoice.credited_invoice_id else None,
        "cancelled_by": note.number if note is not None else None,
        "pdf": f"/api/v1/reservations/{invoice.confirmation_number}/invoices/{invoice.number}/pdf",
    }


def _reservation(request, confirmation_number: str):
    return reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels_for(request))


def _created(reservation, invoice: Invoice) -> Response:
    """201 with the document as stored (read back with its lines and tax rows)."""
    stored = selectors.reservation_invoice(reservation, invoice.number)
    return Response(InvoiceOutput(invoice_data(stored)).data, status=201)


class InvoiceListApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_invoices"

    @extend_schema(operation_id="reservation_invoices", summary="A reservation's invoices and credit notes",
                   tags=TAGS, responses={200: InvoiceListOutput, 404: _err(NOT_FOUND), **AUTH_ERRORS})
    def get(self, request, confirmation_number: str):
        reservation = _reservation(request, confirmation_number)
        return Response(InvoiceListOutput({
            "confirmation_number": reservation.confirmation_number,
            "invoices": [invoice_data(i) for i in selectors.reservation_invoices(reservation)]}).data)


class InvoiceIssueApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "issue_invoice"

    @extend_schema(
        operation_id="folio_invoice_issue", summary="Issue a folio's invoice", tags=TAGS, request=None,
        description="Invoices what the folio holds now (before arrival: the booked stay, posted first), with the "
                    "next number of the hotel's series, and emails it to the bill-to party. The folio is then "
                    "closed until a credit note cancels the invoice. No body.",
        responses={201: InvoiceOutput,
                   404: _err(f"FOLIO_NOT_FOUND, {NOT_FOUND}"),
                   409: _err("FOLIO_ALREADY_INVOICED (`invoice`: the one in force), FOLIO_EMPTY"),
                   **AUTH_ERRORS})
    def post(self, request, confirmation_number: str, folio_number: int):
        reservation = _reservation(request, confirmation_number)
        invoice = services.invoice_issue(reservation_id=reservation.pk, folio_number=folio_number,
                                         actor=caller_of(request))
        return _created(reservation, invoice)


class InvoiceCreditApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "credit_invoice"

    @extend_schema(
        operation_id="invoice_credit", summary="Cancel an invoice with a credit note", tags=TAGS, request=None,
        description="Issues a credit note (its own series) that negates the invoice in full and reopens the "
                    "folio, so it can be corrected and invoiced again. No body.",
        responses={201: InvoiceOutput,
                   404: _err(f"INVOICE_NOT_FOUND, {NOT_FOUND}"),
                   409: _err("INVOICE_ALREADY_CREDITED (`invoice`: the credit note), also for a credit note"),
                   **AUTH_ERRORS})
    def post(self, request, confirmation_number: str, number: str):
        reservation = _reservation(request, confirmation_number)
        invoice = selectors.reservation_invoice(reservation, number)
        note = services.invoice_credit(invoice_id=invoice.pk, actor=caller_of(request))
        return _created(reservation, note)


class InvoicePdfApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_invoices"

    @extend_schema(operation_id="invoice_pdf", summary="An invoice's PDF", tags=TAGS,
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY,
                              404: _err(f"INVOICE_NOT_FOUND, {NOT_FOUND}"), **AUTH_ERRORS})
    def get(self, request, confirmation_number: str, number: str):
        invoice = selectors.reservation_invoice(_reservation(request, confirmation_number), number)
        return pdf_response(invoice)


def pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(invoice)}"'
    return response
