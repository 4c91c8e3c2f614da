"""Reports read what the other apps wrote; the only rows of their own record which daily manager report was sent.

`Report` has no table: it carries the `view_reports` permission and gives the report pages their place in the
admin (reports.admin), the way frontdesk.Stay carries the console.
"""

from django.db import models
from django.utils import timezone

from inventory.models import Hotel


class Report(models.Model):
    """The hotel reports (occupancy, ADR, RevPAR, pickup, production, day lists): pages, not rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can read the hotel reports (revenue, occupancy, pickup, guest lists)")]
        verbose_name = "report"
        verbose_name_plural = "reports"


class ManagerReportEmail(models.Model):
    """The daily manager report of one hotel business day: sent once, after that day's night audit."""

    class Status(models.TextChoices):
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Sent"
        SKIPPED = "SKIPPED", "No recipients"
        FAILED = "FAILED", "Failed (retried)"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="manager_report_emails")
    business_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    recipients = models.CharField(max_length=1000, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True, help_text="A worker's lease while it sends")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-business_date", "hotel"]
        verbose_name = "daily manager report email"
        constraints = [models.UniqueConstraint(fields=["hotel", "business_date"],
                                               name="uniq_manager_report_per_day")]

    def __str__(self):
        return f"Manager report {self.hotel.code} {self.business_date}: {self.get_status_display()}"
