from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from hotelbooking.hotel_admin import HotelScoped

from .models import (
    AriMessage,
    Channel,
    ChannelKey,
    ChannelNight,
    ChannelProfile,
    ChannelReservation,
    CodeMapping,
    DeliveryAttempt,
    IcalFeed,
    PendingAriChange,
    RatePlanMapping,
    RoomTypeMapping,
)
from .services import channel_full_resync, channel_key_create


class ChannelForm(forms.ModelForm):
    """Secrets are write-only: never shown back; left blank, they keep what is stored."""

    endpoint_url = forms.URLField(required=False, max_length=500, assume_scheme="https",
                                  help_text="Where ARI messages are POSTed; nothing is pushed while blank")
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                               help_text="Leave blank to keep the stored password.")
    token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False),
                            help_text="Leave blank to keep the stored token.")
    clear_credentials = forms.BooleanField(required=False, help_text="Remove the stored password and token.")

    class Meta:
        model = Channel
        fields = ["hotel", "code", "name", "property_code", "endpoint_url", "username", "password", "token",
                  "is_active", "ari_days", "avail_limit_per_room_type", "rate_amounts", "rate_tax_details",
                  "rate_occupancy_prices"]

    def clean_password(self):
        return self.cleaned_data["password"] or (self.instance.password if self.instance.pk else "")

    def clean_token(self):
        return self.cleaned_data["token"] or (self.instance.token if self.instance.pk else "")

    def clean(self):
        data = super().clean()
        if data.get("clear_credentials"):
            data["password"] = data["token"] = ""
        return data


class ChannelProfileForm(forms.ModelForm):
    """The inbound password is write-only and stored hashed; left blank, the stored one is kept."""

    new_inbound_password = forms.CharField(
        required=False, label="Inbound password", widget=forms.PasswordInput(render_value=False),
        help_text="What the channel signs in with (HTTP Basic or WS-Security). Leave blank to keep the stored one.")

    class Meta:
        model = ChannelProfile
        fields = ["error_style", "channel_id_type", "hotel_id_type", "res_status_words", "inbound_username",
                  "accept_sold_out", "send_guest_emails", "infants_apart", "infant_max_age", "alert_email"]

    def save(self, commit=True):
        profile = super().save(commit=False)
        if self.cleaned_data.get("new_inbound_password"):
            profile.set_inbound_password(self.cleaned_data["new_inbound_password"])
        if commit:
            profile.save()
        return profile


class ChannelProfileInline(HotelScoped, admin.StackedInline):
    hotel_path = "channel__hotel"
    model = ChannelProfile
    form = ChannelProfileForm
    max_num = 1
    can_delete = False
    verbose_name = "profile (how the channel speaks, what its bookings may do)"


class CodeMappingInline(HotelScoped, admin.TabularInline):
    hotel_path = "channel__hotel"
    model = CodeMapping
    extra = 0
    verbose_name = "more channel code (inbound)"


class RoomTypeMappingInline(HotelScoped, admin.TabularInline):
    hotel_path = "channel__hotel"
    model = RoomTypeMapping
    extra = 1


class RatePlanMappingInline(HotelScoped, admin.TabularInline):
    hotel_path = "channel__hotel"
    model = RatePlanMapping
    extra = 1


class IcalFeedInline(HotelScoped, admin.TabularInline):
    model = IcalFeed
    extra = 0
    fields = ["room_type", "is_active", "feed_url"]
    readonly_fields = ["feed_url"]

    @admin.display(description="Feed URL")
    def feed_url(self, obj):
        return _feed_link(obj) if obj.pk else "-"


def _feed_link(feed: IcalFeed):
    url = reverse("channel-ical-feed", args=[feed.token])
    return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Channel)
class ChannelAdmin(HotelScoped, admin.ModelAdmin):
    form = ChannelForm
    list_display = ["name", "code", "hotel", "endpoint_url", "is_active", "has_credentials"]
    list_filter = ["hotel", "code", "is_active"]
    search_fields = ["name", "code", "hotel__code", "property_code"]
    inlines = [ChannelProfileInline, RoomTypeMappingInline, RatePlanMappingInline, CodeMappingInline, IcalFeedInline]
    actions = ["full_resync"]

    @admin.display(boolean=True, description="Credentials")
    def has_credentials(self, obj):
        return bool(obj.username and obj.secret)

    @admin.action(description="Full resync: push availability, restrictions and rates for the whole window")
    def full_resync(self, request, queryset):
        for channel in queryset.select_related("hotel"):
            queued = channel_full_resync(channel=channel)
            if queued:
                self.message_user(request, f"{channel}: {queued} room-type nights queued for push.")
            else:
                self.message_user(request, f"{channel}: nothing queued (inactive, no endpoint or no room type "
                                           "mapped).", level=messages.WARNING)


