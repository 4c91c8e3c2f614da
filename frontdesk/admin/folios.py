"""Admin for split folios: the group's companies and travel agents (shared by its hotels, listed, searched and
edited by staff of any hotel who hold the permission), and the folios and moves as read-only records scoped to
the staff member's hotels."""

from django.contrib import admin

from bookings.admin.readonly import NoEdits
from hotelbooking.hotel_admin import HotelScoped

from ..models import BillingParty, Folio, FolioLineMove


@admin.register(BillingParty)
class BillingPartyAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "vat_id", "city", "country", "contact_name", "email", "is_active"]
    list_filter = ["kind", "is_active", "country"]
    search_fields = ["name", "vat_id", "city", "email", "contact_name"]
    fields = ["kind", "name", "address", "postal_code", "city", "country", "vat_id", "contact_name", "email",
              "phone", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False  # folios and invoices keep pointing at it: retire it with is_active instead


@admin.register(Folio)
class FolioAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    hotel_path = "reservation__hotel"
    list_display = ["reservation", "number", "kind", "billing_party", "label", "created_at", "closed_at"]
    list_filter = ["kind"]
    search_fields = ["reservation__confirmation_number", "billing_party__name", "label"]
    list_select_related = ["reservation", "billing_party"]


@admin.register(FolioLineMove)
class FolioLineMoveAdmin(NoEdits, HotelScoped, admin.ModelAdmin):
    hotel_path = "line__reservation__hotel"
    list_display = ["moved_at", "line", "from_folio", "to_folio", "reason", "actor"]
    search_fields = ["line__reservation__confirmation_number", "reason"]
    list_select_related = ["line", "from_folio__reservation", "to_folio__reservation"]
