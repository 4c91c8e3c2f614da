"""Celery tasks: thin wrappers over the invoicing services."""

from celery import shared_task


@shared_task(bind=True, max_retries=5, default_retry_delay=60, acks_late=True)
def invoice_email(self, invoice_id: int):
    from .delivery import invoice_email_send

    try:
        return invoice_email_send(invoice_id)
    except OSError as exc:  # the mail server is unreachable: try again later
        raise self.retry(exc=exc) from exc


@shared_task
def write_accounting_exports() -> int:
    """After each night audit: the export of every day audited since (celery beat, like the manager report)."""
    from .accounting import accounting_exports_write_due

    return len(accounting_exports_write_due())
