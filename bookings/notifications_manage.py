"""Guest emails for a changed or cancelled booking, sent by outbox handlers after commit."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from hotelbooking.locale import email_language

from . import guest_mail
from .calendar_invite import FILENAME, MIMETYPE, stay_calendar
from .guest_mail import guest_email_send
from .manage_links import manage_url
from .models import OutboxEvent, Reservation
from .notifications import emailable


def _send(reservation: Reservation, *, subject, template: str, kind: str, event: OutboxEvent) -> None:
    """`subject`: a lazy translation with %(hotel)s and %(number)s, written in the guest's language."""
    if not emailable(reservation.guest.email):
        return  # a channel withheld the address: the channel tells its guest
    hotel = reservation.hotel
    context = {
        "r": reservation, "hotel": hotel, "guest": reservation.guest, "e": event.payload,
        "nights": list(reservation.nights.all()),
        "manage_url": manage_url(reservation),
        # Naive hotel wall-clock times: the template's date filter would otherwise convert them to UTC.
        "free_until_local": timezone.make_naive(reservation.free_until, hotel.tz) if reservation.free_until else None,
    }
    cancelled_at = parse_datetime(event.payload.get("cancelled_at") or "")
    if cancelled_at:
        context["cancelled_at_local"] = timezone.make_naive(cancelled_at, hotel.tz)
    with translation.override(email_language(reservation.language)):
        subject = str(subject) % {"hotel": hotel.name, "number": reservation.confirmation_number}
        text = render_to_string(f"bookings/email/{template}.txt", context)
        html = render_to_string(f"bookings/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[reservation.guest.email],
                                     reply_to=[hotel.email] if hotel.email else None)
    message.attach_alternative(html, "text/html")
    invite = stay_calendar(reservation, manage_url=context["manage_url"], cancelled=template == "cancelled")
    message.attach(FILENAME, invite, MIMETYPE)
    guest_email_send(message, kind=kind, reservation=reservation)


def send_modified(event: OutboxEvent) -> None:
    """ReservationModified: the new itinerary and what moved on the card."""
    reservation = Reservation.objects.with_details().get(pk=event.reservation_id)
    _send(reservation, template="modified", kind=guest_mail.MODIFIED, event=event,
          subject=_("Your reservation at %(hotel)s has been changed: %(number)s"))


def send_cancelled(event: OutboxEvent) -> None:
    """ReservationCancelled: the penalty kept and the refund."""
    reservation = Reservation.objects.with_details().get(pk=event.reservation_id)
    _send(reservation, template="cancelled", kind=guest_mail.CANCELLED, event=event,
          subject=_("Your reservation at %(hotel)s is cancelled: %(number)s"))
