"""Channels (OTAs), their code mappings, the ARI push queue and log, inbound reservations, iCal feeds."""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from inventory.models import Hotel, RoomType
from pricing.models import Extra, RatePlan


class Channel(models.Model):
    """An online travel agency we push availability, rates and restrictions to, and take bookings from.

    The code is unique per hotel: a chain connects each of its hotels to BOOKING_COM separately, and an
    inbound message is matched to the channel of the hotels its API key reaches (and its HotelCode).
    """

    class Code(models.TextChoices):
        BOOKING_COM = "BOOKING_COM", "Booking.com"
        EXPEDIA = "EXPEDIA", "Expedia"
        AIRBNB = "AIRBNB", "Airbnb"
        AGODA = "AGODA", "Agoda"
        HOTELBEDS = "HOTELBEDS", "Hotelbeds"
        TRIP_COM = "TRIP_COM", "Trip.com"
        OTHER = "OTHER", "Other"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="channels")
    code = models.CharField(max_length=20, choices=Code.choices)
    name = models.CharField(max_length=100)
    property_code = models.CharField(max_length=40, blank=True,
                                     help_text="The hotel's id at the channel (HotelCode); our hotel code if blank")
    endpoint_url = models.URLField(max_length=500, blank=True,
                                   help_text="Where ARI messages are POSTed; nothing is pushed while blank")
    username = models.CharField(max_length=100, blank=True, help_text="Sent as POS/Source/RequestorID@ID")
    password = models.CharField(max_length=200, blank=True, help_text="Sent as RequestorID@MessagePassword")
    token = models.CharField(max_length=500, blank=True,
                             help_text="Bearer token, sent in the Authorization header (and as the password "
                                       "when none is set)")
    is_active = models.BooleanField(default=True)
    ari_days = models.PositiveSmallIntegerField(default=365, help_text="How many days ahead ARI is pushed")

    # What rate messages carry (channelmanager/ari_figures.py): the channel's contract, set per channel.
    class RateAmounts(models.TextChoices):
        BEFORE_TAX = "BEFORE_TAX", "Before tax (AmountBeforeTax)"
        AFTER_TAX = "AFTER_TAX", "After tax and nightly fees (AmountAfterTax)"
        BOTH = "BOTH", "Both amounts"

    rate_amounts = models.CharField(
        max_length=10, choices=RateAmounts.choices, default=RateAmounts.BEFORE_TAX,
        help_text="Which nightly amounts rate messages carry. After tax = the room, its taxes and the fees charged "
                  "per night, as the guest pays them")
    rate_tax_details = models.BooleanField(
        default=False, help_text="Rate messages also list each tax (BaseByGuestAmt/Taxes) and fee (Rate/Fees), "
                                 "per-stay ones included")
    rate_occupancy_prices = models.BooleanField(
        default=False, help_text="Rate messages carry a price per number of adults (1 to 4, up to the room's "
                                 "maximum) and the extra adult and child amounts (AdditionalGuestAmounts)")
    avail_limit_per_room_type = models.BooleanField(
        default=False, help_text="Rooms left go out once per room type (BookingLimit with no RatePlanCode, one pool "
                                 "for every plan) rather than with each rate plan's status and restrictions")
    ari_full_resync_at = models.DateTimeField(null=True, blank=True, editable=False,
                                              help_text="The last daily full push of the window began then")
    ari_flush_scheduled_at = models.DateTimeField(null=True, blank=True, editable=False,
                                                  help_text="A flush of queued changes is scheduled since then")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hotel", "code"]
        constraints = [models.UniqueConstraint(fields=["hotel", "code"], name="uniq_channel_code_per_hotel")]

    def __str__(self):
        return f"{self.name} ({self.code}) for {self.hotel.code}"

    @property
    def hotel_code(self) -> str:
        return self.property_code or self.hotel.code

    @property
    def secret(self) -> str:
        return self.password or self.token


