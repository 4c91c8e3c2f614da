"""The admin's guest data pages: a guest's data page (export as ZIP, erase, withdraw marketing consent), the
hotels' retention settings, the erasure record and the consent record.

Staff need privacy.export_guest_data / privacy.erase_guest_data and see the guests of their hotels only
(superusers every guest). A staff export holds only their hotels' reservations; an erasure, which is of the
whole guest, needs every hotel the guest stayed at among theirs.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from bookings.admin.readonly import NoEdits
from bookings.consent import MarketingConsent, consent_current, consent_record
from hotelbooking.errors import DomainError
from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_hotels
from inventory.models import Hotel

from .erasure import guest_erase, is_erased
from .export import export_filename, guest_export_data, guest_export_zip
from .models import ErasureRecord, GuestData, PrivacySettings

EXPORT_PERM, ERASE_PERM = "privacy.export_guest_data", "privacy.erase_guest_data"


def _export_hotels(request):
    """None (every hotel) for a superuser; otherwise the staff member's hotels."""
    return None if request.user.is_superuser else list(staff_hotels(request.user))


def may_erase(request, guest) -> bool:
    """Erasure is of the whole guest: a staff member must reach every hotel the guest booked at."""
    if not request.user.has_perm(ERASE_PERM):
        return False
    if request.user.is_superuser:
        return True
    theirs = Hotel.objects.filter(reservations__guest=guest).distinct()
    return not theirs.exclude(pk__in=staff_hotels(request.user)).exists()


def _zip_response(guest, hotels) -> HttpResponse:
    response = HttpResponse(guest_export_zip(guest, hotels=hotels), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(guest)}"'
    return response


@admin.register(GuestData)
class GuestDataAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    hotel_path = "reservations__hotel"
    list_display = ["__str__", "bookings", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone", "loyalty_number"]
    actions = ["export_zip", "erase"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_bookings=Count("reservations"))

    @admin.display(description="Bookings", ordering="_bookings")
    def bookings(self, obj):
        return obj._bookings

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(EXPORT_PERM) or request.user.has_perm(ERASE_PERM)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_export_permission(self, request):
        return request.user.has_perm(EXPORT_PERM)

    def has_erase_permission(self, request):
        return request.user.has_perm(ERASE_PERM)

    @admin.action(description="Export the guest's data (ZIP)", permissions=["export"])
    def export_zip(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Choose one guest to export.", messages.WARNING)
            return None
        return _zip_response(queryset.get(), _export_hotels(request))

    @admin.action(description="Erase the guests' personal data", permissions=["erase"])
    def erase(self, request, queryset):
        for guest in queryset:
            self._erase_one(request, guest)

    def _erase_one(self, request, guest) -> bool:
        label = f"Guest #{guest.pk}"
        if not may_erase(request, guest):
            self.message_user(request, f"{label}: they also stayed at hotels you do not work at; ask an "
                                       "administrator to erase them.", messages.ERROR)
            return False
        try:
            guest_erase(guest_id=guest.pk, reason=ErasureRecord.Reason.STAFF, by=request.user)
        except DomainError as error:
            self.message_user(request, f"{label}: {error.message} ({error.code})", messages.ERROR)
            return False
        self.message_user(request, f"{label}: personal data erased; amounts, payments and invoices kept.")
        return True

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The guest's data page: what is held (as the export has it), download, erase, withdraw consent."""
        guest = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, guest):
            raise PermissionDenied
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "download":
            if not self.has_export_permission(request):
                raise PermissionDenied
            return _zip_response(guest, _export_hotels(request))
        if action == "erase":
            if not self.has_erase_permission(request):
                raise PermissionDenied
            self._erase_one(request, guest)
            return redirect(request.path)
        if action == "withdraw":
            if not self.has_export_permission(request) and not self.has_erase_permission(request):
                raise PermissionDenied
            if consent_current(guest):
                consent_record(guest=guest, granted=False, source=MarketingConsent.Source.ADMIN,
                               actor=request.user.get_username())
            self.message_user(request, "Marketing consent withdrawn.")
            return redirect(request.path)
        data = guest_export_data(guest, hotels=_export_hotels(request))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": f"Guest data: #{guest.pk}",
            "original": guest, "data": data, "erased": is_erased(guest),
            "marketing_consent": consent_current(guest),
            "may_export": self.has_export_permission(request), "may_erase": may_erase(request, guest),
            "erasures": ErasureRecord.objects.filter(guest_id=guest.pk),
        }
        return TemplateResponse(request, "admin/privacy/guest_data.html", context)


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "retention_days"]


@admin.register(ErasureRecord)
class ErasureRecordAdmin(NoEdits, admin.ModelAdmin):
    """Who erased which guest id, and when. Nothing personal, so not per hotel; for those who may erase."""

    list_display = ["guest_id", "reason", "erased_at", "actor", "reservations", "rows_scrubbed"]
    list_filter = ["reason"]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(ERASE_PERM)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(MarketingConsent)
class MarketingConsentAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    """Every consent given or withdrawn, with its words; staff withdraw a guest's consent from here."""

    hotel_path = "guest__reservations__hotel"
    list_display = ["guest", "kind", "granted", "wording_version", "source", "at"]
    list_filter = ["kind", "granted", "source"]
    search_fields = ["guest__email", "guest__last_name"]
    actions = ["withdraw"]

    @admin.action(description="Withdraw the guests' marketing consent", permissions=["view"])
    def withdraw(self, request, queryset):
        guests = {c.guest for c in queryset.select_related("guest")}
        count = 0
        for guest in guests:
            if consent_current(guest):
                consent_record(guest=guest, granted=False, source=MarketingConsent.Source.ADMIN,
                               actor=request.user.get_username())
                count += 1
        self.message_user(request, f"Marketing consent withdrawn for {count} guest(s).")
