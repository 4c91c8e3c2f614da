"""A channel's modification or cancellation of a reservation it sent, through the booking services.

A modification is a full overlay (OpenTravel's and Expedia's rule): each RoomStay is matched to a room of the
booking by its IndexNumber (or its place), and changes that room's dates, room type, rate plan and party; a
RoomStay marked cancelled, or a room the message no longer lists, is cancelled alone; a RoomStay with an index the
booking has no room for is a room added to it (bookings.services.booking_room_add: the booking's dates and rate
plan, inventory held or, per the profile, OVERBOOKED); the guest's details, requests, notes and the channel's
amounts are rewritten and compared with ours. All of it in one transaction, or nothing.
A cancellation cancels the whole booking, or, when it lists RoomStays, those rooms only.
The same message twice is answered as the first was, without applying it again (ChannelReservation.last_digest).
"""

from dataclasses import replace

from django.db import transaction
from django.utils import timezone

from bookings.cancellations import reservation_cancel, room_cancel
from bookings.models import Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import default_gateway
from bookings.services import RoomRequest, booking_room_add, reservation_lock
from hotelbooking.errors import ModificationNotAllowed

from ..models import Channel, ChannelProfile, ChannelReservation
from .alerts import overbooking_alert
from .common import InboundResult, actor, booked, mapped, placeholder_email
from .details import details_apply, extras_of, guest_apply, overbooked_refresh, staff_notes
from .message import CANCEL, MODIFY, ResNotification, Stay

_LIVE = (Status.PENDING, Status.CONFIRMED)


def _positions(claim: ChannelReservation, rooms: list[Reservation], n: ResNotification) -> dict[str, int]:
    """{RoomStay index: the room's place in the booking (1 is the lead)}."""
    indexes = list(claim.room_indexes or [])
    if len(indexes) != len(rooms):
        indexes = [str(i) for i in range(1, len(rooms) + 1)]
    return {index: position for position, index in enumerate(indexes, start=1)}


def channel_booking_modify(*, channel: Channel, profile: ChannelProfile, n: ResNotification) -> InboundResult:
    claim = booked(channel, n.external_reference)
    lead = claim.reservation
    if claim.last_digest == n.fingerprint():
        return InboundResult(MODIFY, n.external_reference, lead, replayed=True)
    rooms = lead.booking_rooms()
    where = _positions(claim, rooms, n)
    if len(rooms) == 1 and len(n.stays) == 1 and n.room_count != lead.room_count:
        raise ModificationNotAllowed("The number of rooms of a booking cannot change: cancel it and book again.",
                                     field="NumberOfUnits")
    live_stays = [s for s in n.stays if not s.cancelled]
    added: list[Stay] = []
    if len(rooms) == 1 and len(n.stays) == 1:
        pairs = [(lead, n.stays[0])]
    else:
        unknown = [s.index for s in n.stays if s.index not in where and s.cancelled]
        if unknown:
            raise ModificationNotAllowed(f"RoomStay {unknown[0]} is cancelled but is not a room of this booking.",
                                         field="RoomStay")
        pairs = [(rooms[where[s.index] - 1], s) for s in live_stays if s.index in where]
        added = [s for s in live_stays if s.index not in where]
    if not pairs and not added:  # every room cancelled or left out: the booking is cancelled
        return channel_booking_cancel(channel=channel, profile=profile, n=replace(n, action=CANCEL, stays=()))
    if not pairs:
        raise ModificationNotAllowed("A modification cannot replace every room of a booking: cancel it and book "
                                     "again.", field="RoomStay")
    kept = {room.pk for room, _ in pairs}
    extras, unmapped = extras_of(channel, n, [s for _, s in pairs] + added)
    with transaction.atomic():
        # Every room locked first, the lead then the others by id: the order booking-wide changes take theirs, so
        # a message that lists room 2 before room 1 never deadlocks with a desk or guest change of the booking.
        for room in sorted(rooms, key=lambda r: (r.pk != lead.pk, r.pk)):
            reservation_lock(room.pk)
        for position, room in enumerate(rooms, start=1):
            if room.pk not in kept and room.status in _LIVE and len(rooms) > 1:
                room_cancel(confirmation_number=lead.confirmation_number, room=position,
                            reason=f"Room cancelled through {channel.name}", gateway=default_gateway(),
                            hotels=[channel.hotel], actor=actor(channel))
        for i, (room, stay) in enumerate(pairs):
            room_type, rate_plan = mapped(channel, stay, room=(rooms.index(room) + 1) if len(rooms) > 1 else None)
            party = stay.party
            request = ModificationRequest(
                check_in=stay.check_in, check_out=stay.check_out, adults=party.adults, children=party.children,
                child_ages=list(party.child_ages) or None, room_type_code=room_type.code,
                rate_plan_code=rate_plan.code, extras=extras[i] if n.services else None,
                overbook=profile.accept_sold_out)
            reservation_modify(confirmation_number=room.confirmation_number, request=request,
                               gateway=default_gateway(), hotels=[channel.hotel], actor=actor(channel),
                               collect_payment=False)
        fresh = [Reservation.objects.with_details().get(pk=room.pk) for room, _ in pairs]
        gained = overbooked_refresh(fresh)
        new_rooms = _rooms_add(channel, profile, lead, stays=added, extras=extras[len(pairs):] if n.services else None,
                               first_position=len(rooms) + 1)
        gained += [r.pk for r in new_rooms if r.overbooked_nights]
        fresh += new_rooms
        stays = [s for _, s in pairs] + added
        details_apply(rooms=fresh, stays=stays, n=n, notes=staff_notes(n, unmapped))
        if gained:
            to = profile.alert_email or channel.hotel.email
            transaction.on_commit(lambda: overbooking_alert(channel=channel, reference=n.external_reference,
                                                            reservation_ids=gained, to=to))
        guest_apply(rooms=fresh, stays=stays, n=n, email=n.guest.email or fresh[0].guest.email
                    or placeholder_email(channel, n.external_reference))
        indexes = list(where) + [s.index for s in added]
        ChannelReservation.objects.filter(pk=claim.pk).update(
            last_status=MODIFY, channel_total=n.total, channel_currency=n.currency, last_digest=n.fingerprint(),
            room_indexes=indexes, updated_at=timezone.now())
    return InboundResult(MODIFY, n.external_reference, Reservation.objects.with_details().get(pk=lead.pk))


