"""Partner webhooks in the admin: endpoints (enable, disable, replay since a time) and deliveries (replay, the
attempts' log). A staff member sees the endpoints of the API keys they see (keys of their own hotels only)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from bookings.admin.readonly import ReadOnlyInline
from hotelbooking.errors import DomainError
from inventory.models import HotelAPIKey

from . import services
from .catalog import EVENT_TYPES
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .url_guard import url_check


def _visible_keys(request):
    """The API keys this staff member may see, by the key admin's own rule."""
    return admin.site.get_model_admin(HotelAPIKey).get_queryset(request)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https",
                         help_text="https; no private, loopback or link-local address")
    event_types = forms.MultipleChoiceField(choices=[(t, t) for t in EVENT_TYPES],
                                            widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["owner", "url", "event_types", "contact_email", "description"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            url_check(url)
        except DomainError as exc:
            raise ValidationError(exc.message) from None
        return url


class ReplaySinceForm(forms.Form):
    since = forms.SplitDateTimeField(help_text="Every event that happened at or after this time is sent again")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "owner", "active", "failing_since", "disabled_at", "created_at")
    list_filter = ("active",)
    search_fields = ("url", "description", "contact_email")
    readonly_fields = ("secret", "active", "disabled_at", "disabled_reason", "failing_since", "created_at")
    actions = ["enable", "disable", "replay_since"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(owner__in=_visible_keys(request)).select_related("owner")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = _visible_keys(request).exclude(scope="channel")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description="Enable again (pending deliveries are sent at once)", permissions=["change"])
    def enable(self, request, queryset):
        for endpoint in queryset.filter(active=False):
            services.endpoint_enable(endpoint=endpoint)
        self.message_user(request, "Enabled.", messages.SUCCESS)

    @admin.action(description="Disable (deliveries are kept)", permissions=["change"])
    def disable(self, request, queryset):
        for endpoint in queryset.filter(active=True):
            services.endpoint_disable(endpoint=endpoint, reason=f"Disabled by {request.user.get_username()}.")
        self.message_user(request, "Disabled.", messages.SUCCESS)

    @admin.action(description="Replay every event since a time", permissions=["change"])
    def replay_since(self, request, queryset):
        form = ReplaySinceForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            count = 0
            for endpoint in queryset:
                try:
                    count += len(services.endpoint_replay_since(endpoint=endpoint, since=form.cleaned_data["since"]))
                except DomainError as exc:
                    self.message_user(request, f"{endpoint.url}: {exc.message}", messages.ERROR)
            self.message_user(request, f"{count} event(s) queued again.", messages.SUCCESS)
            return None
        return TemplateResponse(request, "webhooks/replay_since.html", {
            **self.admin_site.each_context(request), "title": "Replay events since", "form": form,
            "endpoints": queryset, "action": "replay_since", "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME})


class AttemptInline(ReadOnlyInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "latency_ms", "response_excerpt", "error")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("event_id", "type", "endpoint", "reservation", "state", "attempts", "next_attempt_at",
                    "delivered_at", "replay_of")
    list_filter = ("state", "type")
    search_fields = ("event_id", "reservation__confirmation_number")
    readonly_fields = ("event_id", "endpoint", "outbox_event", "type", "reservation", "payload", "occurred_at",
                       "state", "attempts", "first_attempt_at", "next_attempt_at", "delivered_at", "replay_of",
                       "created_at")
    exclude = ("claimed_until",)
    inlines = [AttemptInline]
    actions = ["replay"]

    def get_queryset(self, request):
        return (super().get_queryset(request).filter(endpoint__owner__in=_visible_keys(request))
                .select_related("endpoint", "reservation"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log of what was sent stays (it goes only with its endpoint)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Every field is read-only: the page is a record, with nothing to save.
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                         "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Replay (same event id, sent again)", permissions=["change"])
    def replay(self, request, queryset):
        count = 0
        for delivery in queryset.select_related("endpoint", "replay_of"):
            try:
                services.delivery_replay(delivery=delivery)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{delivery.event_id}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{count} event(s) queued again.", messages.SUCCESS)
