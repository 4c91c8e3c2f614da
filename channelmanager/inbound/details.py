"""What a channel's message says beyond the stay, put where a clerk looks: on each room's Reservation.

The booking service makes the rooms (stay, party, price); this adds the infants, the other guests and the
booker, staff notes, the guarantee and the channel's amounts beside ours, with a flag when they differ.
"""

from decimal import Decimal

from bookings.models import Guest, Reservation
from hotelbooking.money import round_money
from inventory.models import InventoryHold, nights_between

from ..models import Channel
from .message import ResNotification, Stay


def extras_of(channel: Channel, n: ResNotification, stays: list[Stay]) -> tuple[list[list[dict]], list[str]]:
    """Each room's extras from the channel's services ([{"code", "quantity"}] per stay), and the services no
    extra maps to (for the staff notes). A service no RoomStay names goes with the first room."""
    from .profiles import extras_for

    if not n.services:
        return [[] for _ in stays], []
    found = extras_for(channel, {s.code for s in n.services})
    per_room: list[list[dict]] = [[] for _ in stays]
    unmapped = []
    for service in n.services:
        extra = found.get(service.code)
        if extra is None or not extra.is_active:
            unmapped.append(f"{service.code} x {service.quantity}")
            continue
        at = next((i for i, s in enumerate(stays) if service.rph and service.rph in s.service_rphs), 0)
        if not any(e["code"] == extra.code for e in per_room[at]):
            per_room[at].append({"code": extra.code, "quantity": min(service.quantity, extra.max_quantity)})
    return per_room, unmapped


def staff_notes(n: ResNotification, unmapped: list[str]) -> str:
    parts = [n.internal_notes]
    if unmapped:
        parts.append("Services from the channel with no extra mapped (in the channel's total): "
                     + ", ".join(unmapped))
    return "\n".join(p for p in parts if p)


def differs(ours: Decimal, our_currency: str, theirs: Decimal | None, their_currency: str) -> bool:
    """The channel's amount is not our price: another currency, or another amount to the cent."""
    if theirs is None:
        return False
    if their_currency and their_currency != our_currency:
        return True
    return round_money(theirs, our_currency) != round_money(ours, our_currency)


def details_apply(*, rooms: list[Reservation], stays: list[Stay], n: ResNotification, notes: str) -> None:
    """Inside the booking's transaction: each room's infants, the channel's amounts (and whether they differ
    from ours), staff notes; the lead's other guests, booker and guarantee. `stays[i]` is room i's RoomStay."""
    per_room_totals = len(stays) == len(rooms) and all(s.total is not None for s in stays)
    booking_total = sum((r.grand_total for r in rooms), Decimal("0"))
    for position, (room, stay) in enumerate(zip(rooms, stays, strict=False), start=1):
        lead = position == 1
        fields = {"infants": stay.party.infants, "infant_ages": list(stay.party.infant_ages),
                  "internal_notes": notes}
        if per_room_totals and len(rooms) > 1:
            theirs, currency, ours = stay.total, stay.currency or n.currency, room.grand_total
        elif lead:
            theirs, currency, ours = n.total, n.currency, booking_total
        else:
            theirs, currency, ours = None, "", room.grand_total
        fields.update(channel_total=theirs, channel_currency=currency if theirs is not None else "",
                      channel_price_differs=differs(ours, room.currency, theirs, currency))
        if lead:
            fields.update(other_guests=[p.as_dict() for p in n.other_guests],
                          booker=n.booker.as_dict() if n.booker else {})
            if n.guarantee:  # a modification that restates no guarantee keeps the booked one
                fields["guarantee"] = dict(n.guarantee)
        if n.arrival_time is not None:
            fields["arrival_time"] = n.arrival_time
        occupant = _occupant(n, stay)
        if occupant is not None and not lead:  # the lead room is the lead guest's
            fields.update(guest_first_name=occupant.first_name, guest_last_name=occupant.last_name,
                          guest_phone=occupant.phone or room.guest_phone)
        Reservation.objects.filter(pk=room.pk).update(**fields)


def _occupant(n: ResNotification, stay: Stay):
    """The first guest the RoomStay names (ResGuestRPHs), if the message names one."""
    by_rph = dict(n.guests_by_rph)
    return next((by_rph[rph] for rph in stay.guest_rphs if rph in by_rph), None)


def guest_apply(*, rooms: list[Reservation], stays: list[Stay], n: ResNotification, email: str) -> None:
    """A modification's guest details: the name, phone and loyalty number as booked on every room; a new email
    moves the booking to that guest's profile (made if new), as a booking with that email would have."""
    person = n.guest
    fields = {"guest_first_name": person.first_name, "guest_last_name": person.last_name,
              "guest_phone": person.phone, "guest_loyalty_number": person.loyalty_number}
    if email.lower() != rooms[0].guest.email.lower():
        guest = Guest.objects.filter(email__iexact=email).first() or Guest.objects.create(
            first_name=person.first_name, last_name=person.last_name, email=email, phone=person.phone,
            loyalty_number=person.loyalty_number)
        fields["guest"] = guest
    named = {r.pk for r, s in zip(rooms, stays, strict=False) if _occupant(n, s) is not None} - {rooms[0].pk}
    if "guest" in fields:
        Reservation.objects.filter(pk__in=[r.pk for r in rooms]).update(guest=fields.pop("guest"))
    Reservation.objects.filter(pk__in=[r.pk for r in rooms if r.pk not in named]).update(**fields)
    if n.special_requests:
        Reservation.objects.filter(pk__in=[r.pk for r in rooms]).update(special_requests=n.special_requests)


def overbooked_refresh(rooms: list[Reservation]) -> list[int]:
    """Each room's OVERBOOKED nights as they are now (a change may have moved off or onto them): the nights of
    its stay it holds fewer rooms on than it has. Returns the rooms that gained an overbooked night."""
    gained = []
    for room in rooms:
        held = dict(InventoryHold.objects.filter(holder=room.holder, room_type_id=room.room_type_id)
                    .values_list("date", "rooms"))
        short = [n.isoformat() for n in nights_between(room.check_in, room.check_out)
                 if held.get(n, 0) < room.room_count]
        if short != list(room.overbooked_nights or []):
            if set(short) - set(room.overbooked_nights or []):
                gained.append(room.pk)
            Reservation.objects.filter(pk=room.pk).update(overbooked_nights=short)
    return gained
