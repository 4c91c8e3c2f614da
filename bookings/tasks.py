"""Celery tasks: thin wrappers over services."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import events
from .models import OutboxEvent


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def deliver_event(self, event_id: str):
    if not events.event_deliver(event_id):
        raise self.retry(countdown=min(600, 30 * 2 ** self.request.retries))


@shared_task
def redeliver_outbox(older_than_seconds: int = 30, batch: int = 500) -> int:
    """Hand Celery again every event not yet delivered (a lost message, a failed handler)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(OutboxEvent.objects.filter(delivered_at__isnull=True, created_at__lt=cutoff)
               .order_by("created_at").values_list("pk", flat=True)[:batch])
    for event_id in ids:
        events.event_deliver(event_id)
    return len(ids)


@shared_task
def expire_pending_reservations() -> int:
    from .services import reservations_expire_pending

    return reservations_expire_pending()
