"""The money records: Payment (the ledger of money moved), PaymentAttempt (each gateway call, recorded before it
is made) and GatewayEvent (what the provider told us by webhook)."""

import uuid

from django.db import models
from django.utils import timezone


class Payment(models.Model):
    """A movement of money through the gateway. Never the card number: a token, the brand and last four."""

    class Kind(models.TextChoices):
        CHARGE = "CHARGE", "Charge"
        REFUND = "REFUND", "Refund"

    class Result(models.TextChoices):
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"

    class GatewayStatus(models.TextChoices):
        AUTHORISED = "AUTHORISED", "Authorised, not captured"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed"
        CANCELED = "CANCELED", "Canceled"
        PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED", "Partially refunded"
        REFUNDED = "REFUNDED", "Refunded"
        DISPUTED = "DISPUTED", "Disputed"

    reservation = models.ForeignKey("bookings.Reservation", on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.SUCCEEDED)
    amount = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3)
    gateway = models.CharField(max_length=50)
    gateway_reference = models.CharField(max_length=100, blank=True)
    card_token = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    last_four = models.CharField(max_length=4, blank=True)
    failure_code = models.CharField(max_length=50, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=50, blank=True, help_text="BOOKING, MODIFICATION, CANCELLATION, ...")
    refund_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds",
                                  help_text="For a refund: the charge it gives money back from")
    created_at = models.DateTimeField(default=timezone.now)
    # What the provider last told us through its webhook; `result` above stays our own ledger entry.
    gateway_status = models.CharField(max_length=20, choices=GatewayStatus.choices, blank=True,
                                      help_text="The provider's latest word on this payment (webhook)")
    gateway_status_at = models.DateTimeField(null=True, blank=True,
                                             help_text="When the provider created that event: older ones are ignored")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        from hotelbooking.money import fmt

        return f"{self.kind} {fmt(self.amount, self.currency)} ({self.result})"



class GatewayEvent(models.Model):
    """A webhook event from a payment provider, stored once by its id: providers deliver at least once."""

    gateway = models.CharField(max_length=50)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True, help_text="The PaymentIntent, Charge, Refund, ...")
    amount = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True,
                                 help_text="What the event is about (for a refund event: all refunded so far)")
    currency = models.CharField(max_length=3, blank=True)
    created = models.DateTimeField(help_text="When the provider created the event")
    livemode = models.BooleanField(default=False)
    payload = models.JSONField(help_text="The event as received (providers never send card numbers)")
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=300, blank=True, help_text="What handling it did")

    class Meta:
        ordering = ["created", "id"]
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"], name="uniq_gateway_event")]
        indexes = [models.Index(fields=["object_id"])]

    def __str__(self):
        return f"{self.gateway} {self.event_type} {self.event_id}"


class PaymentAttempt(models.Model):
    """One call to the gateway for one business step, recorded before the call is made.

    The idempotency key is made once, when the attempt is recorded, and sent on every retry of the step, so a
    retry after a lost answer never moves money twice. The answer is written here in its own short
    transaction; a step that moved money also gets its Payment ledger row (`payment`). See
    bookings/payments/attempts.py.
    """

    class Operation(models.TextChoices):
        CHARGE = "CHARGE", "Charge a card"
        CHARGE_SAVED = "CHARGE_SAVED", "Charge the card on file"
        AUTHORISE = "AUTHORISE", "Authorise (hold) an amount"
        CAPTURE = "CAPTURE", "Capture an authorisation"
        RELEASE = "RELEASE", "Release an authorisation"
        REFUND = "REFUND", "Refund"
        SAVE_CARD = "SAVE_CARD", "Save the card as a guarantee"

    class State(models.TextChoices):
        RECORDED = "RECORDED", "Recorded, not sent or not answered yet"
        REQUIRES_ACTION = "REQUIRES_ACTION", "Waiting for the guest to authenticate"
        SUCCEEDED = "SUCCEEDED", "Succeeded"
        FAILED = "FAILED", "Failed (nothing moved)"
        UNKNOWN = "UNKNOWN", "Answer lost: being settled"

    reservation = models.ForeignKey("bookings.Reservation", on_delete=models.PROTECT, related_name="payment_attempts")
    step = models.CharField(max_length=80, help_text="The business step: BOOKING, MODIFICATION:3, CHECK_OUT, ...")
    operation = models.CharField(max_length=20, choices=Operation.choices)
    idempotency_key = models.CharField(max_length=100, unique=True, editable=False)
    gateway = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    currency = models.CharField(max_length=3)
    state = models.CharField(max_length=20, choices=State.choices, default=State.RECORDED)
    # What the call needs besides the amount, never a card number: a provider payment method or saved token,
    # or the provider reference of the charge/authorisation this refunds, captures or releases.
    payment_method = models.CharField(max_length=200, blank=True)
    target = models.ForeignKey("bookings.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The charge this refunds")
    target_reference = models.CharField(max_length=100, blank=True)
    save_for_later = models.BooleanField(default=False)
    reference = models.CharField(max_length=100, blank=True, help_text="The provider's id for this payment")
    client_secret = models.CharField(max_length=200, blank=True, editable=False,
                                     help_text="For a 3-D Secure step: what the guest page hands to the provider")
    token = models.CharField(max_length=200, blank=True, help_text="A reusable card token the provider gave back")
    card_brand = models.CharField(max_length=20, blank=True)
    last_four = models.CharField(max_length=4, blank=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=300, blank=True)
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True, help_text="When the settle task tries it again")
    needs_attention = models.BooleanField(default=False, help_text="Retries gave up: a person must settle it")
    # A multi-room booking pays once: {reservation id: "amount"}, each room's share of `amount`. The ledger gets
    # one Payment per room for its share (same provider reference). Empty: all of it is `reservation`'s.
    allocation = models.JSONField(default=dict, blank=True,
                                  help_text="Each room's share of the amount, {reservation id: amount}")
    payment = models.OneToOneField("bookings.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="attempt", help_text="The ledger row of the money it moved")
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["reservation", "step", "operation"],
                                               name="uniq_payment_attempt_step")]
        indexes = [models.Index(fields=["state", "next_try_at"])]

    def __str__(self):
        return f"{self.get_operation_display()} {self.amount or ''} {self.currency} ({self.state})"

    @property
    def open(self) -> bool:
        """Not settled yet: the money may still move."""
        return self.state in (self.State.RECORDED, self.State.UNKNOWN, self.State.REQUIRES_ACTION)

    @staticmethod
    def new_key() -> str:
        return f"hb-{uuid.uuid4().hex}"
