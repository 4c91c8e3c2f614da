from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, validate_email
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from rest_framework_api_key.models import AbstractAPIKey

from . import photos


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


validate_hex_colour = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "A colour as #RRGGBB, e.g. #1F4E79.", code="invalid_colour")


class Amenity(models.Model):
    """One entry of the managed list of amenities that hotels and room types pick from."""

    class Icon(models.TextChoices):
        WIFI = "wifi", "Wi-Fi"
        AIR_CONDITIONING = "air-conditioning", "Air conditioning"
        TV = "tv", "Television"
        COFFEE = "coffee", "Coffee and tea"
        BATH = "bath", "Bath or shower"
        DESK = "desk", "Work desk"
        SAFE = "safe", "Safe"
        PARKING = "parking", "Parking"
        FITNESS = "fitness", "Fitness"
        RESTAURANT = "restaurant", "Restaurant"
        ACCESSIBLE = "accessible", "Accessible"
        PETS = "pets", "Pets"

    code = models.SlugField(max_length=40, unique=True, help_text="Stable key, e.g. wifi (the API shows it)")
    label = models.CharField(max_length=100, help_text="What guests read, e.g. Free Wi-Fi")
    icon = models.CharField(max_length=20, choices=Icon.choices, blank=True,
                            help_text="A drawn icon shown beside the label (empty: the label alone)")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "label"]
        verbose_name_plural = "amenities"

    def __str__(self):
        return self.label


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

    # Content: what the booking pages, the emails and the content API show.
    description = models.TextField(blank=True, help_text="A few paragraphs for the booking pages")
    house_rules = models.TextField(blank=True, help_text="One rule per line, e.g. No smoking in rooms")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                   validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True,
                                    validators=[MinValueValidator(-180), MaxValueValidator(180)])
    map_query = models.CharField(max_length=300, blank=True,
                                 help_text="What a map search finds the hotel by, when no coordinates are given "
                                           "(empty: the address)")
    logo = models.ImageField(upload_to=photos.hotel_logo_path, blank=True,
                             validators=[photos.validate_upload_size],
                             help_text="Shown on the booking pages and in emails (scaled to at most 480 x 160 px)")
    logo_rendition = photos.logo_rendition()
    brand_color = models.CharField("brand colour", max_length=7, blank=True, validators=[validate_hex_colour],
                                   help_text="#RRGGBB, for email headers and buttons (empty: the site's own)")
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="hotels")

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def house_rule_list(self) -> list[str]:
        return [line.strip() for line in (self.house_rules or "").splitlines() if line.strip()]

    @property
    def map_url(self) -> str:
        """An OpenStreetMap link: a pin at the coordinates, else a search for the map query or the address."""
        if self.latitude is not None and self.longitude is not None:
            lat, lon = f"{Decimal(self.latitude):f}", f"{Decimal(self.longitude):f}"
            return f"https://www.openstreetmap.org/?{urlencode({'mlat': lat, 'mlon': lon})}#map=17/{lat}/{lon}"
        query = (self.map_query or self.address or "").strip()
        return f"https://www.openstreetmap.org/search?{urlencode({'query': query})}" if query else ""

    @property
    def email_logo_url(self) -> str:
        """The logo rendition's absolute URL, for branded emails; empty without a logo."""
        return photos.absolute_media_url(self.logo_rendition.url) if self.logo else ""

    @property
    def brand_text_color(self) -> str:
        """Black or white, whichever reads better on the brand colour (WCAG relative luminance)."""
        if not self.brand_color:
            return ""

        def channel(hex_pair: str) -> float:
            c = int(hex_pair, 16) / 255
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = (channel(self.brand_color[i:i + 2]) for i in (1, 3, 5))
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        # Contrast with white (1.05 / (L + 0.05)) against black ((L + 0.05) / 0.05): take the higher.
        return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 else "#000000"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def clean(self):
        from hotelbooking.money import round_money

        if self.incidentals_hold is not None and self.currency and \
                round_money(self.incidentals_hold, self.currency) != self.incidentals_hold:
            raise ValidationError({"incidentals_hold": f"{self.currency} amounts have no more decimal places than "
                                                       f"{round_money(0, self.currency)} shows."})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude" if self.longitude is None else "latitude":
                                   "Give both latitude and longitude, or neither."})

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

    # Labels guests read: translated (the i18n files), and each bed type said with its count in BEDS.
    class BedType(models.TextChoices):
        KING = "KING", _("King bed")
        QUEEN = "QUEEN", _("Queen bed")
        DOUBLE = "DOUBLE", _("Double bed")
        TWIN = "TWIN", _("Twin bed")
        SINGLE = "SINGLE", _("Single bed")
        SOFA_BED = "SOFA_BED", _("Sofa bed")
        BUNK = "BUNK", _("Bunk bed")

    BEDS = {
        BedType.KING: ngettext_lazy("%(count)d King bed", "%(count)d King beds", "count"),
        BedType.QUEEN: ngettext_lazy("%(count)d Queen bed", "%(count)d Queen beds", "count"),
        BedType.DOUBLE: ngettext_lazy("%(count)d Double bed", "%(count)d Double beds", "count"),
        BedType.TWIN: ngettext_lazy("%(count)d Twin bed", "%(count)d Twin beds", "count"),
        BedType.SINGLE: ngettext_lazy("%(count)d Single bed", "%(count)d Single beds", "count"),
        BedType.SOFA_BED: ngettext_lazy("%(count)d Sofa bed", "%(count)d Sofa beds", "count"),
        BedType.BUNK: ngettext_lazy("%(count)d Bunk bed", "%(count)d Bunk beds", "count"),
    }

    class View(models.TextChoices):
        CITY = "CITY", _("City view")
        SEA = "SEA", _("Sea view")
        LAKE = "LAKE", _("Lake view")
        MOUNTAIN = "MOUNTAIN", _("Mountain view")
        GARDEN = "GARDEN", _("Garden view")
        COURTYARD = "COURTYARD", _("Courtyard view")
        POOL = "POOL", _("Pool view")
        SKYLINE = "SKYLINE", _("Skyline view")

    bed_type = models.CharField(max_length=10, choices=BedType.choices, blank=True)
    bed_count = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(20)],
                                                 help_text="How many beds of that type")
    size_m2 = models.DecimalField("size (m²)", max_digits=6, decimal_places=1, null=True, blank=True,
                                  validators=[MinValueValidator(Decimal("1"))])
    view = models.CharField(max_length=10, choices=View.choices, blank=True)
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="room_types")

    class Meta:
        ordering = ["hotel", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["hotel", "code"], name="uniq_roomtype_code_per_hotel")]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def can_accommodate(self, adults: int, children: int) -> bool:
        return (adults <= self.max_adults and children <= self.max_children
                and adults + children <= self.max_occupancy)

    @property
    def beds_label(self) -> str:
        """E.g. "1 King bed", "2 Queen beds", in the active language; empty when no bed type is set."""
        if not self.bed_type:
            return ""
        return self.BEDS[self.bed_type] % {"count": self.bed_count}

    @property
    def size_sq_ft(self) -> int | None:
        return None if self.size_m2 is None else round(Decimal(self.size_m2) * Decimal("10.7639"))


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    url: str


