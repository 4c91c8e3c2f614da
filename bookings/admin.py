from django.contrib import admin

from .admin_manage import ReservationManageAdminMixin
from .models import Reservation


@admin.register(Reservation)
class ReservationAdmin(ReservationManageAdminMixin, admin.ModelAdmin):
    list_display = ["confirmation_number", "hotel", "guest", "check_in", "check_out", "status", "grand_total"]

    def get_urls(self):
        return self.get_manage_urls() + super().get_urls()
