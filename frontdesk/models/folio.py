"""The folio (decision 4, "money is a ledger"): a reservation's charges are FolioLine rows, its payments and
refunds are bookings.Payment rows; the balance is always derived as charges - (payments - refunds).
How the prepaid booking and nightly postings reconcile is explained on FolioLine. Split folios: billing parties,
routes and moves."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookings.models import Reservation

MONEY = {"max_digits": 12, "decimal_places": 3}


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
