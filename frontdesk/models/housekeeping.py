"""Housekeeping tasks and out-of-order rooms."""


from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import FSMField, transition

from bookings.models import Reservation
from inventory.models import Room


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
