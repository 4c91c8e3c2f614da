"""Celery tasks: thin wrappers over the ARI services."""

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True)
def flush_ari(channel_id: int | None = None) -> int:
    """Drain the queued changes (of one channel, or all) into messages and hand each to `send_ari_message`."""
    if channel_id is not None:
        # Released before draining: a change committed from now on schedules the next flush itself.
        services.ari_flush_release(channel_id=channel_id)
    messages = services.ari_flush(channel_ids=None if channel_id is None else [channel_id])
    for message in messages:
        send_ari_message.delay(message.pk)
    return len(messages)


@shared_task(bind=True, acks_late=True, max_retries=None)
def send_ari_message(self, message_id: int) -> str:
    """One attempt; a failure is retried after 30 s, 60 s, 120 s, ... until the attempts run out.

    Without a broker (eager Celery, development) there is no one to wait out the countdown: retrying inline
    would hold the web request through every attempt, so the message stays RETRYING for the next resync.
    """
    attempt = services.ari_message_send(message_id=message_id)
    if attempt is None:
        return "nothing to do"
    if not attempt.succeeded and attempt.retry_in_seconds is not None:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            return "failed; not retried without a worker"
        raise self.retry(countdown=attempt.retry_in_seconds)
    return "sent" if attempt.succeeded else "failed"


@shared_task
def flush_all_ari() -> int:
    """Safety net for beat: drain whatever a lost flush left queued."""
    return flush_ari(None)


@shared_task
def full_resync_due() -> int:
    """Beat, hourly: each channel's daily full push of its window (services.ari_full_resyncs_due)."""
    messages = services.ari_full_resyncs_due()
    for message in messages:
        send_ari_message.delay(message.pk)
    return len(messages)