class RoomTypeMapping(models.Model):
    """Our room type is called `channel_room_code` at the channel (InvTypeCode / RoomTypeCode)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="room_mappings")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="channel_mappings")
    channel_room_code = models.CharField(max_length=40)

    class Meta:
        ordering = ["channel", "channel_room_code"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "room_type"], name="uniq_room_mapping_per_channel"),
            models.UniqueConstraint(fields=["channel", "channel_room_code"], name="uniq_channel_room_code"),
        ]

    def __str__(self):
        return f"{self.room_type.code} -> {self.channel_room_code}"

    def clean(self):
        if self.channel_id and self.room_type_id and self.room_type.hotel_id != self.channel.hotel_id:
            raise ValidationError({"room_type": "The room type belongs to another hotel."})


class RatePlanMapping(models.Model):
    """Our rate plan is called `channel_rate_code` at the channel (RatePlanCode)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="rate_mappings")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.CASCADE, related_name="channel_mappings")
    channel_rate_code = models.CharField(max_length=40)

    class Meta:
        ordering = ["channel", "channel_rate_code"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "rate_plan"], name="uniq_rate_mapping_per_channel"),
            models.UniqueConstraint(fields=["channel", "channel_rate_code"], name="uniq_channel_rate_code"),
        ]

    def __str__(self):
        return f"{self.rate_plan.code} -> {self.channel_rate_code}"

    def clean(self):
        if self.channel_id and self.rate_plan_id and self.rate_plan.hotel_id != self.channel.hotel_id:
            raise ValidationError({"rate_plan": "The rate plan belongs to another hotel."})


class ChannelProfile(models.Model):
    """How one channel speaks: its error style, reservation id types, ResStatus words, inbound credentials, and
    what its bookings may do (be taken when sold out, get our guest emails). A channel without one behaves as
    this model's defaults say (channelmanager.inbound.profiles.profile_of)."""

    class ErrorStyle(models.TextChoices):
        HTTP_STATUS = "HTTP_STATUS", "HTTP status (400, 404, 409) with OTA Errors"
        OTA_ERRORS = "OTA_ERRORS", "HTTP 200 with OTA Errors (business refusals)"

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="profile")
    error_style = models.CharField(max_length=12, choices=ErrorStyle.choices, default=ErrorStyle.HTTP_STATUS)
    channel_id_type = models.CharField(
        "channel's reservation id type", max_length=4, default="14",
        help_text="OpenTravel UIT code of the channel's reservation id (ResID_Type): 14 by default, 8 for Expedia")
    hotel_id_type = models.CharField(
        "our confirmation number's id type", max_length=4, default="10",
        help_text="ResID_Type our confirmation number is returned with: 10 by default, 3 for Expedia")
    res_status_words = models.JSONField(
        default=dict, blank=True,
        help_text='ResStatus words of this channel beyond the usual ones, e.g. {"Pending": "Book", '
                  '"Amended": "Modify", "Void": "Cancel"}')
    inbound_username = models.CharField(max_length=100, blank=True,
                                        help_text="Sent by the channel as HTTP Basic or WS-Security UsernameToken")
    inbound_password = models.CharField(max_length=128, blank=True, editable=False,
                                        help_text="Stored hashed; set it in the channel's admin page")
    accept_sold_out = models.BooleanField(
        default=False, help_text="Take this channel's bookings even when sold out (the OTA has sold them): they are "
                                 "flagged OVERBOOKED and staff are emailed")
    send_guest_emails = models.BooleanField(
        default=False, help_text="Send our confirmation, change and cancellation emails to this channel's guests")
    infants_apart = models.BooleanField(
        default=True, help_text="Infants (age code 7, or a child up to the infant age) are not counted in occupancy")
    infant_max_age = models.PositiveSmallIntegerField(default=1, help_text="A child of this age or younger is an "
                                                                           "infant")
    alert_email = models.EmailField(blank=True, help_text="Who hears of an overbooking; the hotel's email if blank")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["inbound_username"], condition=~models.Q(inbound_username=""),
                                               name="uniq_channel_inbound_username")]

    def __str__(self):
        return f"Profile of {self.channel}"

    def set_inbound_password(self, raw: str) -> None:
        self.inbound_password = make_password(raw) if raw else ""

    def inbound_password_matches(self, raw: str) -> bool:
        return bool(self.inbound_password) and check_password(raw, self.inbound_password)


