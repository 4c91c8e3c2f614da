"""Celery tasks: thin wrappers over sending."""

from celery import shared_task

from . import sending


@shared_task(acks_late=True)
def send_delivery(delivery_id: int) -> bool:
    """One attempt of one delivery, if it is due (retries are scheduled by send_due_deliveries)."""
    attempt = sending.delivery_send(delivery_id)
    return attempt is not None and attempt.succeeded


@shared_task
def send_due_deliveries(batch: int = 500) -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): queue the deliveries whose retry time has come."""
    return sending.deliveries_send_due(batch=batch)
