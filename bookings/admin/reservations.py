"""Admin for bookings. Reservations change only through the services (status is never edited here);
payments and outbox events are records, shown read-only."""

from decimal import Decimal

from django.contrib import admin, messages
from django.db.models import Count, Q

from hotelbooking.hotel_admin import HotelScoped
from hotelbooking.money import fmt
from pricing.cancellation import penalty_label, tier_label

from .. import events
from ..models import Guest, OutboxEvent, Payment, Reservation, ReservationNight, StatusChange
from ..services.override import price_override_summary
from .manage import ReservationManageAdminMixin
from .readonly import NoEdits, ReadOnlyInline
from .rooms import BookingRoomsAdminMixin, BookingRoomsInline


def _money_display(field: str):
    """A read-only admin column showing a stored amount in its currency's minor unit ("664.14 USD")."""

    @admin.display(description=Reservation._meta.get_field(field).verbose_name.capitalize(), ordering=field)
    def show(self, obj):
        value = getattr(obj, field)
        return "—" if value is None else fmt(value, obj.currency)

    show.__name__ = f"{field}_shown"
    return show


def _lines_display(obj) -> str:
    lines = [f"{line['name']}: {fmt(Decimal(line['amount']), obj.currency)}"
             + (" (included in the rates)" if line.get("included") else "")
             for group in ("taxes", "fees") for line in (obj.charge_lines or {}).get(group, [])]
    return "; ".join(lines) or "—"


def _policy_display(obj) -> str:
    policy = obj.cancellation_policy or {}
    if not policy:
        return "—"
    tiers = ", ".join(f"{tier_label(t)}: {penalty_label(t)}" for t in policy.get("tiers", []))
    return f"{policy.get('name', '')}: {policy.get('description', '')}" + (f" ({tiers})" if tiers else "")


class ReservationNightInline(ReadOnlyInline):
    model = ReservationNight
    fields = ["date", "rate", "rate_plan_discount", "promotion_discount"]
    readonly_fields = fields
    verbose_name_plural = "Nights (prices as booked)"


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "actor", "changed_by", "note"]
    readonly_fields = fields
    verbose_name_plural = "Status history"


class PaymentInline(ReadOnlyInline):
    model = Payment
    fk_name = "reservation"
    fields = ["created_at", "kind", "result", "amount_shown", "purpose", "card_brand", "last_four",
              "gateway", "gateway_reference", "failure_message"]
    readonly_fields = fields

    @admin.display(description="Amount")
    def amount_shown(self, obj):
        return fmt(obj.amount, obj.currency)


class DisputedFilter(admin.SimpleListFilter):
    """Bookings whose card payment the guest's bank disputed (Stripe's charge.dispute.created): answer them in
    the provider's dashboard before the deadline."""

    title = "dispute"
    parameter_name = "disputed"

    def lookups(self, request, model_admin):
        return [("yes", "Disputed (chargeback)")]

    def queryset(self, request, queryset):
        return queryset.filter(disputed_at__isnull=False) if self.value() == "yes" else queryset


class OverbookedFilter(admin.SimpleListFilter):
    """Bookings a channel sold with no room left (channelmanager's sold-out acceptance): free a room or move them."""

    title = "overbooked"
    parameter_name = "overbooked"

    def lookups(self, request, model_admin):
        return [("yes", "OVERBOOKED")]

    def queryset(self, request, queryset):
        return queryset.exclude(overbooked_nights=[]) if self.value() == "yes" else queryset


