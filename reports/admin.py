"""The reports in the Django admin: Admin › Reports, one page per report (reports.views), staff with the
`view_reports` permission only, at their own hotels. The sent daily manager reports are listed read-only."""

from django.contrib import admin
from django.urls import path

from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.permissions import staff_may

from . import views
from .models import ManagerReportEmail, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """No rows: the changelist is the performance report; the report pages hang off these URLs."""

    def has_module_permission(self, request):
        return staff_may(request.user, "view_reports")

    def has_view_permission(self, request, obj=None):
        return staff_may(request.user, "view_reports")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        pages = [path(f"{name}/", view(self._page(name)), name=f"reports_{name}") for name in views.PAGES]
        return pages + [path("", view(self._page("performance")), name="reports_report_changelist")]

    def _page(self, name):
        def page(request):
            context = {**self.admin_site.each_context(request), "opts": self.model._meta}
            return views.report_page(request, name, context=context)
        return page


@admin.register(ManagerReportEmail)
class ManagerReportEmailAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "business_date", "status", "recipients", "attempts", "sent_at"]
    list_filter = ["status", "hotel"]
    list_select_related = ["hotel"]
    readonly_fields = ["hotel", "business_date", "status", "recipients", "attempts", "claimed_until", "created_at",
                       "sent_at", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