class CodeMapping(models.Model):
    """One more code a channel uses for a room type, rate plan or service (extra), inbound. The room and rate
    mappings above are the codes ARI is pushed with; these are also read in reservations."""

    class Kind(models.TextChoices):
        ROOM_TYPE = "ROOM_TYPE", "Room type"
        RATE_PLAN = "RATE_PLAN", "Rate plan"
        SERVICE = "SERVICE", "Service (extra)"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="code_mappings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel_code = models.CharField(max_length=40)
    room_type = models.ForeignKey(RoomType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rate_plan = models.ForeignKey(RatePlan, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    extra = models.ForeignKey(Extra, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["channel", "kind", "channel_code"]
        constraints = [models.UniqueConstraint(fields=["channel", "kind", "channel_code"],
                                               name="uniq_channel_code_mapping")]

    def __str__(self):
        return f"{self.kind} {self.channel_code} -> {self.target}"

    @property
    def target(self):
        return {self.Kind.ROOM_TYPE: self.room_type, self.Kind.RATE_PLAN: self.rate_plan,
                self.Kind.SERVICE: self.extra}.get(self.kind)

    def clean(self):
        wanted = {self.Kind.ROOM_TYPE: "room_type", self.Kind.RATE_PLAN: "rate_plan", self.Kind.SERVICE: "extra"}
        name = wanted.get(self.kind)
        if name is None:
            return
        others = [n for n in wanted.values() if n != name and getattr(self, f"{n}_id")]
        if not getattr(self, f"{name}_id") or others:
            what = name.replace("_", " ")
            raise ValidationError({name: f"A {self.get_kind_display().lower()} code maps to one {what} and "
                                         "nothing else."})
        target = getattr(self, name)
        if self.channel_id and target.hotel_id != self.channel.hotel_id:
            raise ValidationError({name: "It belongs to another hotel."})


class AriKind(models.TextChoices):
    AVAILABILITY = "AVAIL", "Availability and restrictions"
    RATES = "RATES", "Rates"


class PendingAriChange(models.Model):
    """A (channel, room type, night, kind) whose state must be pushed. Upserted by handlers, drained by the
    flush task, which merges a burst of changes into one message per room type and channel."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="pending_changes")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=5, choices=AriKind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["channel", "room_type", "kind", "date"]
        constraints = [models.UniqueConstraint(fields=["channel", "room_type", "date", "kind"],
                                               name="uniq_pending_ari_change")]

    def __str__(self):
        return f"{self.channel.code} {self.room_type.code} {self.date} {self.kind}"


class AriMessage(models.Model):
    """One OpenTravel message for one channel and room type, over one or more date ranges.

    Its XML is rebuilt from the current state at every attempt, so a retry never pushes stale figures.
    """

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SENT = "SENT", "Sent"
        RETRYING = "RETRYING", "Retrying"
        FAILED = "FAILED", "Failed"
        SKIPPED = "SKIPPED", "Nothing to send"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="ari_messages")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=5, choices=AriKind.choices)
    message_type = models.CharField(max_length=40, help_text="e.g. OTA_HotelAvailNotifRQ")
    ranges = models.JSONField(default=list, help_text='[["YYYY-MM-DD", "YYYY-MM-DD"], ...], inclusive')
    echo_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    reason = models.CharField(max_length=100, blank=True, help_text="What scheduled it: changes, full resync")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        verbose_name = "ARI message"

    def __str__(self):
        return f"{self.message_type} {self.channel.code} {self.room_type.code} ({self.status})"

    @property
    def nights(self) -> int:
        from datetime import date

        return sum((date.fromisoformat(b) - date.fromisoformat(a)).days + 1 for a, b in self.ranges)


class DeliveryAttempt(models.Model):
    """Every attempt to deliver an ARI message: what was sent (credentials masked) and what came back."""

    message = models.ForeignKey(AriMessage, on_delete=models.CASCADE, related_name="delivery_attempts")
    number = models.PositiveSmallIntegerField(help_text="1 for the first attempt")
    endpoint_url = models.CharField(max_length=500)
    payload = models.TextField(help_text="The XML sent, credentials masked")
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    succeeded = models.BooleanField(default=False)
    retry_in_seconds = models.PositiveIntegerField(null=True, blank=True,
                                                   help_text="When it failed: the wait before the next attempt")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["message", "number"], name="uniq_delivery_attempt")]

    def __str__(self):
        return f"{self.message_id} #{self.number}: {'ok' if self.succeeded else self.response_status or 'error'}"


class ChannelReservation(models.Model):
    """Our reservation for a channel's reservation id. The unique constraint is what keeps an OTA's retry
    (or two deliveries at the same moment) from booking twice."""

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="reservations")
    external_reference = models.CharField(max_length=100, help_text="The channel's reservation id (UniqueID@ID)")
    reservation = models.OneToOneField("bookings.Reservation", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="channel_reservation")
    channel_total = models.DecimalField(null=True, blank=True, max_digits=12, decimal_places=3,
                                        help_text="The total the channel stated (AmountAfterTax)")
    channel_currency = models.CharField(max_length=3, blank=True)
    last_status = models.CharField(max_length=10, blank=True, help_text="Book, Modify or Cancel")
    room_indexes = models.JSONField(default=list, blank=True,
                                    help_text="The channel's RoomStay IndexNumber of each room, in booking order")
    last_digest = models.CharField(max_length=64, blank=True, editable=False,
                                   help_text="Fingerprint of the last message applied: its duplicate is answered "
                                             "without applying it again")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["channel", "external_reference"],
                                               name="uniq_channel_external_reference")]

    def __str__(self):
        return f"{self.channel.code} {self.external_reference}"


def _feed_token() -> str:
    return secrets.token_urlsafe(24)


class IcalFeed(models.Model):
    """A secret iCalendar URL of one room type's booked nights, for channels that sync by iCal."""

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="ical_feeds")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="ical_feeds")
    channel = models.ForeignKey(Channel, null=True, blank=True, on_delete=models.CASCADE, related_name="ical_feeds",
                                help_text="Optional: the channel that reads this feed")
    token = models.CharField(max_length=64, unique=True, default=_feed_token, editable=False)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hotel", "room_type"]
        verbose_name = "iCal feed"

    def __str__(self):
        return f"iCal {self.hotel.code} {self.room_type.code}"

    def clean(self):
        if self.room_type_id and self.hotel_id and self.room_type.hotel_id != self.hotel_id:
            raise ValidationError({"room_type": "The room type belongs to another hotel."})
        if self.channel_id and self.hotel_id and self.channel.hotel_id != self.hotel_id:
            raise ValidationError({"channel": "The channel belongs to another hotel."})


class ChannelKey(models.Model):
    """Binds an API key (scope "channel") to the one channel whose inbound messages it may send.

    A channel authenticates as itself: a partner key of the same hotel cannot speak for the channel.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="api_keys")
    api_key = models.OneToOneField("inventory.HotelAPIKey", on_delete=models.CASCADE, related_name="channel_binding",
                                   editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "-created_at"]
        verbose_name = "channel API key"

    def __str__(self):
        return f"{self.api_key.prefix} for {self.channel}"



class ChannelNight(models.Model):
    """What a channel was last told of one room type on one night, and the last delivery that failed.

    Kept up by every delivery attempt (services._nights_record), one row per (channel, room type, night, kind):
    what the admin shows when a channel says it shows other figures than ours.
    """

    class State(models.TextChoices):
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Last attempt failed"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="nights")
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=5, choices=AriKind.choices)
    state = models.CharField(max_length=6, choices=State.choices)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the channel last accepted this night")
    sent = models.TextField(blank=True, help_text="What it accepted, per rate plan")
    sent_message = models.ForeignKey(AriMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    failed_at = models.DateTimeField(null=True, blank=True, help_text="When a delivery of this night last failed")
    failed = models.TextField(blank=True, help_text="What that delivery tried to send")
    error = models.TextField(blank=True)
    failed_message = models.ForeignKey(AriMessage, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")

    class Meta:
        ordering = ["channel", "room_type", "date", "kind"]
        verbose_name = "ARI night sent"
        verbose_name_plural = "ARI nights sent"
        constraints = [models.UniqueConstraint(fields=["channel", "room_type", "date", "kind"],
                                               name="uniq_channel_night")]
        indexes = [models.Index(fields=["state", "channel"])]

    def __str__(self):
        return f"{self.channel.code} {self.room_type.code} {self.date} {self.kind}: {self.state}"
