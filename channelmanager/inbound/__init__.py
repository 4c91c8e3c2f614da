"""Reservations channels send us (OpenTravel, bare or in SOAP 1.1): one module per concern.

message.py reads the message, envelope.py opens and makes SOAP envelopes, profiles.py holds what a channel's
profile says, book.py and change.py are the use cases, details.py what lands on the reservation beyond the
stay, alerts.py the staff's overbooking email. Other modules import the names below.
"""

from .common import InboundResult, placeholder_email
from .notify import channel_reservation_notify

__all__ = ["InboundResult", "channel_reservation_notify", "placeholder_email"]
