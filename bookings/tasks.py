"""Celery tasks: thin wrappers over services."""

import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import events
from .models import OutboxEvent

logger = logging.getLogger(__name__)

# After this many failed deliveries an event waits for a person (admin action "Re-deliver now").
MAX_AUTOMATIC_ATTEMPTS = 20


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def deliver_event(self, event_id: str):
    if not events.event_deliver(event_id):
        raise self.retry(countdown=min(600, 30 * 2 ** self.request.retries))


@shared_task
def redeliver_outbox(older_than_seconds: int = 30, batch: int = 500) -> int:
    """Deliver again every event not yet delivered (a lost message, a broker that was down, a failed handler).

    Only events older than `older_than_seconds`, so the after-commit delivery of a fresh event is not raced.
    Returns how many were delivered now.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = OutboxEvent.objects.filter(delivered_at__isnull=True, created_at__lt=cutoff)
    ids = list(pending.filter(attempts__lt=MAX_AUTOMATIC_ATTEMPTS).order_by("created_at")
               .values_list("pk", flat=True)[:batch])
    delivered = sum(1 for event_id in ids if events.event_deliver(event_id))
    stuck = pending.filter(attempts__gte=MAX_AUTOMATIC_ATTEMPTS).count()
    if stuck:
        logger.error("%d outbox events failed %d times and wait for a manual re-delivery", stuck,
                     MAX_AUTOMATIC_ATTEMPTS)
    return delivered


@shared_task
def expire_pending_reservations() -> int:
    from .services import reservations_expire_pending

    return reservations_expire_pending()


@shared_task
def payments_settle() -> int:
    """Settle payment attempts left open: lost answers, crashes between a charge and its record, refunds the
    provider refused for now (bookings/payments/attempts.py)."""
    from .payments import default_gateway
    from .payments.attempts import attempts_settle_due

    return attempts_settle_due(gateway=default_gateway())


@shared_task
def charge_due_balances() -> int:
    """Deposit bookings whose balance day has come (hotel time): charge the card on file."""
    from .payments import default_gateway
    from .services import balances_charge_due

    return balances_charge_due(gateway=default_gateway())


@shared_task
def purge_idempotency_records(older_than_hours: int = 24) -> int:
    from .idempotency import idempotency_purge

    return idempotency_purge(older_than=timedelta(hours=older_than_hours))
