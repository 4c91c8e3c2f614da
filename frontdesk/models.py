"""Front desk: which room a stay is in, the folio, housekeeping, out-of-order rooms, loyalty and the night audit.

The folio (decision 4, "money is a ledger"): a reservation's charges are FolioLine rows, its payments and
refunds are bookings.Payment rows; the balance is always derived as charges - (payments - refunds).
How the prepaid booking and nightly postings reconcile is explained on FolioLine.
"""

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition

from bookings.models import Guest, PaymentAttempt, Reservation
from inventory.models import Hotel, Room

MONEY = {"max_digits": 12, "decimal_places": 3}


class Stay(Reservation):
    """The front desk's view of a reservation (a proxy): what the staff console lists and acts on."""

    class Meta:
        proxy = True
        verbose_name = "stay"
        verbose_name_plural = "stays (arrivals, in-house, departures)"
        permissions = [
            ("check_in_guest", "Can check guests in and assign rooms"),
            ("check_out_guest", "Can check guests out and settle the bill"),
            ("post_charge", "Can post and reverse incidental charges"),
            ("assign_room", "Can assign rooms ahead of arrival"),
            ("move_room", "Can move a guest to another room"),
            ("mark_no_show", "Can mark a booking as a no-show from the desk"),
            ("override_rate", "Can override a booking's price (with a reason)"),
            ("waive_penalty", "Can waive a cancellation or no-show penalty (with a reason)"),
        ]


class RoomAssignment(models.Model):
    """A room given to a stay for the nights [start_date, end_date).

    A room is never in two stays whose dates overlap: on PostgreSQL an exclusion constraint (btree_gist, added
    by migration 0002 on PostgreSQL only) forbids it; on every database the check-in service and the assignment
    ahead of arrival (frontdesk/assignments.py) check it while holding the room rows' locks. An early departure
    shortens end_date so the room's nights are free again.
    """

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="room_assignments")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="assignments")
    start_date = models.DateField()
    end_date = models.DateField(help_text="The departure day (the last night is the day before)")
    key_cards = models.PositiveSmallIntegerField(default=2)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="Who: a user, an API key, or 'system'")
    released_at = models.DateTimeField(null=True, blank=True, help_text="When the guest checked out")

    class Meta:
        ordering = ["room__number"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "room"], name="uniq_assignment_room_per_stay"),
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="assignment_dates_ordered"),
        ]
        indexes = [models.Index(fields=["room", "start_date", "end_date"])]

    def __str__(self):
        return f"{self.room} for {self.reservation} ({self.start_date} - {self.end_date})"


class BillingParty(models.Model):
    """A company or travel agent that pays for stays: reusable across bookings (and hotels of the group).

    A folio billed to a party invoices that party (name, address and VAT id as they were on the day of issue).
    """

    class Kind(models.TextChoices):
        COMPANY = "COMPANY", "Company"
        TRAVEL_AGENT = "TRAVEL_AGENT", "Travel agent"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.COMPANY)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True, help_text="Street lines, as printed on an invoice")
    postal_code = models.CharField(max_length=20, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 code, e.g. DE")
    vat_id = models.CharField("VAT id", max_length=40, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True, help_text="Where its invoices are sent")
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "billing parties"

    def __str__(self):
        return self.name


class Folio(models.Model):
    """One of a reservation's bills. Number 1 is the guest's own; others bill a company, a travel agent or the
    channel that collected the stay. Every folio line belongs to exactly one folio."""

    class Kind(models.TextChoices):
        GUEST = "GUEST", "Guest"
        COMPANY = "COMPANY", "Company"
        TRAVEL_AGENT = "TRAVEL_AGENT", "Travel agent"
        CHANNEL = "CHANNEL", "Channel"

    GUEST_NUMBER = 1

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="folios")
    number = models.PositiveSmallIntegerField(default=GUEST_NUMBER)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GUEST)
    billing_party = models.ForeignKey(BillingParty, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="folios")
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True,
                                     help_text="Set when the folio is invoiced: nothing more is posted to it or moved "
                                               "off it (a credit note reopens it)")

    class Meta:
        ordering = ["reservation", "number"]
        permissions = [("manage_folios", "Can open folios, route charges and move lines between folios")]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "number"], name="uniq_folio_number"),
        ]

    def __str__(self):
        return f"{self.reservation.confirmation_number} folio {self.number}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_guests(self) -> bool:
        """A bill the guest pays (their own, or a second guest bill): what check-out settles."""
        return self.kind == self.Kind.GUEST

    @property
    def party_name(self) -> str:
        if self.billing_party_id:
            return self.billing_party.name
        return self.label or ("Guest" if self.is_guests else self.get_kind_display())


