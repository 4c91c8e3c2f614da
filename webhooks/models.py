"""Partner webhooks: where an API key's owner wants events sent, each event sent there, each attempt to send it."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookings.models import OutboxEvent, Reservation
from inventory.models import HotelAPIKey

SECRET_PREFIX = "whsec_"
EXCERPT_CHARS = 500


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL an API key's owner registered for some event types. Disabled (never deleted) after a day of failures."""

    owner = models.ForeignKey(HotelAPIKey, on_delete=models.CASCADE, related_name="webhook_endpoints",
                              help_text="The API key whose bookings are sent here (what it may read, no more)")
    url = models.URLField(max_length=500, help_text="https; no private, loopback or link-local address")
    event_types = models.JSONField(default=list, help_text="The event types wanted, e.g. reservation.created")
    secret = models.CharField(max_length=100, default=new_secret, editable=False,
                              help_text="Signs every delivery (Hotel-Signature header)")
    description = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(help_text="Told when the endpoint is disabled after a day of failures")
    active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True,
                                         help_text="The first failed attempt since the last success")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.url

    def wants(self, event_type: str) -> bool:
        return event_type in (self.event_types or [])


class WebhookDelivery(models.Model):
    """One event for one endpoint, its body frozen at fan-out. A replay is a new delivery with the same event_id."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed (given up)"

    event_id = models.UUIDField(default=uuid.uuid4, db_index=True,
                                help_text="The event's public id: the same for every retry and replay")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    outbox_event = models.ForeignKey(OutboxEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="webhook_deliveries")
    type = models.CharField(max_length=50)
    reservation = models.ForeignKey(Reservation, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="webhook_deliveries")
    payload = models.JSONField(help_text="The body sent, as frozen when the event was fanned out")
    occurred_at = models.DateTimeField(help_text="When the event happened: deliveries of one reservation to one "
                                                 "endpoint go in this order")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True,
                                         help_text="A sender is posting it until then (no lock is held meanwhile)")
    delivered_at = models.DateTimeField(null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["state", "next_attempt_at"]),
                   models.Index(fields=["endpoint", "reservation", "state"])]
        constraints = [models.UniqueConstraint(fields=["endpoint", "outbox_event"],
                                               condition=Q(replay_of__isnull=True),
                                               name="webhook_one_delivery_per_event")]

    def __str__(self):
        return f"{self.type} {self.event_id} -> {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: what came back (or why nothing did)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=EXCERPT_CHARS, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
