"""Which stay a reservation is and which rooms it is in."""


from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from bookings.models import Reservation
from inventory.models import Room


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