class FolioRoute(models.Model):
    """A kind of charge of one reservation goes to this folio (without a route: the guest's own, number 1).

    Keys are FolioLine kinds (ROOM, TAX, FEE, PENALTY, each incidental); a reversal follows the line it reverses
    and an adjustment of posted nights (CORRECTION) follows ROOM.
    """

    # Kinds a route may name: everything staff or the system post, but a correction or a transfer.
    KINDS = ("ROOM", "TAX", "FEE", "EXTRA", "MINIBAR", "ROOM_SERVICE", "RESTAURANT", "SPA", "PARKING", "LAUNDRY",
             "TELEPHONE", "OTHER", "PENALTY")

    reservation = models.ForeignKey(Reservation, on_delete=models.CASCADE, related_name="folio_routes")
    kind = models.CharField(max_length=20)
    folio = models.ForeignKey(Folio, on_delete=models.CASCADE, related_name="routes")
    set_at = models.DateTimeField(default=timezone.now)
    set_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["reservation", "kind"]
        constraints = [models.UniqueConstraint(fields=["reservation", "kind"], name="uniq_folio_route_kind")]

    def __str__(self):
        return f"{self.kind} -> folio {self.folio.number}"


class FolioLineMove(models.Model):
    """A line moved from one folio of a reservation to another: who, when, from, to, why. Never edited."""

    line = models.ForeignKey("FolioLine", on_delete=models.PROTECT, related_name="moves")
    from_folio = models.ForeignKey(Folio, on_delete=models.PROTECT, related_name="+")
    to_folio = models.ForeignKey(Folio, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    moved_at = models.DateTimeField(default=timezone.now)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="Who: a user or an API key")

    class Meta:
        ordering = ["moved_at", "id"]

    def __str__(self):
        return f"Line {self.line_id}: folio {self.from_folio.number} -> {self.to_folio.number}"


class FolioLine(models.Model):
    """One charge (or correcting credit) on a reservation's folio. Never edited, never deleted.

    Reconciling a prepaid booking with nightly postings: the booking's payment (bookings.Payment) covers the
    whole stay up front, so on arrival the folio shows that payment and no charges yet: a credit. Each night
    audit posts that night's room charge with its share of every tax and fee line (ROOM/TAX/FEE lines); the
    shares are fixed by the reservation's booked nights and totals, with rounding remainders on the first night,
    so all nights' lines add up to exactly the booked grand total. Check-out posts any night not posted yet, so
    at departure charges = grand total + incidentals (+ corrections) and the balance is just what was spent on
    top of the booking. Posting keys (e.g. "night:2025-01-03:tax:0") make every system posting idempotent.
    """

    class Kind(models.TextChoices):
        ROOM = "ROOM", "Room night"
        TAX = "TAX", "Tax"
        FEE = "FEE", "Fee"
        EXTRA = "EXTRA", "Extra (booked: breakfast, parking...)"
        MINIBAR = "MINIBAR", "Minibar"
        ROOM_SERVICE = "ROOM_SERVICE", "Room service"
        RESTAURANT = "RESTAURANT", "Restaurant"
        SPA = "SPA", "Spa"
        PARKING = "PARKING", "Parking"
        LAUNDRY = "LAUNDRY", "Laundry"
        TELEPHONE = "TELEPHONE", "Telephone"
        OTHER = "OTHER", "Other"
        PENALTY = "PENALTY", "Penalty"
        CORRECTION = "CORRECTION", "Correction"
        TRANSFER = "TRANSFER", "Billed to a third party"

    INCIDENTALS = ("MINIBAR", "ROOM_SERVICE", "RESTAURANT", "SPA", "PARKING", "LAUNDRY", "TELEPHONE", "OTHER")

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="folio_lines")
    folio = models.ForeignKey(Folio, on_delete=models.PROTECT, related_name="lines",
                              help_text="The bill it is on (the guest's, unless routed or moved)")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200)
    amount = models.DecimalField(**MONEY, help_text="Positive for a charge, negative for a credit")
    currency = models.CharField(max_length=3)
    business_date = models.DateField(help_text="The hotel day it belongs to (the night, for room nights)")
    posted_at = models.DateTimeField(default=timezone.now)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="Who: a user, an API key, or 'system'")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by", help_text="The line this one corrects")
    posting_key = models.CharField(max_length=60, blank=True,
                                   help_text="Set on system postings so posting twice is impossible")
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True,
                                   help_text="On a percentage tax posting: the rate in percent (e.g. 8.875), for "
                                             "the invoice's tax summary per rate")

    class Meta:
        ordering = ["business_date", "posted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reservation", "posting_key"], condition=~Q(posting_key=""),
                                    name="uniq_folio_posting_key"),
        ]

    def __str__(self):
        return f"{self.business_date} {self.kind} {self.amount} {self.currency}"

    @property
    def is_incidental(self) -> bool:
        return self.kind in self.INCIDENTALS


