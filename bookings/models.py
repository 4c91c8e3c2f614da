import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from inventory.models import Hotel, HotelAPIKey, RoomType
from pricing.models import Promotion, RatePlan

MONEY = {"max_digits": 12, "decimal_places": 3, "default": Decimal("0")}


class Guest(models.Model):
    """A person who books. A returning guest (same email, any case) is the same guest.

    The profile is made from the first booking with its email and afterwards changes only through staff (the
    admin): a later booking with the same email keeps what it was given on the reservation instead, and loyalty
    points always go to the profile's own loyalty number.
    """

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    loyalty_number = models.CharField(max_length=30, blank=True)
    vip = models.BooleanField("VIP", default=False, help_text="Flagged for the desk on arrival")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="uniq_guest_email_ci")]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Status(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    CONFIRMED = "CONFIRMED", _("Confirmed")
    CHECKED_IN = "CHECKED_IN", _("Checked in")
    CHECKED_OUT = "CHECKED_OUT", _("Checked out")
    CANCELLED = "CANCELLED", _("Cancelled")
    NO_SHOW = "NO_SHOW", _("No-show")
    EXPIRED = "EXPIRED", _("Expired")


class Channel(models.TextChoices):
    DIRECT = "DIRECT", "Direct (website)"
    OTA = "OTA", "Online travel agency"
    PHONE = "PHONE", "Phone"
    WALK_IN = "WALK_IN", "Walk-in"


class ReservationQuerySet(models.QuerySet):
    def with_details(self):
        return self.select_related("hotel", "room_type", "rate_plan", "guest", "promotion")


class Reservation(ConcurrentTransitionMixin, models.Model):
    """A booking and its lifecycle. Only the @transition methods move `status`; each records a StatusChange."""

    confirmation_number = models.CharField(max_length=40, unique=True)
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="reservations")
    room_type = models.ForeignKey(RoomType, on_delete=models.PROTECT, related_name="reservations")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.PROTECT, related_name="reservations")
    promotion = models.ForeignKey(Promotion, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="reservations")
    guest = models.ForeignKey(Guest, on_delete=models.PROTECT, related_name="reservations")
    # The name this booking was made under: one guest (one email) may book for different travellers.
    guest_first_name = models.CharField(max_length=100, blank=True)
    guest_last_name = models.CharField(max_length=100, blank=True)
    # The contact details typed with this booking. They stay on the booking: whoever types an email does not
    # thereby own its guest profile, so a booking never rewrites the profile's phone or loyalty number.
    guest_phone = models.CharField("phone as booked", max_length=40, blank=True)
    guest_loyalty_number = models.CharField("loyalty number as booked", max_length=30, blank=True)
    check_in = models.DateField()
    check_out = models.DateField()
    adults = models.PositiveSmallIntegerField(default=1)
    children = models.PositiveSmallIntegerField(default=0)
    child_ages = models.JSONField(default=list, blank=True)
    room_count = models.PositiveSmallIntegerField(default=1)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.DIRECT)
    source = models.CharField(max_length=100, blank=True, help_text="e.g. Website, a partner's name, an OTA code")
    created_by_key = models.ForeignKey(HotelAPIKey, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+", editable=False,
                                       help_text="The API key that made this booking (a partner key without "
                                                 "hotel-wide scope sees only its own bookings)")
    special_requests = models.TextField(blank=True)
    billing_address = models.TextField(
        blank=True, max_length=500,
        help_text="The guest's postal address for their invoices, as booked (street, postal code and city, country)")
    # The language the guest booked in (a code of settings.LANGUAGES): their emails are written in it.
    # Empty for bookings from before it was kept, and from channels: those get settings.LANGUAGE_CODE.
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES,
                                help_text="The guest's language, for their emails")
    arrival_time = models.TimeField("expected arrival time", null=True, blank=True,
                                    help_text="When the guest expects to arrive, hotel time, if they said")
    # A booking of several rooms is one Reservation per room: the first (the lead) carries the booking's
    # confirmation number and payment; the others point at it (decision 9). None on a single-room booking.
    lead = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="companions",
                             help_text="The booking's first room, for the other rooms of a multi-room booking")

    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(**MONEY)
    rate_plan_discount = models.DecimalField(**MONEY)
    promotion_discount = models.DecimalField(**MONEY)
    room_total = models.DecimalField(**MONEY)
    taxes = models.DecimalField(**MONEY)
    fees = models.DecimalField(**MONEY)
    grand_total = models.DecimalField(**MONEY)
    charge_lines = models.JSONField(default=dict, blank=True, help_text="Tax and fee lines as quoted")

    cancellation_policy = models.JSONField(default=dict, help_text="The policy as it was at booking")
    payment_terms = models.JSONField(default=dict, blank=True,
                                     help_text="What is charged when (pricing.guarantee.PaymentTerms), as booked; "
                                               "empty: everything at booking")
    free_until = models.DateTimeField(null=True, blank=True)
    price_override = models.JSONField(default=dict, blank=True, editable=False,
                                      help_text="A price given by hand at booking: who, when, why, the original "
                                                "and the overridden totals (bookings/services/override.py)")

    status = FSMField(default=Status.PENDING, choices=Status.choices, protected=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    cancellation_penalty = models.DecimalField(null=True, blank=True, max_digits=12, decimal_places=3)
    retained_amount = models.DecimalField(
        "retained (non-refundable)", **MONEY,
        help_text="What cancelling would have cost when the booking was last changed. It only grows; no later "
                  "change, cancellation or no-show costs the guest less.")
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # A card payment of this booking was disputed (a chargeback), as the provider's webhook told us.
    disputed_at = models.DateTimeField(null=True, blank=True, editable=False,
                                       help_text="When the guest's bank opened a dispute on a payment of this "
                                                 "booking (the provider's webhook)")
    dispute_reason = models.CharField(max_length=100, blank=True, editable=False,
                                      help_text="The reason the bank gave, e.g. fraudulent, product_not_received")

    # What a channel (OTA) sent beside the stay (channelmanager/inbound): kept where the desk reads it.
    internal_notes = models.TextField(blank=True, help_text="Notes for staff only, never shown to the guest (a "
                                                            "channel's hidden comments)")
    infants = models.PositiveSmallIntegerField(default=0, help_text="Infants, not counted in the room's occupancy")
    infant_ages = models.JSONField(default=list, blank=True)
    other_guests = models.JSONField(default=list, blank=True,
                                    help_text="The party's other named guests: [{first_name, last_name, email, "
                                              "phone, loyalty_number}]")
    booker = models.JSONField(default=dict, blank=True, help_text="Who made the booking, when not the guest")
    guarantee = models.JSONField(default=dict, blank=True,
                                 help_text="How the channel guaranteed the booking (kind, card brand, token, "
                                           "note); never a card number or security code")
    channel_total = models.DecimalField(null=True, blank=True, max_digits=12, decimal_places=3,
                                        help_text="The total the channel stated for this room (or booking)")
    channel_currency = models.CharField(max_length=3, blank=True)
    channel_price_differs = models.BooleanField(
        default=False, help_text="The channel's total or currency is not our price: check the channel's extranet")
    overbooked_nights = models.JSONField(
        default=list, blank=True, help_text="Nights a channel sold with no room left (ISO dates): OVERBOOKED")
    guest_emails = models.BooleanField(default=True, help_text="We send the guest our confirmation, change and "
                                                               "cancellation emails (off for most channels)")

    objects = ReservationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["hotel", "check_in"]),
            models.Index(fields=["hotel", "check_out"]),
            models.Index(fields=["status", "hold_expires_at"]),
        ]
        permissions = [("modify_reservation", "Can change reservations for guests (dates, party, room, rate)"),
                       ("cancel_reservation", "Can cancel reservations for guests")]

    def __str__(self):
        return self.confirmation_number

    @property
    def holder(self) -> str:
        """The key under which this reservation holds inventory."""
        return f"reservation:{self.pk}"

    @property
    def booking_lead(self) -> "Reservation":
        """The booking's first room: itself on a single-room booking and on the lead."""
        return self.lead if self.lead_id else self

    def booking_rooms(self) -> list["Reservation"]:
        """Every room of this reservation's booking, the lead first, then the others by id."""
        lead = self.booking_lead
        return [lead, *Reservation.objects.with_details().filter(lead=lead).order_by("id")]

    @property
    def guest_full_name(self) -> str:
        """The traveller's name as booked (the guest record's name for bookings made before it was kept)."""
        if self.guest_last_name:
            return f"{self.guest_first_name} {self.guest_last_name}".strip()
        return self.guest.full_name

    @property
    def overbooked(self) -> bool:
        return bool(self.overbooked_nights)

    @property
    def nights_count(self) -> int:
        return (self.check_out - self.check_in).days

    def retain(self, penalty: Decimal) -> None:
        """A change is made while cancelling would cost `penalty`: the booking keeps that liability.

        Cancellation and no-show penalties (pricing.cancellation) never go below it, and a change never refunds
        below it, so no sequence of changes makes the guest liable for less than they already were.
        """
        if penalty > self.retained_amount:
            self.retained_amount = penalty

    def _record(self, target: str, *, by=None, note: str = "") -> None:
        StatusChange.objects.create(reservation=self, from_status=self.status, to_status=target,
                                    note=note[:500], **actor_fields(by))

    @transition(field=status, source=Status.PENDING, target=Status.CONFIRMED)
    def confirm(self, *, by=None, note: str = ""):
        self.confirmed_at = timezone.now()
        self.hold_expires_at = None
        self._record(Status.CONFIRMED, by=by, note=note or "Payment received")

    @transition(field=status, source=Status.PENDING, target=Status.EXPIRED)
    def expire(self, *, by=None, note: str = ""):
        self._record(Status.EXPIRED, by=by, note=note or "Hold expired before payment")

    @transition(field=status, source=[Status.PENDING, Status.CONFIRMED], target=Status.CANCELLED)
    def cancel(self, *, reason: str = "", penalty: Decimal | None = None, by=None, note: str = ""):
        self.cancelled_at = timezone.now()
        self.cancellation_reason = reason[:300]
        self.cancellation_penalty = penalty
        self._record(Status.CANCELLED, by=by, note=note or f"Cancelled: {reason}. Penalty: {penalty}")

    @transition(field=status, source=Status.CONFIRMED, target=Status.CHECKED_IN)
    def check_in_guest(self, *, by=None, note: str = ""):
        self.checked_in_at = timezone.now()
        self._record(Status.CHECKED_IN, by=by, note=note)

    @transition(field=status, source=Status.CHECKED_IN, target=Status.CHECKED_OUT)
    def check_out_guest(self, *, by=None, note: str = ""):
        self.checked_out_at = timezone.now()
        self._record(Status.CHECKED_OUT, by=by, note=note)

    @transition(field=status, source=Status.CONFIRMED, target=Status.NO_SHOW)
    def mark_no_show(self, *, by=None, note: str = ""):
        self._record(Status.NO_SHOW, by=by, note=note or "Guest did not arrive")