@admin.register(Reservation)
class ReservationAdmin(HotelScoped, BookingRoomsAdminMixin, ReservationManageAdminMixin, admin.ModelAdmin):
    list_display = ["confirmation_number", "hotel", "guest", "room_type", "check_in", "check_out", "nights",
                    "status", "grand_total_shown", "channel", "overbooked_shown", "created_at"]
    list_filter = ["hotel", "status", "channel", DisputedFilter, OverbookedFilter, "channel_price_differs",
                   ("check_in", admin.DateFieldListFilter),
                   ("check_out", admin.DateFieldListFilter)]
    date_hierarchy = "check_in"
    search_fields = ["confirmation_number", "guest_last_name", "guest__first_name", "guest__last_name", "guest__email"]
    list_select_related = ["hotel", "guest", "room_type"]
    ordering = ["-created_at"]
    inlines = [BookingRoomsInline, ReservationNightInline, StatusChangeInline, PaymentInline]
    # Everything that carries money, inventory or the lifecycle changes only through the services (change and
    # cancel actions come from ReservationManageAdminMixin); staff may correct the guest's requests.
    fieldsets = [
        (None, {"fields": ["confirmation_number", "booking_shown", "status", "hotel", "guest", "channel",
                           "source"]}),
        # What was typed with this booking; the guest profile (above) is edited on its own page.
        ("Booked as", {"fields": ["guest_first_name", "guest_last_name", "guest_phone", "guest_loyalty_number"]}),
        ("Stay", {"fields": ["room_type", "rate_plan", "promotion", "check_in", "check_out", "nights", "adults",
                             "children", "child_ages", "room_count", "special_requests"]}),
        ("Price", {"fields": ["currency", "subtotal_shown", "rate_plan_discount_shown", "promotion_discount_shown",
                              "room_total_shown", "taxes_shown", "fees_shown", "grand_total_shown",
                              "tax_and_fee_lines", "price_override_shown"]}),
        ("Cancellation", {"fields": ["policy_at_booking", "free_until", "cancelled_at", "cancellation_reason",
                                     "cancellation_penalty_shown", "retained_amount_shown"]}),
        ("Times", {"fields": ["created_at", "updated_at", "hold_expires_at", "confirmed_at", "checked_in_at",
                              "checked_out_at"]}),
        ("Dispute", {"fields": ["disputed_at", "dispute_reason"],
                     "description": "Set when the guest's bank disputes a card payment (a chargeback)."}),
        ("From the channel", {"fields": ["overbooked_nights", "channel_total", "channel_currency",
                                         "channel_price_differs", "guarantee", "infants", "infant_ages",
                                         "other_guests", "booker", "internal_notes", "guest_emails"],
                              "description": "What an OTA sent beside the stay. OVERBOOKED: nights it sold with no "
                                             "room left. The channel's total is its own figure, beside our price."}),
    ]
    editable_fields = ["special_requests", "internal_notes"]

    def get_readonly_fields(self, request, obj=None):
        return [f for fs in self.fieldsets for f in fs[1]["fields"] if f not in self.editable_fields]

    @admin.display(boolean=True, description="Overbooked")
    def overbooked_shown(self, obj):
        return obj.overbooked

    def has_add_permission(self, request):
        return False  # bookings are made through the booking service (pages, API, channels)

    def has_delete_permission(self, request, obj=None):
        return False  # a booking is cancelled, never deleted: payments and history refer to it

    @admin.display(description="Nights")
    def nights(self, obj):
        return obj.nights_count

    subtotal_shown = _money_display("subtotal")
    rate_plan_discount_shown = _money_display("rate_plan_discount")
    promotion_discount_shown = _money_display("promotion_discount")
    room_total_shown = _money_display("room_total")
    taxes_shown = _money_display("taxes")
    fees_shown = _money_display("fees")
    grand_total_shown = _money_display("grand_total")
    cancellation_penalty_shown = _money_display("cancellation_penalty")
    retained_amount_shown = _money_display("retained_amount")

    @admin.display(description="Price override")
    def price_override_shown(self, obj):
        return price_override_summary(obj.price_override) or "—"

    @admin.display(description="Tax and fee lines")
    def tax_and_fee_lines(self, obj):
        return _lines_display(obj)

    @admin.display(description="Cancellation policy at booking")
    def policy_at_booking(self, obj):
        return _policy_display(obj)

    def get_urls(self):
        return self.get_manage_urls() + super().get_urls()


class GuestReservationInline(HotelScoped, ReadOnlyInline):
    model = Reservation
    fields = ["confirmation_number", "hotel", "check_in", "check_out", "status", "grand_total"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = "Reservations"


@admin.register(Guest)
class GuestAdmin(HotelScoped, admin.ModelAdmin):
    """Guests are the chain's; a staff member sees those who booked at one of their hotels."""

    hotel_path = "reservations__hotel"
    list_display = ["last_name", "first_name", "email", "phone", "loyalty_number", "bookings", "created_at"]
    search_fields = ["first_name", "last_name", "email", "phone", "loyalty_number"]
    readonly_fields = ["created_at"]
    inlines = [GuestReservationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_bookings=Count("reservations"))

    @admin.display(description="Bookings", ordering="_bookings")
    def bookings(self, obj):
        return obj._bookings


class ReadOnlyAdmin(NoEdits, admin.ModelAdmin):
    """Records (payments, outbox events): shown, never added, changed or deleted."""


@admin.register(Payment)
class PaymentAdmin(HotelScoped, ReadOnlyAdmin):
    hotel_path = "reservation__hotel"
    list_display = ["created_at", "reservation", "kind", "result", "amount", "currency", "purpose", "card_brand",
                    "last_four", "gateway_reference"]
    list_filter = ["kind", "result", "purpose", "gateway", "reservation__hotel"]
    search_fields = ["reservation__confirmation_number", "gateway_reference", "last_four"]
    list_select_related = ["reservation"]
    date_hierarchy = "created_at"
    exclude = ["card_token"]  # a reusable token is not for display


class DeliveredFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivered"

    def lookups(self, request, model_admin):
        return [("yes", "Delivered"), ("no", "Not delivered")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(delivered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(delivered_at__isnull=True)
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(HotelScoped, ReadOnlyAdmin):
    hotel_path = "reservation__hotel"
    list_display = ["created_at", "name", "reservation", "delivered_at", "attempts", "short_error"]
    list_filter = [DeliveredFilter, "name"]
    search_fields = ["reservation__confirmation_number", "name"]
    list_select_related = ["reservation"]
    actions = ["redeliver_now"]

    @admin.display(description="Last error")
    def short_error(self, obj):
        return (obj.last_error or "")[:80]

    @admin.action(description="Re-deliver now")
    def redeliver_now(self, request, queryset):
        ids = list(queryset.filter(delivered_at__isnull=True).values_list("pk", flat=True))
        ok = sum(1 for event_id in ids if events.event_deliver(event_id))
        skipped = queryset.filter(~Q(pk__in=ids)).count()
        if ok:
            self.message_user(request, f"{ok} event(s) delivered.", messages.SUCCESS)
        if len(ids) - ok:
            self.message_user(request, f"{len(ids) - ok} event(s) failed again; see their last error.",
                              messages.ERROR)
        if skipped:
            self.message_user(request, f"{skipped} event(s) were already delivered.", messages.INFO)

from ..payments import admin as _payments_admin  # noqa: E402, F401  (registers the payment-attempt admin)
