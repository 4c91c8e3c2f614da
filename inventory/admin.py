"""Catalogue and inventory in the admin, with the month-at-a-glance inventory grid and API keys."""

from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_hotels

from .models import Amenity, Hotel, HotelAPIKey, HotelPhoto, InventoryDay, InventoryHold, Room, RoomType, RoomTypePhoto
from .selectors import inventory_grid
from .services import inventory_open

MAX_OPEN_DAYS = 3 * 366

# The library registers its own, unused APIKey model; keys here are HotelAPIKey (with scope and hotels).
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class RoomTypeInline(HotelScoped, admin.TabularInline):
    model = RoomType
    fields = ("code", "name", "max_adults", "max_children", "max_occupancy", "sort_order")
    extra = 0
    show_change_link = True


def _preview(photo, rendition: str = "image_480", width: int = 160):
    """A thumbnail of a saved photo (decorative: the alt text is in the row beside it)."""
    if not photo or not photo.pk or not photo.image:
        return "—"
    return format_html('<img src="{}" alt="" width="{}">',
                       getattr(photo, rendition).url, width)


class PhotoInline(HotelScoped, admin.TabularInline):
    fields = ("preview", "image", "alt_text", "caption", "sort_order")
    readonly_fields = ("preview",)
    extra = 1
    ordering = ("sort_order", "id")

    @admin.display(description="Preview")
    def preview(self, obj):
        return _preview(obj)


class HotelPhotoInline(PhotoInline):
    model = HotelPhoto


class RoomTypePhotoInline(PhotoInline):
    model = RoomTypePhoto
    hotel_path = "room_type__hotel"


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    """The managed list of amenities every hotel and room type picks from."""

    list_display = ("code", "label", "icon_drawing", "icon", "sort_order")
    list_editable = ("label", "icon", "sort_order")
    search_fields = ("code", "label")
    prepopulated_fields = {"code": ("label",)}

    @admin.display(description="Drawing")
    def icon_drawing(self, obj):
        from .templatetags.inventory_content import amenity_icon

        return amenity_icon(obj.icon) or "—"


class OpenInventoryForm(forms.Form):
    start = forms.DateField(label="First night", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="Last night", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise ValidationError("The last night is before the first.")
            if (end - start).days >= MAX_OPEN_DAYS:
                raise ValidationError(f"Open at most {MAX_OPEN_DAYS} nights at a time.")
        return data


@admin.register(Hotel)
class HotelAdmin(HotelScoped, admin.ModelAdmin):
    """A staff member sees only the hotels they belong to; only a superuser assigns staff to hotels."""

    hotel_path = ""
    filter_horizontal = ("staff", "amenities")
    list_display = ("code", "name", "brand_code", "timezone", "currency", "check_in_time", "check_out_time",
                    "grid_link")
    list_filter = ("brand_code", "currency")
    search_fields = ("code", "name", "address")
    inlines = [RoomTypeInline, HotelPhotoInline]
    actions = ["open_inventory"]
    change_form_template = "admin/inventory/hotel/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj)) + ("logo_preview", "map_link")
        return fields if request.user.is_superuser else fields + ("staff",)

    @admin.display(description="Logo as shown")
    def logo_preview(self, obj):
        if not obj or not obj.logo:
            return "—"
        return format_html('<img src="{}" alt="" height="48">', obj.logo_rendition.url)

    @admin.display(description="Map link")
    def map_link(self, obj):
        url = obj.map_url if obj else ""
        return format_html('<a href="{}" rel="noopener" target="_blank">{}</a>', url, url) if url else "—"

    @admin.display(description="Inventory")
    def grid_link(self, obj):
        return format_html('<a href="{}">Grid</a>', reverse("admin:inventory_hotel_grid", args=[obj.pk]))

    def get_urls(self):
        custom = [path("<path:object_id>/inventory-grid/", self.admin_site.admin_view(self.inventory_grid_view),
                       name="inventory_hotel_grid")]
        return custom + super().get_urls()

    def inventory_grid_view(self, request, object_id):
        """Read-only: room types by the nights of a month, sold / available per cell."""
        hotel = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, hotel):
            raise PermissionDenied
        today = timezone.localtime(timezone.now(), hotel.tz).date()
        try:
            month = date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            month = today.replace(day=1)
        if not 1900 <= month.year <= 2999:  # keep month navigation away from date's limits
            month = today.replace(day=1)
        grid = inventory_grid(hotel=hotel, month=month)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": hotel,
            "title": f"Inventory of {hotel.name}, {month:%B %Y}",
            "grid": grid,
            "today": today,
        }
        return TemplateResponse(request, "admin/inventory/hotel/inventory_grid.html", context)

    @admin.action(description="Open inventory for the next 365 days", permissions=["change"])
    def open_inventory(self, request, queryset):
        """Asks for the range (today + 364 days by default), then opens it for each selected hotel."""
        today = timezone.localdate()
        if "apply" in request.POST:
            form = OpenInventoryForm(request.POST)
            if form.is_valid():
                start, end = form.cleaned_data["start"], form.cleaned_data["end"]
                for hotel in queryset:
                    created = inventory_open(hotel=hotel, start=start, end=end)
                    self.message_user(request, f"{hotel.code}: opened {created} new room-type nights "
                                               f"from {start} to {end}.", messages.SUCCESS)
                return None
        else:
            form = OpenInventoryForm(initial={"start": today, "end": today + timedelta(days=364)})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Open inventory",
            "form": form,
            "hotels": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory/hotel/open_inventory.html", context)


