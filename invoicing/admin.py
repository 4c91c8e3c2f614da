"""Invoices in the admin: read-only records with their PDF (staff of the invoice's hotel only); a credit-note
action for staff who may credit; per-hotel invoice settings."""

from django.contrib import admin, messages
from django.db import models
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html

from bookings.admin.readonly import NoEdits, ReadOnlyInline
from hotelbooking.errors import DomainError
from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_may

from .accounting import accounting_export_write, reconciliation
from .api import pdf_response
from .models import AccountCode, AccountingExport, Invoice, InvoiceCounter, InvoiceLine, InvoiceSettings, InvoiceTax
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


@admin.register(AccountCode)
class AccountCodeAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "kind", "account", "description"]
    list_filter = ["hotel", "kind"]


@admin.register(AccountingExport)
class AccountingExportAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "business_date", "created_at", "created_by", "csv_link"]
    list_filter = ["hotel"]
    date_hierarchy = "business_date"
    actions = ["rewrite_selected", "reconcile_selected"]

    def get_urls(self):
        return [path("<int:pk>/csv/", self.admin_site.admin_view(self.csv_view), name="invoicing_export_csv"),
                *super().get_urls()]

    @admin.display(description="CSV")
    def csv_link(self, obj):
        return format_html('<a href="{}">Download</a>', reverse("admin:invoicing_export_csv", args=[obj.pk]))

    def csv_view(self, request, pk: int):
        export = self.get_queryset(request).filter(pk=pk).first()
        if export is None or not self.has_view_permission(request, export):
            raise Http404("No such export.")
        response = HttpResponse(export.content, content_type="text/csv")
        response["Content-Disposition"] = (f'attachment; filename="accounting-{export.hotel.code}-'
                                           f'{export.business_date}.csv"')
        return response

    @admin.action(description="Write again from today's ledger")
    def rewrite_selected(self, request, queryset):
        for export in queryset.select_related("hotel"):
            accounting_export_write(hotel=export.hotel, business_date=export.business_date, actor=request.user)
        self.message_user(request, f"{queryset.count()} exports written again.", messages.SUCCESS)

    @admin.action(description="Reconcile the hotels' folios with their invoices")
    def reconcile_selected(self, request, queryset):
        for hotel in {export.hotel for export in queryset.select_related("hotel")}:
            check = reconciliation(hotel=hotel)
            text = f"{hotel.code}: charges {check.charges} = invoiced {check.invoiced} + open {check.open}"
            if check.balanced:
                self.message_user(request, text + ": balanced.", messages.SUCCESS)
            else:
                self.message_user(request, text + ": NOT balanced: " + "; ".join(check.mismatched), messages.ERROR)
