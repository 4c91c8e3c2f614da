"""Guest stats, stay records and loyalty points."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookings.models import Guest, Reservation
from inventory.models import Hotel

from .folio import MONEY


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
