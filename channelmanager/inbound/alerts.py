"""Staff hear at once when a channel sells a room we no longer had: an email after the booking commits."""

import logging

from django.core.mail import send_mail

from bookings.models import Reservation

from ..models import Channel

logger = logging.getLogger(__name__)


def overbooking_alert(*, channel: Channel, reference: str, reservation_ids: list[int], to: str) -> None:
    """Email `to` (the profile's alert address or the hotel's) which rooms and nights are overbooked."""
    rooms = list(Reservation.objects.select_related("room_type").filter(pk__in=reservation_ids)
                 .exclude(overbooked_nights=[]).order_by("id"))
    if not rooms or not to:
        if rooms:
            logger.error("Channel %s booking %s is overbooked and nobody is set to be told", channel, reference)
        return
    lines = [f"{r.confirmation_number}: {r.room_type.name}, {r.guest_full_name}, nights with no room left: "
             f"{', '.join(r.overbooked_nights)}" for r in rooms]
    send_mail(subject=f"OVERBOOKED: {channel.name} booking {reference} at {channel.hotel.name}",
              message=(f"{channel.name} sold a booking we had no room for. It is accepted (the channel has sold "
                       "it) and flagged OVERBOOKED: free a room, move the guest or call the channel.\n\n"
                       + "\n".join(lines)),
              from_email=None, recipient_list=[to], fail_silently=False)
