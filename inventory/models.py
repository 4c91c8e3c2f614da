from datetime import date, time
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from rest_framework_api_key.models import AbstractAPIKey


def validate_timezone(value: str):
    if value not in available_timezones():
        raise ValidationError(f"{value} is not an IANA time zone.")


def email_list(value: str) -> list[str]:
    """The addresses of a comma-separated list (blanks dropped)."""
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


def validate_email_list(value: str):
    bad = []
    for address in email_list(value):
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(f"Not an email address: {', '.join(bad)}.")


class Hotel(models.Model):
    code = models.CharField(max_length=10, unique=True, help_text="Short code, e.g. NYC")
    brand_code = models.CharField(max_length=10, help_text="Brand, e.g. GH")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(max_length=3, default="USD")
    check_in_time = models.TimeField(default=time(15, 0))
    check_out_time = models.TimeField(default=time(11, 0))
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    incidentals_hold = models.DecimalField(
        "incidentals hold", max_digits=12, decimal_places=3, default=0, validators=[MinValueValidator(0)],
        help_text="Authorised on the guest's card at check-in for incidentals (minibar, spa, ...), in the hotel's "
                  "currency; captured against them at check-out and the rest released. 0: no hold")
    late_check_out_fee = models.DecimalField(
        "late check-out fee", max_digits=12, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text="Posted to the folio from the desk when a guest is granted a late check-out, in the hotel's "
                  "currency; empty: not offered")
    early_check_in_fee = models.DecimalField(
        "early check-in fee", max_digits=12, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text="Posted to the folio from the desk when a guest checks in early, in the hotel's currency; "
                  "empty: not offered")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="hotels",
                                   help_text="Staff who work here: they see and act on this hotel only "
                                             "(superusers reach every hotel)")
    report_recipients = models.CharField(
        max_length=1000, blank=True, validators=[validate_email_list],
        help_text="Comma-separated emails that get the daily manager report after each night audit")

    prices_include_tax = models.BooleanField(
        "prices include tax", default=False,
        help_text="On: the rates entered include every percentage tax (VAT, as in most of Europe); the pricing "
                  "engine derives the tax night by night. Flat and per-person taxes (city tax) and fees are still "
                  "added on top. Off: every tax is added to the rates (as in the US)")

    class StayLengthRule(models.TextChoices):
        ARRIVAL = "ARRIVAL", "Through the arrival date: the arrival night's minimum and maximum stay apply"
        EVERY_NIGHT = "EVERY_NIGHT", "Through any night: every night of the stay's minimum and maximum apply"

    stay_length_rule = models.CharField(
        max_length=12, choices=StayLengthRule.choices, default=StayLengthRule.ARRIVAL,
        help_text="Which nights' minimum and maximum length of stay a stay must meet (search, booking, "
                  "changes and the channels all use it)")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def clean(self):
        from hotelbooking.money import round_money

        if self.incidentals_hold is not None and self.currency and \
                round_money(self.incidentals_hold, self.currency) != self.incidentals_hold:
            raise ValidationError({"incidentals_hold": f"{self.currency} amounts have no more decimal places than "
                                                       f"{round_money(0, self.currency)} shows."})

    def today(self) -> date:
        """The date at the hotel now: what lead times (advance booking) count from."""
        return timezone.localtime(timezone.now(), self.tz).date()

    @property
    def counts_every_night(self) -> bool:
        return self.stay_length_rule == self.StayLengthRule.EVERY_NIGHT

    @property
    def report_recipient_list(self) -> list[str]:
        return email_list(self.report_recipients)


class RoomType(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="room_types")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    max_adults = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1)])
    max_children = models.PositiveSmallIntegerField(default=0)
    max_occupancy = models.PositiveSmallIntegerField(default=2, validators=[MinValueValidator(1)])
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["hotel", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["hotel", "code"], name="uniq_roomtype_code_per_hotel")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def can_accommodate(self, adults: int, children: int) -> bool:
        return (adults <= self.max_adults and children <= self.max_children
                and adults + children <= self.max_occupancy)