SYSTEM = "system"


def actor_label(by) -> str:
    """Who did it, in full, as history, folios and the admin record it: 'system', a username,
    'API key <name> (<prefix>)', or the label the caller gave ('channel:BOOKING_COM', 'guest ...')."""
    if by is None:
        return SYSTEM
    if isinstance(by, str):
        return by[:100]
    if isinstance(by, HotelAPIKey):
        return f"API key {by.name} ({by.prefix})"[:100]
    return str(getattr(by, "username", by))[:100]


def actor_user(by):
    """The staff user behind `by`, if it is one (for the *_by foreign keys)."""
    return by if getattr(by, "pk", None) and hasattr(by, "is_staff") else None


def actor_fields(by) -> dict:
    """The StatusChange fields naming who did it: the label, and the user or API key it was."""
    return {"actor": actor_label(by), "changed_by": actor_user(by),
            "api_key": by if isinstance(by, HotelAPIKey) else None}


# What an API caller is shown of who made a change: itself, or only the kind of actor (never another
# caller's name or key prefix). The admin shows staff the full label.
YOU, PARTNER, HOTEL, CHANNEL, GUEST = "you", "partner", "hotel", "channel", "guest"


def actor_shown(change: "StatusChange", *, caller) -> str:
    """`you`, `partner` (another API key), `hotel` (staff or a front-desk key), `channel` (an OTA),
    `guest` (the guest's own pages) or `system`."""
    if change.api_key_id is not None:
        if isinstance(caller, HotelAPIKey) and caller.pk == change.api_key_id:
            return YOU
        scope = change.api_key.scope if change.api_key else "partner"
        return {"frontdesk": HOTEL, "channel": CHANNEL}.get(scope, PARTNER)
    if change.changed_by_id is not None:
        is_caller = getattr(caller, "pk", None) == change.changed_by_id and not isinstance(caller, HotelAPIKey)
        return YOU if is_caller else HOTEL
    label = change.actor or SYSTEM
    if label == SYSTEM:
        return SYSTEM
    if label.startswith("channel:"):
        return CHANNEL
    if label.startswith("guest"):
        return GUEST
    # Rows written before keys were recorded by reference name the key in their label.
    return PARTNER if label.startswith(("API key ", "api-key:")) else HOTEL