class DeliveryAttemptInline(HotelScoped, admin.TabularInline):
    hotel_path = "message__channel__hotel"
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "finished_at", "succeeded", "response_status", "error", "retry_in_seconds"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(HotelScoped, admin.ModelAdmin):
    """A log: looked at, never edited; only the user's hotels' rows."""

    hotel_path = "channel__hotel"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AriMessage)
class AriMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "message_type", "channel", "room_type", "nights", "status", "attempts", "sent_at",
                    "reason"]
    list_filter = ["status", "kind", "channel", "reason"]
    search_fields = ["echo_token", "channel__code", "room_type__code"]
    inlines = [DeliveryAttemptInline]
    date_hierarchy = "created_at"


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ReadOnlyAdmin):
    hotel_path = "message__channel__hotel"
    list_display = ["started_at", "message", "number", "succeeded", "response_status", "short_error"]
    list_filter = ["succeeded", "message__channel"]
    search_fields = ["message__echo_token", "error"]
    readonly_fields = ["message", "number", "endpoint_url", "started_at", "finished_at", "succeeded",
                       "response_status", "retry_in_seconds", "error", "payload", "response_body"]
    date_hierarchy = "started_at"

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.error or "")[:80]


@admin.register(ChannelNight)
class ChannelNightAdmin(ReadOnlyAdmin):
    """What each channel was last told per room type and night, and what failed: filter "Last attempt failed"
    for the nights a channel may be showing stale figures for."""

    list_display = ["date", "channel", "room_type", "kind", "state", "sent", "sent_at", "failed_at", "short_error"]
    list_filter = ["state", "kind", "channel", "room_type"]
    list_select_related = ["channel__hotel", "room_type"]
    search_fields = ["sent", "failed", "error"]
    date_hierarchy = "date"
    fields = ["channel", "room_type", "date", "kind", "state", "sent_at", "sent", "sent_message", "failed_at",
              "failed", "error", "failed_message"]
    readonly_fields = fields

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.error or "")[:80] if obj.state == ChannelNight.State.FAILED else ""


@admin.register(PendingAriChange)
class PendingAriChangeAdmin(ReadOnlyAdmin):
    list_display = ["channel", "room_type", "date", "kind", "created_at"]
    list_filter = ["channel", "kind"]


@admin.register(ChannelReservation)
class ChannelReservationAdmin(ReadOnlyAdmin):
    list_display = ["external_reference", "channel", "reservation", "last_status", "channel_total",
                    "channel_currency", "overbooked", "price_differs", "created_at"]
    list_select_related = ["channel__hotel", "reservation"]

    @admin.display(boolean=True, description="Overbooked")
    def overbooked(self, obj):
        return bool(obj.reservation and obj.reservation.overbooked_nights)

    @admin.display(boolean=True, description="Channel price differs")
    def price_differs(self, obj):
        return bool(obj.reservation and obj.reservation.channel_price_differs)
    list_filter = ["channel", "last_status"]
    search_fields = ["external_reference", "reservation__confirmation_number"]


@admin.register(IcalFeed)
class IcalFeedAdmin(HotelScoped, admin.ModelAdmin):
    list_display = ["hotel", "room_type", "channel", "is_active", "feed_url"]
    list_filter = ["hotel", "is_active"]
    readonly_fields = ["feed_url"]

    @admin.display(description="Feed URL")
    def feed_url(self, obj):
        return _feed_link(obj) if obj.pk else "Saved feeds get a secret URL."


class ChannelKeyForm(forms.ModelForm):
    name = forms.CharField(max_length=50, help_text="e.g. Booking.com inbound")

    class Meta:
        model = ChannelKey
        fields = ["channel"]


@admin.register(ChannelKey)
class ChannelKeyAdmin(HotelScoped, admin.ModelAdmin):
    """API keys a channel sends its reservations with: each speaks for its one channel only. Adding one shows
    the key once; revoke it under API keys."""

    hotel_path = "channel__hotel"
    form = ChannelKeyForm
    list_display = ["channel", "prefix", "name", "revoked", "created_at"]
    list_filter = ["channel"]
    list_select_related = ["channel__hotel", "api_key"]

    def has_change_permission(self, request, obj=None):
        return False  # a binding is never moved to another channel: make a new key

    @admin.display(description="Prefix")
    def prefix(self, obj):
        return obj.api_key.prefix

    @admin.display(description="Name")
    def name(self, obj):
        return obj.api_key.name

    @admin.display(boolean=True, description="Revoked")
    def revoked(self, obj):
        return obj.api_key.revoked

    def save_model(self, request, obj, form, change):
        api_key, key = channel_key_create(channel=form.cleaned_data["channel"], name=form.cleaned_data["name"])
        obj.pk, obj.api_key = api_key.channel_binding.pk, api_key
        self.message_user(request, f"The API key for {obj.channel} is: {key} . Store it somewhere safe: it will "
                                   "not be shown again.", messages.WARNING)
