"""Domain-event handlers (subscribed in InvoicingConfig.ready). Idempotent: an invoiced folio is closed."""

from bookings.models import OutboxEvent

from .services import departure_invoice


def invoice_departure(event: OutboxEvent) -> None:
    """GuestCheckedOut: each folio with charges gets its invoice (emailed after commit)."""
    if event.reservation_id is not None:
        departure_invoice(reservation_id=event.reservation_id)
