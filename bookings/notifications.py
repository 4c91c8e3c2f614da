"""Guest emails, sent by event handlers after commit (never inside a booking transaction)."""

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutboxEvent, Reservation


def _send(reservation: Reservation, *, subject: str, template: str, extra: dict | None = None) -> None:
    context = {"r": reservation, "hotel": reservation.hotel, "guest": reservation.guest,
               "nights": list(reservation.nights.all()),
               "free_until_local": timezone.localtime(reservation.free_until, reservation.hotel.tz)
               if reservation.free_until else None,
               "payment": reservation.payments.filter(kind="CHARGE", result="SUCCEEDED").first(),
               **(extra or {})}
    text = render_to_string(f"bookings/email/{template}.txt", context)
    html = render_to_string(f"bookings/email/{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[reservation.guest.email],
                                     reply_to=[reservation.hotel.email] if reservation.hotel.email else None)
    message.attach_alternative(html, "text/html")
    message.send()


def send_confirmation(event: OutboxEvent) -> None:
    reservation = Reservation.objects.with_details().get(pk=event.reservation_id)
    _send(reservation, template="confirmation",
          subject=f"Your reservation at {reservation.hotel.name} is confirmed: {reservation.confirmation_number}")