class HousekeepingTask(models.Model):
    """A room to clean. OPEN -> IN_PROGRESS -> DONE; finishing the last open one makes the room AVAILABLE."""

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        IN_PROGRESS = "IN_PROGRESS", "In progress"
        DONE = "DONE", "Done"

    class Kind(models.TextChoices):
        DEPARTURE = "DEPARTURE", "Departure clean"
        REQUEST = "REQUEST", "On request"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="housekeeping_tasks")
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="housekeeping_tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DEPARTURE)
    status = FSMField(default=Status.OPEN, choices=Status.choices, protected=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        constraints = [
            # One departure clean per room per stay: the event handler may run twice.
            models.UniqueConstraint(fields=["room", "reservation", "kind"], condition=Q(reservation__isnull=False),
                                    name="uniq_housekeeping_task_per_departure"),
        ]
        indexes = [models.Index(fields=["status", "room"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.room} ({self.status})"

    @transition(field=status, source=Status.OPEN, target=Status.IN_PROGRESS)
    def start(self, *, by: str = ""):
        self.started_at = timezone.now()
        self.updated_by = by[:100]

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.DONE)
    def finish(self, *, by: str = ""):
        self.done_at = timezone.now()
        self.updated_by = by[:100]


class RoomOutOfOrder(models.Model):
    """A room out of service for the nights [start_date, end_date): not sellable, not assignable."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="out_of_order_periods")
    start_date = models.DateField()
    end_date = models.DateField(help_text="The first night it is back in service")
    reason = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=100, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_on = models.DateField(null=True, blank=True, help_text="From this night on, sellable again")
    lifted_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start_date"]
        verbose_name = "out-of-order period"
        constraints = [models.CheckConstraint(condition=Q(end_date__gt=F("start_date")),
                                              name="out_of_order_dates_ordered")]

    def __str__(self):
        return f"{self.room} out of order {self.start_date} - {self.end_date}: {self.reason}"

    @property
    def effective_end(self):
        """The first night back in service (earlier than end_date when lifted)."""
        return self.lifted_on if self.lifted_on is not None else self.end_date


class GuestStats(models.Model):
    """A guest's stay history in one currency: stays, nights and lifetime value (what they spent)."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="stats")
    currency = models.CharField(max_length=3)
    stays = models.PositiveIntegerField(default=0)
    nights = models.PositiveIntegerField(default=0)
    lifetime_value = models.DecimalField(**MONEY, default=Decimal("0"))
    first_stay_on = models.DateField(null=True, blank=True)
    last_stay_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "guest stats"
        constraints = [models.UniqueConstraint(fields=["guest", "currency"], name="uniq_guest_stats_currency")]

    def __str__(self):
        return f"{self.guest}: {self.stays} stays, {self.lifetime_value} {self.currency}"


class StayRecord(models.Model):
    """One completed stay in the guest's history."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="stay_records")
    reservation = models.OneToOneField(Reservation, on_delete=models.CASCADE, related_name="stay_record")
    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="+")
    arrived_on = models.DateField()
    departed_on = models.DateField()
    nights = models.PositiveIntegerField()
    rooms = models.CharField(max_length=200, help_text="Room numbers")
    total_spent = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["-departed_on"]

    def __str__(self):
        return f"{self.guest} at {self.hotel.code} {self.arrived_on} - {self.departed_on}"


class LoyaltyRule(models.Model):
    """How many points a stay earns per currency unit spent, and a flat bonus per confirmed booking.

    Without a rule for a currency the defaults below apply.
    """

    DEFAULT_POINTS_PER_UNIT = Decimal("10")
    DEFAULT_BOOKING_POINTS = 100

    currency = models.CharField(max_length=3, unique=True)
    points_per_unit = models.DecimalField(max_digits=8, decimal_places=3, default=DEFAULT_POINTS_PER_UNIT)
    booking_points = models.PositiveIntegerField(default=DEFAULT_BOOKING_POINTS)

    def __str__(self):
        return f"{self.currency}: {self.points_per_unit} points per unit, {self.booking_points} per booking"


class LoyaltyEntry(models.Model):
    """The points ledger: one row per award or adjustment; a guest's balance is the sum."""

    class Kind(models.TextChoices):
        BOOKING = "BOOKING", "Booking bonus"
        STAY = "STAY", "Stay"
        BOOKING_REVERSAL = "BOOKING_REVERSAL", "Booking bonus withdrawn"
        ADJUSTMENT = "ADJUSTMENT", "Adjustment"

    guest = models.ForeignKey(Guest, on_delete=models.PROTECT, related_name="loyalty_entries")
    loyalty_number = models.CharField(max_length=30)
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="loyalty_entries")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    points = models.IntegerField()
    description = models.CharField(max_length=200)
    event_id = models.UUIDField(null=True, blank=True, help_text="The domain event that earned it")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "loyalty entries"
        constraints = [
            # Each reservation earns its booking bonus and its stay points once, however often events arrive.
            models.UniqueConstraint(fields=["reservation", "kind"],
                                    condition=Q(kind__in=["BOOKING", "STAY", "BOOKING_REVERSAL"]),
                                    name="uniq_loyalty_award_per_reservation"),
        ]

    def __str__(self):
        return f"{self.loyalty_number} {self.points:+d} ({self.kind})"


class NightAuditSchedule(models.Model):
    """When a hotel's night audit runs, in the hotel's local time. Hotels without a row audit at 03:00."""

    DEFAULT_TIME = time(3, 0)

    hotel = models.OneToOneField(Hotel, on_delete=models.CASCADE, related_name="night_audit_schedule")
    audit_time = models.TimeField(default=DEFAULT_TIME, help_text="Local time; before noon closes the previous day")
    enabled = models.BooleanField(default=True)

    def __str__(self):
        return f"{self.hotel.code} at {self.audit_time:%H:%M}"


class NightAuditRun(models.Model):
    """One night audit of one hotel business day. Unique, so a day is never audited twice."""

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="night_audit_runs")
    business_date = models.DateField()
    started_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A worker's lease while it runs")
    finished_at = models.DateTimeField(null=True, blank=True)
    no_shows = models.PositiveIntegerField(default=0)
    nights_posted = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-business_date"]
        constraints = [models.UniqueConstraint(fields=["hotel", "business_date"], name="uniq_night_audit_per_day")]

    def __str__(self):
        return f"Night audit {self.hotel.code} {self.business_date}"


