"""Marketing consent, recorded as it was given: its kind, granted or withdrawn, the exact wording shown and its
version, when and where. Rows are never changed; the latest row per guest and kind is the guest's answer.

It lives in bookings because the booking page, the booking API and Manage my booking write it; the privacy app
exports it and erases its free text.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The wording shown next to the (unticked) checkbox. Change the words: give them a new version.
MARKETING_EMAIL = "MARKETING_EMAIL"
MARKETING_WORDING_VERSION = "2026-12-01"
# Shown in the guest's language and recorded in the words they were shown (the language active when recorded).
MARKETING_WORDING = _("Send me occasional emails with offers and news from the hotel. I can withdraw this at any "
                      "time from Manage my booking or any email.")
WITHDRAWN_WORDING = _("I no longer want emails with offers and news from the hotel.")


class MarketingConsent(models.Model):
    class Kind(models.TextChoices):
        MARKETING_EMAIL = MARKETING_EMAIL, "Marketing emails"

    class Source(models.TextChoices):
        BOOKING_PAGE = "BOOKING_PAGE", "Booking page"
        MANAGE_PAGE = "MANAGE_PAGE", "Manage my booking"
        ADMIN = "ADMIN", "Admin"
        API = "API", "API"

    guest = models.ForeignKey("bookings.Guest", on_delete=models.CASCADE, related_name="consents")
    reservation = models.ForeignKey("bookings.Reservation", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", help_text="The booking it was given or withdrawn with")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.MARKETING_EMAIL)
    granted = models.BooleanField(help_text="True: consent given; False: withdrawn")
    wording = models.TextField(help_text="The exact words shown to the guest")
    wording_version = models.CharField(max_length=30)
    source = models.CharField(max_length=20, choices=Source.choices)
    actor = models.CharField(max_length=100, blank=True, help_text="Who recorded it: the guest, a user, an API key")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["guest", "kind", "at"])]
        verbose_name = "marketing consent"

    def __str__(self):
        return f"{self.get_kind_display()} {'granted' if self.granted else 'withdrawn'} {self.at:%Y-%m-%d}"


def consent_record(*, guest, granted: bool, source: str, reservation=None, actor: str = "",
                   kind: str = MARKETING_EMAIL) -> MarketingConsent:
    """A consent given or withdrawn now, with the wording the guest was shown for it."""
    return MarketingConsent.objects.create(
        guest=guest, reservation=reservation, kind=kind, granted=granted, source=source, actor=actor[:100],
        wording=str(MARKETING_WORDING if granted else WITHDRAWN_WORDING), wording_version=MARKETING_WORDING_VERSION)


def consent_current(guest, kind: str = MARKETING_EMAIL) -> bool:
    """Whether the guest's latest answer for `kind` is a grant."""
    last = MarketingConsent.objects.filter(guest=guest, kind=kind).order_by("-at", "-id").first()
    return bool(last and last.granted)
