"""What the inbound use cases share: their result, the channel's claim on a reservation id, code lookups."""

import hashlib
import re
from dataclasses import dataclass

from bookings.models import Reservation
from hotelbooking.errors import ReservationNotFound, UnknownRatePlan, UnknownRoomType

from ..models import Channel, ChannelReservation
from .message import Stay
from .profiles import rate_plan_for, room_type_for


@dataclass(frozen=True)
class InboundResult:
    action: str
    external_reference: str
    reservation: Reservation  # the booking's lead room
    replayed: bool = False


def actor(channel: Channel) -> str:
    return f"channel:{channel.code}"


def claim_get(channel: Channel, reference: str) -> ChannelReservation | None:
    return (ChannelReservation.objects.select_related("reservation__hotel")
            .filter(channel=channel, external_reference=reference).first())


def booked(channel: Channel, reference: str) -> ChannelReservation:
    claim = claim_get(channel, reference)
    if claim is None or claim.reservation_id is None:
        raise ReservationNotFound(f"No reservation {reference} from {channel.name}.")
    return claim


def mapped(channel: Channel, stay: Stay, *, room: int | None = None):
    """(room type, rate plan) of a RoomStay's codes; UNKNOWN_ROOM_TYPE / UNKNOWN_RATE_PLAN naming the room."""
    where = f"Room {room}: " if room else ""
    room_type = room_type_for(channel, stay.room_type_code)
    if room_type is None:
        raise UnknownRoomType(f"{where}Room type {stay.room_type_code} is not mapped for {channel.name}.",
                              room_type=stay.room_type_code)
    rate_plan = rate_plan_for(channel, stay.rate_plan_code)
    if rate_plan is None:
        raise UnknownRatePlan(f"{where}Rate plan {stay.rate_plan_code} is not mapped for {channel.name}.",
                              rate_plan=stay.rate_plan_code)
    return room_type, rate_plan


def placeholder_email(channel: Channel, reference: str) -> str:
    """The address of a guest whose channel withheld theirs: unique per channel and reservation id, so guests
    of different bookings (also on two channels using the same ids) never share a guest record."""
    digest = hashlib.sha256(f"{channel.pk}:{reference}".encode()).hexdigest()[:12]
    readable = re.sub(r"[^A-Za-z0-9._-]", "-", f"{channel.code}-{reference}")[:60].lower()
    return f"{readable}-{digest}@channel-guest.invalid"
