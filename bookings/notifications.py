"""Guest emails, sent by event handlers after commit (never inside a booking transaction)."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hotelbooking.locale import email_language

from . import guest_mail
from .calendar_invite import FILENAME, MIMETYPE, stay_calendar
from .guest_mail import guest_email_send
from .manage_links import manage_url
from .models import OutboxEvent, Payment, Reservation
from .payment_terms import reservation_payment_terms

logger = logging.getLogger(__name__)


def emailable(address: str) -> bool:
    """False for placeholder addresses (RFC 2606 .invalid) stored when a channel withholds the guest's email."""
    return bool(address) and not address.lower().endswith(".invalid")


def _send(reservation: Reservation, *, subject, template: str, kind: str, extra: dict | None = None) -> None:
    """`subject`: a lazy translation with %(hotel)s and %(number)s, written in the guest's language."""
    if not emailable(reservation.guest.email):
        return  # a channel withheld the address: the channel tells its guest
    charges = [p for p in reservation.payments.all()
               if p.kind == Payment.Kind.CHARGE and p.result == Payment.Result.SUCCEEDED]
    context = {"r": reservation, "hotel": reservation.hotel, "guest": reservation.guest,
               "nights": list(reservation.nights.all()),
               # Naive on purpose: the template's date filter would move an aware time into UTC.
               "free_until_local": timezone.make_naive(reservation.free_until, reservation.hotel.tz)
               if reservation.free_until else None,
               "payment": charges[0] if charges else None,
               "manage_url": manage_url(reservation),
               "payment_terms": reservation_payment_terms(reservation),
               **(extra or {})}
    with translation.override(email_language(reservation.language)):
        subject = str(subject) % {"hotel": reservation.hotel.name, "number": reservation.confirmation_number}
        text = render_to_string(f"bookings/email/{template}.txt", context)
        html = render_to_string(f"bookings/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[reservation.guest.email],
                                     reply_to=[reservation.hotel.email] if reservation.hotel.email else None)
    message.attach_alternative(html, "text/html")
    message.attach(FILENAME, stay_calendar(reservation, manage_url=context["manage_url"]), MIMETYPE)
    guest_email_send(message, kind=kind, reservation=reservation)


def send_confirmation(event: OutboxEvent) -> None:
    """ReservationConfirmed: the itinerary, price breakdown and cancellation terms, as text and HTML."""
    reservation = (Reservation.objects.with_details().prefetch_related("nights", "payments")
                   .filter(pk=event.reservation_id).first())
    if reservation is None:  # the reservation was deleted since: nobody to write to
        logger.warning("Event %s: reservation %s is gone; no confirmation sent", event.pk, event.reservation_id)
        return
    if reservation.lead_id:
        return  # another room of a multi-room booking: the lead's one email lists every room
    rooms = reservation.booking_rooms() if reservation.companions.exists() else [reservation]
    extra = {}
    if len(rooms) > 1:
        extra = {"booking_rooms": rooms, "booking_total": sum(r.grand_total for r in rooms),
                 "booking_paid": sum(p.amount for p in Payment.objects.filter(
                     reservation__in=rooms, kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED))}
    _send(reservation, template="confirmation", kind=guest_mail.CONFIRMATION, extra=extra,
          subject=_("Your reservation at %(hotel)s is confirmed: %(number)s"))
