"""The history of the rates calendar: one entry per bulk edit, with the values it replaced, so it can be undone."""

from django.conf import settings
from django.db import models

from inventory.models import Hotel


class CalendarEdit(models.Model):
    """One bulk edit applied from the calendar: who, when, what, and every cell's value before and after.

    `cells` holds one list per changed cell: [field, room_type_id, rate_plan_id or null, "YYYY-MM-DD", before,
    after]. For `price` the values are the base plan's override amount as a string, before being null when the
    night had no override (its season priced it); for the InventoryDay fields they are the column's values.
    """

    class Action(models.TextChoices):
        PRICE_SET = "PRICE_SET", "Set the price"
        PRICE_ADD = "PRICE_ADD", "Add or subtract an amount"
        PRICE_PERCENT = "PRICE_PERCENT", "Add or subtract a percentage"
        ROOMS_TO_SELL = "ROOMS_TO_SELL", "Set rooms to sell"
        CLOSE = "CLOSE", "Close (stop-sell)"
        OPEN = "OPEN", "Open (lift stop-sell)"
        MIN_STAY = "MIN_STAY", "Set minimum stay"
        MAX_STAY = "MAX_STAY", "Set maximum stay"
        CTA_ON = "CTA_ON", "Close to arrival"
        CTA_OFF = "CTA_OFF", "Open to arrival"
        CTD_ON = "CTD_ON", "Close to departure"
        CTD_OFF = "CTD_OFF", "Open to departure"
        MIN_ADVANCE = "MIN_ADVANCE", "Set minimum advance booking (days)"
        MAX_ADVANCE = "MAX_ADVANCE", "Set maximum advance booking (days)"

    hotel = models.ForeignKey(Hotel, on_delete=models.CASCADE, related_name="calendar_edits")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    summary = models.CharField(max_length=500, help_text="What was asked, in words")
    request = models.JSONField(help_text="The edit as asked: dates, weekdays, room types, plans, action, value")
    cells = models.JSONField(help_text="[field, room type, plan, date, before, after] per changed cell")
    cell_count = models.PositiveIntegerField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("manage_rates", "Can change prices, rooms to sell and restrictions in the rates calendar")]
        indexes = [models.Index(fields=["hotel", "-created_at"])]

    def __str__(self):
        return f"{self.hotel.code} {self.created_at:%Y-%m-%d %H:%M}: {self.summary}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