class ReservationNight(models.Model):
    """The price agreed for one night, per room. Kept when the stay is modified (prices frozen at booking)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="nights")
    date = models.DateField()
    rate = models.DecimalField(max_digits=12, decimal_places=3)
    rate_plan_discount = models.DecimalField(**MONEY)
    promotion_discount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["reservation", "date"], name="uniq_reservation_night")]

    def __str__(self):
        return f"{self.date}: {self.net}"

    @property
    def net(self) -> Decimal:
        return self.rate - self.rate_plan_discount - self.promotion_discount


class ReservationExtra(models.Model):
    """An extra as booked for the reservation's rooms (pricing/engine/extras.py): its price is frozen like the
    nights'; a change of the stay recounts its nights and party at this unit price. Included extras (the rate
    plan's) are kept too, at 0.00, to be shown; `nights` is the amount per stay night (ISO date -> amount)."""

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="extras")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=25)
    quantity = models.PositiveSmallIntegerField(default=1)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)
    nights = models.JSONField(default=dict, blank=True)
    included = models.BooleanField(default=False, help_text="Included in the rate plan's price")
    taxable = models.BooleanField(default=True, help_text="The hotel's percentage taxes apply to it")

    class Meta:
        ordering = ["-included", "id"]
        constraints = [models.UniqueConstraint(fields=["reservation", "code"], name="uniq_reservation_extra")]

    def __str__(self):
        return f"{self.code} x {self.quantity}: {self.amount}"


class StatusChange(models.Model):
    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20)
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    api_key = models.ForeignKey(HotelAPIKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                help_text="The API key that made the change, if one did")
    actor = models.CharField(max_length=100, blank=True, help_text="Who: a user, an API key, or 'system'")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status} -> {self.to_status}"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change; delivered to Celery after commit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=50)
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="events")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["delivered_at", "created_at"])]

    def __str__(self):
        return f"{self.name} {self.id}"


class HandledEvent(models.Model):
    """Which handler has already processed which event, so delivering twice harms nothing."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=100)
    handled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_id", "handler"], name="uniq_handled_event")]


class ConfirmationSequence(models.Model):
    """Per hotel and arrival date, the last 5-digit sequence used in a confirmation number."""

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE)
    date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hotel", "date"], name="uniq_confirmation_sequence")]


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an Idempotency-Key, replayed for the same key and body."""

    scope = models.CharField(max_length=100, help_text="Who sent it (API key prefix or user)")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="uniq_idempotency_key")]


# The payment models live with the gateways; imported here so that `bookings.models.Payment` keeps working.
from .consent import MarketingConsent  # noqa: E402, F401
from .payments.models import GatewayEvent, Payment, PaymentAttempt  # noqa: E402, F401