@admin.register(RoomType)
class RoomTypeAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("code", "name", "hotel", "max_adults", "max_children", "max_occupancy", "bed_type", "size_m2",
                    "view", "sort_order")
    list_filter = ("hotel", "bed_type", "view")
    list_select_related = ("hotel",)
    search_fields = ("code", "name")
    filter_horizontal = ("amenities",)
    inlines = [RoomTypePhotoInline]


@admin.register(Room)
class RoomAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ("number", "hotel", "room_type", "floor", "status", "features")
    list_editable = ("status",)
    list_filter = ("hotel", "status", "room_type", "floor")
    list_select_related = ("hotel", "room_type")
    search_fields = ("number", "features")


class InventoryDayForm(forms.ModelForm):
    class Meta:
        model = InventoryDay
        fields = ("room_type", "date", "total", "out_of_order", "stop_sell", "rooms_to_sell", "min_stay", "max_stay",
                  "closed_to_arrival", "closed_to_departure", "min_advance_days", "max_advance_days")

    def clean(self):
        # The CHECK constraint names sold and total, which the admin does not edit, so Django would skip it:
        # say it here instead of letting the database refuse with an error page.
        data = super().clean()
        total = data.get("total", self.instance.total)
        sold = data.get("sold", self.instance.sold) or 0
        out_of_order = data.get("out_of_order", self.instance.out_of_order) or 0
        if total is not None and sold > total - out_of_order:
            raise ValidationError(f"{sold} of {total} rooms are sold: at most {total - sold} can be out of order.")
        for low, high, what in (("min_stay", "max_stay", "stay"),
                                ("min_advance_days", "max_advance_days", "lead time")):
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                raise ValidationError(f"The maximum {what} is below the minimum.")
        return data


@admin.register(InventoryDay)
class InventoryDayAdmin(HotelScoped, admin.ModelAdmin):
    hotel_path = "room_type__hotel"
    form = InventoryDayForm
    list_display = ("room_type", "date", "total", "sold", "out_of_order", "rooms_to_sell", "available", "stop_sell",
                    "min_stay", "max_stay", "closed_to_arrival", "closed_to_departure", "min_advance_days",
                    "max_advance_days")
    list_editable = ("out_of_order", "stop_sell", "min_stay", "closed_to_arrival", "closed_to_departure")
    list_filter = ("room_type__hotel", "room_type", "stop_sell", "closed_to_arrival", "closed_to_departure")
    list_select_related = ("room_type",)
    date_hierarchy = "date"
    list_per_page = 62

    def get_readonly_fields(self, request, obj=None):
        # Sold counts only move through reservations (inventory_reserve / inventory_release).
        return ("room_type", "date", "total", "sold") if obj else ("sold",)

    @admin.display(description="Available")
    def available(self, obj):
        return 0 if obj.stop_sell else obj.free


@admin.register(InventoryHold)
class InventoryHoldAdmin(HotelScoped, admin.ModelAdmin):
    """Read-only: which holder (reservation) holds which nights."""

    hotel_path = "room_type__hotel"
    list_display = ("holder", "room_type", "date", "rooms")
    list_filter = ("room_type__hotel", "room_type")
    list_select_related = ("room_type",)
    search_fields = ("holder",)
    date_hierarchy = "date"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HotelAPIKey)
class HotelAPIKeyAdmin(HotelScoped, APIKeyModelAdmin):
    """Creating a key shows it once in a message; revoking is final. A staff member sees only keys of their own
    hotels (none shared with another hotel). Channel keys are made from "Channel API keys"."""

    hotel_path = "hotels"
    list_display = ("prefix", "name", "scope", "hotel_wide", "hotel_codes", "created", "expiry_date",
                    "_has_expired", "revoked")
    list_filter = ("scope", "hotel_wide", "revoked", "hotels", "created")
    filter_horizontal = ("hotels",)
    actions = ["revoke"]

    def get_queryset(self, request):
        qs = APIKeyModelAdmin.get_queryset(self, request).prefetch_related("hotels")
        if request.user.is_superuser:
            return qs
        mine = staff_hotels(request.user)
        others = Hotel.objects.exclude(pk__in=mine)
        return qs.filter(pk__in=HotelAPIKey.objects.filter(hotels__in=mine).values("pk")).exclude(
            pk__in=HotelAPIKey.objects.filter(hotels__in=others).values("pk"))

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + ("scope", "hotels") if obj is not None and obj.scope == "channel" else fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "scope":  # a channel key is bound to its channel where it is made
            kwargs["choices"] = [c for c in db_field.choices if c[0] != "channel"]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.display(description="Hotels")
    def hotel_codes(self, obj):
        return ", ".join(h.code for h in obj.hotels.all())

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.filter(revoked=False).update(revoked=True)
        self.message_user(request, f"Revoked {count} key(s). They stop working at once.", messages.SUCCESS)
