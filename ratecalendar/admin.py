"""The rates calendar in the admin: one page per hotel (prices, rooms and restrictions by night), the bulk edit's
preview and apply, and the history of edits with their undo. Views only translate; services.py does the work.

Who may: `view_rates` to see a hotel's calendar and history, `manage_rates` to preview, apply and undo
(hotelbooking.permissions), at the hotels the staff member belongs to.
"""

from datetime import date

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from hotelbooking.errors import DomainError, PreviewOutdated
from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_hotels, staff_may
from inventory.models import RoomType
from pricing.models import Rate, RatePlan

from .forms import BulkEditForm
from .models import CalendarEdit
from .selectors import rate_calendar
from .services import edit_apply, edit_preview, edit_undo

PREVIEW_ROWS = 400  # cells listed on the preview page; the rest are counted


@admin.register(CalendarEdit)
class CalendarEditAdmin(HotelScoped, admin.ModelAdmin):
    """The history: read-only entries, each with its undo; the calendar pages hang off this admin's URLs."""

    list_display = ("created_at", "hotel", "created_by", "summary", "cell_count", "state", "calendar")
    list_filter = ("hotel", "action")
    list_select_related = ("hotel", "created_by", "undone_by")
    date_hierarchy = "created_at"
    fields = ("hotel", "created_at", "created_by", "summary", "cell_count", "undone_at", "undone_by")
    readonly_fields = fields
    change_list_template = "admin/ratecalendar/calendaredit/change_list.html"
    change_form_template = "admin/ratecalendar/calendaredit/change_form.html"

    def has_view_permission(self, request, obj=None):
        return staff_may(request.user, "view_rates", obj.hotel if obj is not None else None)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, obj):
        return "undone" if obj.is_undone else "applied"

    @admin.display(description="Calendar")
    def calendar(self, obj):
        start = obj.request.get("start", "")
        return format_html('<a href="{}?start={}">Open</a>', reverse("admin:ratecalendar_calendar",
                                                                     args=[obj.hotel_id]), start)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("hotel/<int:hotel_id>/", view(self.calendar_view), name="ratecalendar_calendar"),
            path("hotel/<int:hotel_id>/preview/", view(self.preview_view), name="ratecalendar_preview"),
            path("hotel/<int:hotel_id>/apply/", view(self.apply_view), name="ratecalendar_apply"),
            path("<int:edit_id>/undo/", view(self.undo_view), name="ratecalendar_undo"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        hotels = [h for h in staff_hotels(request.user).order_by("code") if staff_may(request.user, "view_rates", h)]
        return super().changelist_view(request, {**(extra_context or {}), "calendar_hotels": hotels})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        edit = self.get_object(request, object_id)
        context = {**(extra_context or {})}
        if edit is not None:
            context["may_undo"] = not edit.is_undone and staff_may(request.user, "manage_rates", edit.hotel)
            context["cells"] = _cells_shown(edit.cells[:PREVIEW_ROWS])
            context["more_cells"] = max(0, len(edit.cells) - PREVIEW_ROWS)
        return super().change_view(request, object_id, form_url, context)

    # --- the pages ---

    def _hotel(self, request, hotel_id, work):
        hotel = get_object_or_404(staff_hotels(request.user), pk=hotel_id)
        if not staff_may(request.user, work, hotel):
            raise PermissionDenied
        return hotel

    def _context(self, request, hotel, title, **extra):
        return {**self.admin_site.each_context(request), "opts": self.model._meta, "hotel": hotel, "title": title,
                "may_manage": staff_may(request.user, "manage_rates", hotel), **extra}

    def calendar_view(self, request, hotel_id, form=None, status=200):
        hotel = self._hotel(request, hotel_id, "view_rates")
        today = hotel.today()
        start = _date(request.GET.get("start")) or _date(request.POST.get("start")) or today
        calendar = rate_calendar(hotel=hotel, start=start)
        if form is None:
            form = BulkEditForm(hotel=hotel, initial={
                "start": max(calendar.start, today), "end": calendar.end, "weekdays": list(range(7))})
        recent = list(CalendarEdit.objects.filter(hotel=hotel).select_related("created_by")[:5])
        context = self._context(request, hotel, f"Rates calendar: {hotel.name}", calendar=calendar, form=form,
                                recent=recent, overlap_rule=Rate.OVERLAP_RULE)
        return TemplateResponse(request, "admin/ratecalendar/calendar.html", context, status=status)

    def preview_view(self, request, hotel_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        hotel = self._hotel(request, hotel_id, "manage_rates")
        form = BulkEditForm(request.POST, hotel=hotel)
        if not form.is_valid():
            return self.calendar_view(request, hotel_id, form=form)
        try:
            preview = edit_preview(hotel=hotel, request=form.to_request())
        except DomainError as error:
            form.add_domain_error(error)
            return self.calendar_view(request, hotel_id, form=form)
        return self._preview_page(request, hotel, form, preview)

    def _preview_page(self, request, hotel, form, preview, note=None):
        data = form.data.copy()
        data["digest"] = preview.digest
        confirm = BulkEditForm(data, hotel=hotel)
        shown = preview.changes[:PREVIEW_ROWS]
        context = self._context(
            request, hotel, f"Preview: {hotel.name}", preview=preview, confirm=confirm, shown=shown,
            more=len(preview.changes) - len(shown), followers=preview.followers[:PREVIEW_ROWS],
            more_followers=max(0, len(preview.followers) - PREVIEW_ROWS), note=note)
        return TemplateResponse(request, "admin/ratecalendar/preview.html", context)

    def apply_view(self, request, hotel_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        hotel = self._hotel(request, hotel_id, "manage_rates")
        form = BulkEditForm(request.POST, hotel=hotel)
        if not form.is_valid():
            return self.calendar_view(request, hotel_id, form=form)
        edit_request = form.to_request()
        try:
            edit = edit_apply(hotel=hotel, request=edit_request, user=request.user,
                              expected_digest=form.cleaned_data.get("digest") or None)
        except PreviewOutdated as error:
            preview = edit_preview(hotel=hotel, request=edit_request)
            return self._preview_page(request, hotel, form, preview, note=error.message)
        except DomainError as error:
            form.add_domain_error(error)
            return self.calendar_view(request, hotel_id, form=form)
        messages.success(request, f"Applied: {edit.summary}. {edit.cell_count} cells changed; undo it below.")
        return redirect(f"{reverse('admin:ratecalendar_calendar', args=[hotel.pk])}?start={edit_request.start}")

    def undo_view(self, request, edit_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        edit = CalendarEdit.objects.filter(pk=edit_id, hotel__in=staff_hotels(request.user)).first()
        if edit is None:
            raise Http404
        hotel = self._hotel(request, edit.hotel_id, "manage_rates")
        try:
            edit_undo(hotel=hotel, edit_id=edit.pk, user=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Undone: {edit.summary}.")
        return redirect(f"{reverse('admin:ratecalendar_calendar', args=[hotel.pk])}"
                        f"?start={edit.request.get('start', '')}")


def _cells_shown(cells) -> list[tuple]:
    """History cells in words: (room type, plan, night, what, before, after)."""
    room_types = dict(RoomType.objects.filter(pk__in={c[1] for c in cells}).values_list("pk", "code"))
    plans = dict(RatePlan.objects.filter(pk__in={c[2] for c in cells if c[2]}).values_list("pk", "code"))
    shown = []
    for column, rt, plan, night, before, after in cells:
        if column == "price" and before is None:
            before = "season price"
        shown.append((room_types.get(rt, rt), plans.get(plan, ""), night, column.replace("_", " "),
                      "–" if before is None else before, "–" if after is None else after))
    return shown


def _date(value) -> date | None:
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2999 else None  # keep week and month links away from date's limits

