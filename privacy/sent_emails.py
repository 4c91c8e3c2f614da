"""The record of emails sent to guests (to, subject, when, kind), kept for the guest's data export."""

from .models import SentEmail


def sent_email_record(sender, *, kind, to, subject, sent_at, guest_id=None, reservation_id=None, **_) -> None:
    """Receiver of bookings.guest_mail.guest_email_sent."""
    SentEmail.objects.create(guest_id=guest_id, reservation_id=reservation_id, kind=kind[:30],
                             to=", ".join(to)[:500], subject=subject[:300], sent_at=sent_at)
