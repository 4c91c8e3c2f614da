"""Celery tasks: thin wrappers over the report services."""

from celery import shared_task


@shared_task
def send_manager_reports() -> list[str]:
    """Every 15 minutes, five minutes after the night-audit tick (CELERY_BEAT_SCHEDULE "manager-reports"): the
    daily manager report of each business day audited since, once."""
    from .services import manager_reports_send_due

    return [f"{r.hotel.code} {r.business_date} {r.status}" for r in manager_reports_send_due()]