class Room(models.Model):
    class Status(models.TextChoices):
        AVAILABLE = "AVAILABLE", "Available"
        OCCUPIED = "OCCUPIED", "Occupied"
        NEEDS_CLEANING = "NEEDS_CLEANING", "Needs cleaning"
        OUT_OF_ORDER = "OUT_OF_ORDER", "Out of order"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="rooms")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="rooms")
    number = models.CharField(max_length=10)
    floor = models.SmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    features = models.CharField(max_length=200, blank=True, help_text="e.g. high floor, near elevator")

    class Meta:
        ordering = ["hotel", "number"]
        constraints = [models.UniqueConstraint(fields=["hotel", "number"], name="uniq_room_number_per_hotel")]

    def __str__(self):
        return f"Room {self.number}"

    def clean(self):
        if self.room_type_id and self.hotel_id and self.room_type.hotel_id != self.hotel_id:
            raise ValidationError({"room_type": "The room type belongs to another hotel."})


class InventoryDay(models.Model):
    """Sellable rooms of one room type on one night. The database forbids selling more than exist."""

    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="inventory_days")
    date = models.DateField()
    total = models.PositiveIntegerField(help_text="Physical rooms of this type")
    sold = models.PositiveIntegerField(default=0)
    out_of_order = models.PositiveIntegerField(default=0)
    stop_sell = models.BooleanField(default=False)
    min_stay = models.PositiveSmallIntegerField(null=True, blank=True,
                                                help_text="Minimum nights of a stay arriving this day (or "
                                                          "including it: see the hotel's stay-length rule)")
    closed_to_arrival = models.BooleanField(default=False)
    closed_to_departure = models.BooleanField(default=False)
    max_stay = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1)],
                                                help_text="Maximum nights of a stay arriving this day (or "
                                                          "including it: see the hotel's stay-length rule)")
    min_advance_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Arrivals this day must be booked at least this many days ahead (0: same day)")
    max_advance_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Arrivals this day can be booked at most this many days ahead")
    rooms_to_sell = models.PositiveIntegerField(
        null=True, blank=True, help_text="Sell at most this many rooms this night, sold ones included "
                                         "(empty: every room not out of order)")

    class Meta:
        ordering = ["room_type", "date"]
        constraints = [
            models.UniqueConstraint(fields=["room_type", "date"], name="uniq_inventory_day"),
            models.CheckConstraint(condition=Q(sold__lte=F("total") - F("out_of_order")),
                                   name="inventory_no_overbooking"),
            models.CheckConstraint(condition=Q(sold__gte=0) & Q(out_of_order__gte=0),
                                   name="inventory_counts_not_negative"),
            models.CheckConstraint(condition=Q(min_stay__isnull=True) | Q(max_stay__isnull=True)
                                   | Q(max_stay__gte=F("min_stay")), name="inventory_stay_limits_ordered"),
            models.CheckConstraint(condition=Q(min_advance_days__isnull=True) | Q(max_advance_days__isnull=True)
                                   | Q(max_advance_days__gte=F("min_advance_days")),
                                   name="inventory_lead_times_ordered"),
        ]
        indexes = [models.Index(fields=["date", "room_type"])]

    def __str__(self):
        return f"{self.room_type.code} {self.date}: {self.sold}/{self.total}"

    @property
    def sellable(self) -> int:
        """Rooms this night may sell in all: the physical rooms in order, capped by `rooms_to_sell`."""
        rooms = self.total - self.out_of_order
        return rooms if self.rooms_to_sell is None else min(rooms, self.rooms_to_sell)

    @property
    def free(self) -> int:
        return max(0, self.sellable - self.sold)


class InventoryHold(models.Model):
    """Which nights a holder (e.g. a reservation) has taken, so that releasing is idempotent."""

    holder = models.CharField(max_length=64, db_index=True)
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="holds")
    date = models.DateField()
    rooms = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["holder", "room_type", "date"], name="uniq_hold_night")]

    def __str__(self):
        return f"{self.holder} {self.room_type_id} {self.date} x{self.rooms}"


class HotelAPIKey(AbstractAPIKey):
    """A partner's, the front desk's or a channel's key; reaches only its hotels. Stored hashed.

    What each scope may do is decided in hotelbooking.permissions; a channel key is bound to its channel by
    channelmanager.ChannelKey.
    """

    SCOPES = [("partner", "Partner"), ("frontdesk", "Front desk"), ("channel", "Channel (OTA)")]
    scope = models.CharField(max_length=20, choices=SCOPES, default="partner")
    hotels = models.ManyToManyField(Hotel, related_name="api_keys")
    hotel_wide = models.BooleanField(
        default=False, help_text="A partner key sees and changes only the bookings it made; with this, every "
                                 "booking of its hotels (website, other partners, channels)")

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"
        verbose_name_plural = "API keys"


def nights_between(check_in: date, check_out: date) -> list[date]:
    from datetime import timedelta

    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]
