"""Every email to a guest leaves through `guest_email_send`, which tells `guest_email_sent` what was sent (to,
subject, kind, when): the privacy app keeps that record for the guest's data export. A signal, so that bookings
does not know who keeps the record; it works with any email backend (tests use locmem)."""

import logging

from django.core.mail import EmailMessage
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

# Sent after an email to a guest went out: kind, to, subject, sent_at, guest_id, reservation_id.
guest_email_sent = Signal()

CONFIRMATION, MODIFIED, CANCELLED, PAYMENT_LINK, DATA_REQUEST = (
    "CONFIRMATION", "MODIFIED", "CANCELLED", "PAYMENT_LINK", "DATA_REQUEST")
BOOKING_EMAILS = {CONFIRMATION, MODIFIED, CANCELLED}


def guest_email_send(message: EmailMessage, *, kind: str, reservation=None, guest=None) -> None:
    """Send `message`, then report it. A receiver that fails is logged, never a reason to send again.

    The booking's own emails (confirmation, change, cancellation) are not sent for a reservation whose
    `guest_emails` is off: a channel's guest hears from the channel."""
    if kind in BOOKING_EMAILS and reservation is not None and not getattr(reservation, "guest_emails", True):
        logger.info("No %s email for %s: the channel writes to its guest", kind, reservation)
        return
    message.send()
    guest = guest if guest is not None else getattr(reservation, "guest", None)
    results = guest_email_sent.send_robust(
        sender=guest_email_send, kind=kind, to=list(message.to), subject=str(message.subject),
        sent_at=timezone.now(), guest_id=getattr(guest, "pk", None), reservation_id=getattr(reservation, "pk", None))
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error("Recording the %s email to guest %s failed in %r", kind, getattr(guest, "pk", None),
                         receiver, exc_info=result)