def _rooms_add(channel: Channel, profile: ChannelProfile, lead: Reservation, *, stays: list[Stay], extras,
               first_position: int) -> list[Reservation]:
    """Inside the modification's transaction, after the booking's own rooms changed: each added RoomStay one more
    room, with the booking's (new) dates and rate plan, or MODIFICATION_NOT_ALLOWED."""
    out = []
    for i, stay in enumerate(stays):
        room_type, rate_plan = mapped(channel, stay, room=first_position + i)
        party = stay.party
        out.append(booking_room_add(
            confirmation_number=lead.confirmation_number, hotels=[channel.hotel], actor=actor(channel),
            room=RoomRequest(room_type.code, adults=party.adults, children=party.children,
                             child_ages=list(party.child_ages), extras=extras[i] if extras is not None else None),
            collect_payment=False, overbook=profile.accept_sold_out, check_in=stay.check_in,
            check_out=stay.check_out, rate_plan_code=rate_plan.code))
    return out


def channel_booking_cancel(*, channel: Channel, profile: ChannelProfile, n: ResNotification) -> InboundResult:
    claim = booked(channel, n.external_reference)
    lead = claim.reservation
    rooms = lead.booking_rooms()
    where = _positions(claim, rooms, n)
    listed = [where[s.index] for s in n.stays if s.index in where]
    whole = len(rooms) == 1 or not listed or set(listed) >= set(range(1, len(rooms) + 1))
    reason = f"Cancelled through {channel.name}"
    with transaction.atomic():
        if whole:
            if all(r.status not in _LIVE for r in rooms):
                return InboundResult(CANCEL, n.external_reference, lead, replayed=True)
            reservation_cancel(confirmation_number=lead.confirmation_number, reason=reason,
                               gateway=default_gateway(), hotels=[channel.hotel], actor=actor(channel))
        else:
            for position in sorted(set(listed)):
                if rooms[position - 1].status in _LIVE:
                    room_cancel(confirmation_number=lead.confirmation_number, room=position, reason=reason,
                                gateway=default_gateway(), hotels=[channel.hotel], actor=actor(channel))
        ChannelReservation.objects.filter(pk=claim.pk).update(last_status=CANCEL, last_digest=n.fingerprint(),
                                                              updated_at=timezone.now())
    return InboundResult(CANCEL, n.external_reference, Reservation.objects.with_details().get(pk=lead.pk))
