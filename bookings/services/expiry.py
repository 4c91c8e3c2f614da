"""Holds that ran out: PENDING reservations give their rooms back, and what the provider still holds is let go."""

import logging

from django.db import transaction
from django.utils import timezone

from inventory.services import inventory_release

from .. import events
from ..models import PaymentAttempt, Reservation, Status
from ..payments import PaymentGateway, default_gateway
from ..payments.attempts import attempt_open, attempt_send
from .lifecycle import reservation_save, transition

logger = logging.getLogger(__name__)

State = PaymentAttempt.State


def reservations_expire_pending(*, now=None, gateway: PaymentGateway | None = None) -> int:
    """PENDING reservations whose hold has run out become EXPIRED and give their rooms back.

    A hold whose payment answer is still unknown (RECORDED or UNKNOWN) is kept until the answer is settled
    (bookings.tasks.payments_settle): the money may have moved, and then the booking is the guest's. A payment
    left waiting for 3-D Secure is cancelled at the provider after the hold is given back.
    """
    now = now or timezone.now()
    ids = list(Reservation.objects.filter(status=Status.PENDING, hold_expires_at__lt=now)
               .exclude(payment_attempts__state__in=[State.RECORDED, State.UNKNOWN])
               .exclude(lead__payment_attempts__state__in=[State.RECORDED, State.UNKNOWN])
               .values_list("pk", flat=True))
    expired, releases = 0, []
    for pk in ids:
        with transaction.atomic():
            reservation = Reservation.objects.select_for_update().filter(pk=pk, status=Status.PENDING).first()
            # A multi-room booking's payment is its lead's: the other rooms wait on it too.
            if reservation is None or PaymentAttempt.objects.filter(
                    reservation=reservation.lead_id or reservation.pk,
                    state__in=[State.RECORDED, State.UNKNOWN]).exists():
                continue
            transition(reservation, "expire")
            inventory_release(holder=reservation.holder)
            reservation_save(reservation)
            events.event_record(events.RESERVATION_EXPIRED, reservation=reservation)
            for waiting in reservation.payment_attempts.filter(state=State.REQUIRES_ACTION):
                releases.append(attempt_open(reservation=reservation, step=f"COMPENSATE:{waiting.pk}",
                                             operation=PaymentAttempt.Operation.RELEASE, gateway=waiting.gateway,
                                             target_reference=waiting.reference))
            expired += 1
    for release in releases:  # after the commit: no row is locked while the provider is called
        attempt_send(release, gateway or default_gateway())
    return expired