class PaymentLink(models.Model):
    """A link staff send a guest to pay part of a booking online, its balance or a deposit: /pay/<signed token>/.

    The signed token names the link; the link carries the amount, fixed when it is made. It is paid at most once:
    each try is a CHARGE payment attempt of the step LINK:<id> (LINK:<id>:<n> for the n-th try after a decline),
    a try is made only while no other is under way, and once one succeeds the link is paid and refuses any other.
    The money is an ordinary Payment of the reservation (purpose LINK), so it shows on the folio.
    """

    class Purpose(models.TextChoices):
        BALANCE = "BALANCE", "Balance"
        DEPOSIT = "DEPOSIT", "Deposit"

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="payment_links")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.BALANCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="Who made it: a user or an API key")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="After this the link no longer takes payments")
    sent_to = models.EmailField(blank=True, help_text="Where the link was emailed")
    paid_at = models.DateTimeField(null=True, blank=True)
    attempt = models.OneToOneField(PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="payment_link",
                                   help_text="The try under way, or the one that paid the link")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("send_payment_link", "Can send guests a link to pay a balance or a deposit")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_link_amount_positive")]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.amount} {self.currency} for {self.reservation}"

    @property
    def expired(self) -> bool:
        return self.paid_at is None and timezone.now() >= self.expires_at

    @property
    def state(self) -> str:
        """PAID, EXPIRED or OPEN."""
        if self.paid_at is not None:
            return "PAID"
        return "EXPIRED" if self.expired else "OPEN"
