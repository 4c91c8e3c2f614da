"""Invoices in the admin: read-only records with their PDF (staff of the invoice's hotel only); a credit-note
action for staff who may credit; per-hotel invoice settings."""

from django.contrib import admin, messages
from django.db import models
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html

from bookings.admin_readonly import NoEdits, ReadOnlyInline
from hotelbooking.errors import DomainError
from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_may

from .api import pdf_response
from .models import Invoice, InvoiceCounter, InvoiceLine, InvoiceSettings, InvoiceTax
from .services import invoice_credit

HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(InvoiceSettings)
class InvoiceSettingsAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "legal_name", "tax_id", "series_prefix"]
    formfield_overrides = HTTPS_URLS


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "date", "kind", "description", "net", "tax", "gross", "taxes"]
    readonly_fields = fields


class InvoiceTaxInline(ReadOnlyInline):
    model = InvoiceTax
    fields = ["rate", "net", "tax", "gross"]
    readonly_fields = fields
    verbose_name_plural = "tax summary"


@admin.register(Invoice)
class InvoiceAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    list_display = ["number", "kind", "issue_date", "confirmation_number", "bill_to_name", "gross_total",
                    "balance", "currency", "pdf_link"]
    list_filter = ["hotel", "kind", "issue_date"]
    search_fields = ["number", "confirmation_number", "bill_to_name", "bill_to_vat_id"]
    date_hierarchy = "issue_date"
    inlines = [InvoiceLineInline, InvoiceTaxInline]
    actions = ["credit_selected"]
    exclude = ["folio", "reservation"]
    formfield_overrides = HTTPS_URLS

    def get_urls(self):
        return [path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="invoicing_invoice_pdf"),
                *super().get_urls()]

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        return format_html('<a href="{}">{}.pdf</a>', reverse("admin:invoicing_invoice_pdf", args=[obj.pk]),
                           obj.number)

    def pdf_view(self, request, pk: int):
        """The PDF, for staff who may view invoices at the invoice's hotel (another hotel's is "not found")."""
        invoice = self.get_queryset(request).filter(pk=pk).first()
        if invoice is None or not self.has_view_permission(request, invoice):
            raise Http404("No such invoice.")
        return pdf_response(invoice)

    @admin.action(description="Cancel with a credit note (the folio reopens)")
    def credit_selected(self, request, queryset):
        for invoice in queryset:
            if not staff_may(request.user, "credit_invoice", invoice.hotel):
                self.message_user(request, f"You may not credit {invoice.number}.", messages.ERROR)
                continue
            try:
                note = invoice_credit(invoice_id=invoice.pk, actor=request.user)
            except DomainError as refused:
                self.message_user(request, refused.message, messages.ERROR)
            else:
                self.message_user(request, f"{invoice.number} is cancelled by {note.number}.", messages.SUCCESS)


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "series", "year", "last_number"]
