from celery import shared_task

from .retention import retention_run


@shared_task
def erase_expired_guests() -> int:
    """Daily (CELERY_BEAT_SCHEDULE "guest-data-retention"): anonymise guests past every hotel's retention."""
    return len(retention_run())


@shared_task
def send_data_request_email(request_id: int, language: str = "") -> None:
    """The guest's link to their data, sent by a worker so every address gets its answer equally fast."""
    from .guest_requests import data_request_email

    data_request_email(request_id, language)
