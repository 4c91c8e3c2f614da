"""The stay as a calendar event (.ics, RFC 5545) attached to the guest's confirmation, change and cancellation
emails, so the stay lands in their calendar and moves or disappears with the booking.

One event per booking (the lead reservation's confirmation number is its UID), from check-in to check-out at
the hotel's times in its zone (as UTC instants, which every calendar reads alike); a change sends the same UID
with a higher SEQUENCE, a cancellation METHOD:CANCEL.
"""

from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event

from pricing.cancellation import check_in_instant

from .models import Reservation

FILENAME = "stay.ics"
MIMETYPE = "text/calendar"


def stay_calendar(reservation: Reservation, *, manage_url: str, cancelled: bool = False) -> bytes:
    hotel = reservation.hotel
    calendar = Calendar()
    calendar.add("prodid", "-//Hotel Booking//Guest stay//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"{reservation.confirmation_number}@{hotel.code.lower()}.hotelbooking")
    # Every email about the booking supersedes the one before: its SEQUENCE grows with the booking's history.
    event.add("sequence", reservation.status_changes.count())
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", check_in_instant(reservation.check_in, hotel.check_in_time, hotel.timezone).astimezone(UTC))
    event.add("dtend", check_in_instant(reservation.check_out, hotel.check_out_time, hotel.timezone).astimezone(UTC))
    event.add("summary", f"Stay at {hotel.name} ({reservation.confirmation_number})")
    event.add("location", hotel.address)
    lines = [f"Confirmation number: {reservation.confirmation_number}",
             f"Check-in from {hotel.check_in_time:%H:%M}, check-out by {hotel.check_out_time:%H:%M} (hotel time)."]
    if hotel.phone:
        lines.append(f"Hotel phone: {hotel.phone}")
    lines.append(f"Manage your booking: {manage_url}")
    event.add("description", "\n".join(lines))
    event.add("url", manage_url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a hotel stay does not make the guest busy all day
    calendar.add_component(event)
    return calendar.to_ical()


