"""The payment attempts in the admin: what is still open, and the queue a person must settle."""

from django.contrib import admin, messages
from django.utils import timezone

from hotelbooking.hotel_admin import HotelScoped

from ..models import PaymentAttempt

_HIDDEN = ["client_secret", "token", "payment_method"]  # secrets and reusable tokens stay out of the admin


class AttentionFilter(admin.SimpleListFilter):
    title = "needs a person"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs a person"), ("open", "Open (being settled)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_attention=True)
        if self.value() == "open":
            return queryset.filter(state__in=[PaymentAttempt.State.RECORDED, PaymentAttempt.State.UNKNOWN,
                                              PaymentAttempt.State.REQUIRES_ACTION])
        return queryset


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(HotelScoped, admin.ModelAdmin):
    hotel_path = "reservation__hotel"
    list_display = ["created_at", "reservation", "step", "operation", "amount", "currency", "state", "tries",
                    "next_try_at", "needs_attention", "error_code"]
    list_filter = [AttentionFilter, "state", "operation", "gateway", "reservation__hotel"]
    search_fields = ["reservation__confirmation_number", "reference", "idempotency_key"]
    list_select_related = ["reservation"]
    date_hierarchy = "created_at"
    exclude = _HIDDEN
    readonly_fields = [f.name for f in PaymentAttempt._meta.fields if f.name not in _HIDDEN]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("bookings.change_paymentattempt")

    @admin.action(description="Try again now (the same call, the same idempotency key)",
                  permissions=["change"])
    def retry_now(self, request, queryset):
        from ..payments import default_gateway
        from .attempts import attempt_send

        gateway, done = default_gateway(), 0
        for attempt in queryset.filter(state__in=[PaymentAttempt.State.RECORDED, PaymentAttempt.State.UNKNOWN,
                                                  PaymentAttempt.State.REQUIRES_ACTION]):
            PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=False, next_try_at=timezone.now())
            attempt.refresh_from_db()
            done += 0 if attempt_send(attempt, gateway).open else 1
        self.message_user(request, f"{done} attempt(s) settled; the rest stay in the queue.", messages.INFO)
