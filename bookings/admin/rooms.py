"""The admin's view of a multi-room booking: the lead's change page lists the other rooms, each links to the lead."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from hotelbooking.money import fmt

from ..models import Reservation
from .readonly import ReadOnlyInline


def _link(reservation: Reservation) -> str:
    url = reverse("admin:bookings_reservation_change", args=[reservation.pk])
    return format_html('<a href="{}">{}</a>', url, reservation.confirmation_number)


class BookingRoomsInline(ReadOnlyInline):
    """The other rooms of this booking (this page is the lead's: the booking's first room)."""

    model = Reservation
    fk_name = "lead"
    verbose_name = "other room of this booking"
    verbose_name_plural = "Other rooms of this booking"
    fields = ["room_number", "room_type", "adults", "children", "status", "grand_total_shown"]
    readonly_fields = fields

    @admin.display(description="Room's number")
    def room_number(self, obj):
        return _link(obj)

    @admin.display(description="Total")
    def grand_total_shown(self, obj):
        return fmt(obj.grand_total, obj.currency)


class BookingRoomsAdminMixin:
    """The `booking` field of the change page: which booking this room belongs to."""

    @admin.display(description="Booking")
    def booking_shown(self, obj):
        if obj.lead_id:
            return format_html("A room of booking {} (its first room)", _link(obj.lead))
        count = obj.companions.count()
        return f"{count + 1} rooms (the others are listed below)" if count else "A single-room booking"
