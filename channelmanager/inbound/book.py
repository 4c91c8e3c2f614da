"""A channel's new reservation: every RoomStay one room of one booking, all or nothing, never charged.

The channel's reservation id is claimed first, in the booking's transaction: a retry (or two deliveries at the
same moment) answers the booking already made, which the unique (channel, external reference) constraint
guarantees. A channel whose profile accepts sold-out bookings gets them even with no room left: the rooms
are booked short (inventory_reserve(overbook=True)), flagged OVERBOOKED, and staff emailed after commit.
"""

from django.db import IntegrityError, transaction

from bookings.models import Channel as BookingChannel
from bookings.models import Reservation
from bookings.payments import default_gateway
from bookings.services import BookingRequest, GuestDetails, RoomRequest, booking_create
from hotelbooking.errors import UnsupportedMessage

from ..models import Channel, ChannelProfile, ChannelReservation
from .alerts import overbooking_alert
from .common import InboundResult, actor, claim_get, mapped, placeholder_email
from .details import details_apply, extras_of, staff_notes
from .message import BOOK, ResNotification


def _request(channel: Channel, profile: ChannelProfile, n: ResNotification) -> tuple[BookingRequest, str]:
    stays = list(n.stays)
    codes = [mapped(channel, s, room=i if len(stays) > 1 else None) for i, s in enumerate(stays, start=1)]
    extras, unmapped = extras_of(channel, n, stays)
    guest = n.guest
    common = dict(
        hotel_code=channel.hotel.code, check_in=stays[0].check_in, check_out=stays[0].check_out,
        rate_plan_code=codes[0][1].code,
        guest=GuestDetails(guest.first_name, guest.last_name, guest.email or placeholder_email(
            channel, n.external_reference), phone=guest.phone, loyalty_number=guest.loyalty_number),
        card=None, special_requests=n.special_requests, arrival_time=n.arrival_time, channel=BookingChannel.OTA,
        source=channel.code, collect_payment=False, guest_emails=profile.send_guest_emails,
        overbook=profile.accept_sold_out)
    if len(stays) == 1:
        s = stays[0]
        return BookingRequest(room_type_code=codes[0][0].code, adults=s.party.adults, children=s.party.children,
                              child_ages=list(s.party.child_ages), room_count=s.units, extras=tuple(extras[0]),
                              **common), staff_notes(n, unmapped)
    if len({(s.check_in, s.check_out) for s in stays}) > 1 or len({plan.pk for _, plan in codes}) > 1:
        raise UnsupportedMessage("The rooms of one reservation must share their dates and rate plan: send rooms "
                                 "with other dates or rate plans as reservations of their own.")
    rooms = tuple(RoomRequest(room_type_code=room_type.code, adults=s.party.adults, children=s.party.children,
                              child_ages=list(s.party.child_ages), extras=extras[i])
                  for i, (s, (room_type, _)) in enumerate(zip(stays, codes, strict=True)))
    return BookingRequest(room_type_code=rooms[0].room_type_code, rooms=rooms, **common), staff_notes(n, unmapped)


def channel_booking_create(*, channel: Channel, profile: ChannelProfile, n: ResNotification) -> InboundResult:
    existing = claim_get(channel, n.external_reference)
    if existing is not None and existing.reservation_id:
        return InboundResult(BOOK, n.external_reference, existing.reservation, replayed=True)
    request, notes = _request(channel, profile, n)
    try:
        with transaction.atomic():
            # Claim the reference first: a concurrent delivery of the same booking waits here, then fails.
            claim = ChannelReservation.objects.create(
                channel=channel, external_reference=n.external_reference, last_status=BOOK,
                channel_total=n.total, channel_currency=n.currency, room_indexes=[s.index for s in n.stays],
                last_digest=n.fingerprint())
            lead = booking_create(request=request, gateway=default_gateway(), actor=actor(channel))
            rooms = lead.booking_rooms()
            details_apply(rooms=rooms, stays=list(n.stays), n=n, notes=notes)
            claim.reservation = lead
            claim.save(update_fields=["reservation", "updated_at"])
            short = list(Reservation.objects.filter(pk__in=[r.pk for r in rooms]).exclude(overbooked_nights=[])
                         .values_list("pk", flat=True))
            if short:
                to = profile.alert_email or channel.hotel.email
                transaction.on_commit(lambda: overbooking_alert(
                    channel=channel, reference=n.external_reference, reservation_ids=short, to=to))
    except IntegrityError:
        existing = claim_get(channel, n.external_reference)
        if existing is None or existing.reservation_id is None:
            raise
        return InboundResult(BOOK, n.external_reference, existing.reservation, replayed=True)
    return InboundResult(BOOK, n.external_reference, Reservation.objects.with_details().get(pk=lead.pk))
