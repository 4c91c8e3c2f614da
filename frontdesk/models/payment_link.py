"""Payment links sent to a guest for a folio balance."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookings.models import PaymentAttempt, Reservation

from .folio import MONEY


class PaymentLink(models.Model):
    """A link staff send a guest to pay part of a booking online, its balance or a deposit: /pay/<signed token>/.

    The signed token names the link; the link carries the amount, fixed when it is made. It is paid at most once:
    each try is a CHARGE payment attempt of the step LINK:<id> (LINK:<id>:<n> for the n-th try after a decline),
    a try is made only while no other is under way, and once one succeeds the link is paid and refuses any other.
    The money is an ordinary Payment of the reservation (purpose LINK), so it shows on the folio.
    """

    class Purpose(models.TextChoices):
        BALANCE = "BALANCE", "Balance"
        DEPOSIT = "DEPOSIT", "Deposit"

    reservation = models.ForeignKey(Reservation, on_delete=models.PROTECT, related_name="payment_links")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    purpose = models.CharField(max_length=10, choices=Purpose.choices, default=Purpose.BALANCE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    actor = models.CharField(max_length=100, blank=True, help_text="Who made it: a user or an API key")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(help_text="After this the link no longer takes payments")
    sent_to = models.EmailField(blank=True, help_text="Where the link was emailed")
    paid_at = models.DateTimeField(null=True, blank=True)
    attempt = models.OneToOneField(PaymentAttempt, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="payment_link",
                                   help_text="The try under way, or the one that paid the link")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("send_payment_link", "Can send guests a link to pay a balance or a deposit")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_link_amount_positive")]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.amount} {self.currency} for {self.reservation}"

    @property
    def expired(self) -> bool:
        return self.paid_at is None and timezone.now() >= self.expires_at

    @property
    def state(self) -> str:
        """PAID, EXPIRED or OPEN."""
        if self.paid_at is not None:
            return "PAID"
        return "EXPIRED" if self.expired else "OPEN"
