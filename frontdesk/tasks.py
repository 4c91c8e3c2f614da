"""Celery tasks: thin wrappers over the front-desk services."""

from celery import shared_task

from bookings.payments import default_gateway


@shared_task
def run_due_night_audits() -> list[str]:
    """Every 15 minutes (CELERY_BEAT_SCHEDULE "night-audit"): audit each hotel whose local audit time has
    passed, once per business day."""
    from .services import night_audits_run_due

    return [f"{run.hotel.code} {run.business_date}" for run in night_audits_run_due(gateway=default_gateway())]
