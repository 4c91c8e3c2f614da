"""The inbound entry point: a channel's reservation message, read with its profile, booked, changed or
cancelled."""

from ..models import Channel
from .book import channel_booking_create
from .change import channel_booking_cancel, channel_booking_modify
from .common import InboundResult
from .message import BOOK, MODIFY, ResNotification
from .profiles import profile_of


def channel_reservation_notify(*, channel: Channel, notification: ResNotification) -> InboundResult:
    """Book, modify or cancel the reservation a channel sent, through the booking services.

    The channel's reservation id is the key: booking the same id twice answers the reservation already made;
    cancelling twice answers the cancelled reservation; the same modification twice is applied once.
    """
    profile = profile_of(channel)
    if notification.action == BOOK:
        return channel_booking_create(channel=channel, profile=profile, n=notification)
    if notification.action == MODIFY:
        return channel_booking_modify(channel=channel, profile=profile, n=notification)
    return channel_booking_cancel(channel=channel, profile=profile, n=notification)
