"""Guest data (GDPR, issue 14 section 5): what was emailed to guests, who erased whom, each hotel's retention
period, and the guests' own verified requests. None of these rows holds more personal data than it needs; an
erasure record holds none."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from bookings.models import Guest, Reservation
from inventory.models import Hotel

DEFAULT_RETENTION_DAYS = 3 * 365


class GuestData(Guest):
    """A guest as the privacy work sees them (a proxy): the admin page that exports and erases."""

    class Meta:
        proxy = True
        verbose_name = "guest data (export, erasure)"
        verbose_name_plural = "guest data (export, erasure)"
        permissions = [("export_guest_data", "Can export everything held about a guest"),
                       ("erase_guest_data", "Can erase (anonymise) a guest's personal data")]


class SentEmail(models.Model):
    """One email sent to a guest (bookings.guest_mail reports each one): for the guest's data export."""

    guest = models.ForeignKey(Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="sent_emails")
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=30, help_text="CONFIRMATION, MODIFIED, CANCELLED, PAYMENT_LINK, ...")
    to = models.CharField(max_length=500)
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
        indexes = [models.Index(fields=["guest", "sent_at"])]

    def __str__(self):
        return f"{self.kind} {self.sent_at:%Y-%m-%d %H:%M}"


class ErasureRecord(models.Model):
    """That a guest's personal data was erased: when, by whom (a user, the guest, the retention job), which guest
    id. No name, no email: the record outlives what it records."""

    class Reason(models.TextChoices):
        STAFF = "STAFF", "Staff (admin)"
        GUEST_REQUEST = "GUEST_REQUEST", "The guest's verified request"
        RETENTION = "RETENTION", "Retention period ended"

    guest_id = models.BigIntegerField(db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    erased_at = models.DateTimeField(default=timezone.now)
    erased_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="A username, 'guest' or 'system'")
    reservations = models.PositiveIntegerField(default=0, help_text="How many reservations were anonymised")
    rows_scrubbed = models.PositiveIntegerField(default=0,
                                                help_text="Copies elsewhere (audit log, events, webhooks...) cleaned")

    class Meta:
        ordering = ["-erased_at", "-id"]

    def __str__(self):
        return f"Guest #{self.guest_id} erased {self.erased_at:%Y-%m-%d}"


class PrivacySettings(models.Model):
    """A hotel's retention period: its past guests are anonymised this many days after their departure."""

    hotel = models.OneToOneField(Hotel, on_delete=models.CASCADE, related_name="privacy_settings")
    retention_days = models.PositiveIntegerField(
        default=DEFAULT_RETENTION_DAYS,
        help_text="Days after a stay's departure before the guest's personal data is erased (3 years: 1095)")

    class Meta:
        verbose_name = "privacy settings"
        verbose_name_plural = "privacy settings"

    def __str__(self):
        return f"{self.hotel.code}: {self.retention_days} days"


class DataRequest(models.Model):
    """A guest asked, by email address, for their data: the signed link sent names this row; it works once,
    until `expires_at`."""

    guest = models.ForeignKey(Guest, on_delete=models.CASCADE, related_name="data_requests")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_for = models.CharField(max_length=10, blank=True, help_text="EXPORT or ERASURE")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Request {self.pk} ({self.guest_id})"

    @classmethod
    def lifetime(cls) -> timedelta:
        return timedelta(hours=int(getattr(settings, "PRIVACY_REQUEST_LINK_HOURS", 24)))
