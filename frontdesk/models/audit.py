"""The night audit: its schedule per hotel and its runs."""

from datetime import time

from django.db import models
from django.utils import timezone

from inventory.models import Hotel


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