class Photo(models.Model):
    """A photo with its responsive renditions (see inventory.photos). The alt text is required: it is what a
    screen reader says instead of the photo."""

    image = models.ImageField(upload_to=photos.photo_path, width_field="width", height_field="height",
                              validators=[photos.validate_upload_size, photos.validate_photo_width],
                              help_text=f"JPEG or PNG, at least {photos.MIN_PHOTO_WIDTH} px wide; renditions "
                                        f"{', '.join(map(str, photos.RENDITION_WIDTHS))} px wide are made from it")
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    alt_text = models.CharField(max_length=250, help_text="What the photo shows, for guests who cannot see it, "
                                                          "e.g. King bed facing a window over the Hudson")
    caption = models.CharField(max_length=250, blank=True, help_text="Shown under the photo (optional)")
    sort_order = models.PositiveSmallIntegerField(default=0, help_text="The lowest comes first")

    image_480 = photos.rendition(480)
    image_960 = photos.rendition(960)
    image_1600 = photos.rendition(1600)

    class Meta:
        abstract = True
        ordering = ["sort_order", "id"]

    def clean(self):
        if self.alt_text and not self.alt_text.strip():  # an empty one is refused as required already
            raise ValidationError({"alt_text": "Describe the photo for guests who cannot see it."})

    @property
    def renditions(self) -> list[Rendition]:
        """One per distinct width, narrowest first: each rendition is at most as wide as the upload."""
        if not self.image or not self.width or not self.height:
            return []
        seen, out = set(), []
        for wanted in photos.RENDITION_WIDTHS:
            width = min(wanted, self.width)
            if width in seen:
                continue
            seen.add(width)
            out.append(Rendition(width=width, height=round(self.height * width / self.width),
                                 url=getattr(self, f"image_{wanted}").url))
        return out

    @property
    def srcset(self) -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in self.renditions)

    @property
    def fallback(self) -> Rendition | None:
        """The rendition an <img src> names for browsers without srcset: the middle one."""
        renditions = self.renditions
        return renditions[min(1, len(renditions) - 1)] if renditions else None


class HotelPhoto(Photo):
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        pass

    def __str__(self):
        return f"{self.hotel.code}: {self.alt_text}"


class RoomTypePhoto(Photo):
    room_type = models.ForeignKey(RoomType, on_delete=models.CASCADE, related_name="photos")

    class Meta(Photo.Meta):
        pass

    def __str__(self):
        return f"{self.room_type.code}: {self.alt_text}"


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
