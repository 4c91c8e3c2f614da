"""Adding a room to a confirmed booking: one more companion reservation, numbered <number>-<n> (decision 9).

The rules kept here:
- The rooms of one booking share their dates and rate plan: the new room takes the dates and rate plan of the
  booking's CONFIRMED rooms (MODIFICATION_NOT_ALLOWED if those differ among themselves, or from the ones the
  caller expects). Its room type, party and extras are its own.
- It is priced as a booking of that room made now would be (today's rates of the booking's plan, the booking's
  promotion if it has one), with its own nights, tax, fee and extra lines and the cancellation policy in force.
- Everything happens in one transaction holding the booking's rooms (the lead locked first, then the others by
  id, the order every booking-wide change takes): the reservation, its nights and extras, its inventory (SOLD_OUT
  naming the short night, or, with `overbook`, held short and listed in overbooked_nights), its confirmation and
  its ReservationConfirmed event; or nothing.
- It moves no money: for bookings whose money a channel collects (`collect_payment=False`) or that are settled
  at the hotel. A booking paid through us when it was made is MODIFICATION_NOT_ALLOWED: the room is booked on its
  own, with its own payment.
"""

import uuid
from datetime import date

from django.db import transaction
from django.utils.translation import gettext

from hotelbooking.errors import DomainError, InvalidParty, ModificationNotAllowed
from inventory.services import inventory_reserve
from pricing.guarantee import terms_at_hotel, terms_for_quote
from pricing.search import MAX_ROOMS, hotel_today, rooms_limit_message

from .. import events
from ..models import Reservation, Status
from .create import BookingRequest, GuestDetails, _reservation_create_pending
from .lifecycle import reservation_save, transition
from .quote import RoomRequest, booking_quote, child_ages_validate, room_named
from .reading import reservation_get, reservation_lock

_SETTLED_AT_HOTEL = ("CARD_GUARANTEE", "PAY_AT_HOTEL")


def _rooms_lock(lead_pk: int) -> list[Reservation]:
    """The booking's rooms locked, the lead first, then the others by id (every booking-wide change's order)."""
    rooms = [reservation_lock(lead_pk)]
    rooms += [reservation_lock(pk) for pk in
              Reservation.objects.filter(lead=lead_pk).order_by("id").values_list("pk", flat=True)]
    return [r for r in rooms if r is not None]


def booking_room_add(*, confirmation_number: str, room: RoomRequest, hotels=None, actor=None,
                     collect_payment: bool = True, overbook: bool = False, check_in: date | None = None,
                     check_out: date | None = None, rate_plan_code: str | None = None) -> Reservation:
    """Add `room` to the booking of `confirmation_number` (any of its rooms' numbers); returns the new room,
    CONFIRMED. `check_in`, `check_out` and `rate_plan_code`, when given, are what the caller expects the booking
    to have: MODIFICATION_NOT_ALLOWED if it has other ones. Errors about the room name it (`room`, its place)."""
    found = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    with transaction.atomic():
        rooms = _rooms_lock(found.booking_lead.pk)
        lead = rooms[0]
        position = len(rooms) + 1
        live = [r for r in rooms if r.status == Status.CONFIRMED]
        if not live or any(r.status == Status.PENDING or r.status == Status.CHECKED_IN for r in rooms):
            raise ModificationNotAllowed(gettext("Rooms are added only to a confirmed booking that is not under "
                                                 "way."), state=lead.status)
        if position > MAX_ROOMS:
            raise InvalidParty(rooms_limit_message(), field="rooms")
        shared = {(r.check_in, r.check_out, r.rate_plan.code) for r in live}
        if len(shared) > 1:
            raise ModificationNotAllowed(gettext("The rooms of this booking have different dates or rate plans: "
                                                 "book the room on its own."), field="rooms")
        (stay_in, stay_out, plan_code), = shared
        expected = (check_in or stay_in, check_out or stay_out, (rate_plan_code or plan_code).upper())
        if expected != (stay_in, stay_out, plan_code.upper()):
            raise ModificationNotAllowed(gettext("A room added to a booking has the booking's dates and rate plan "
                                                 "(%(check_in)s to %(check_out)s, %(plan)s).")
                                         % {"check_in": stay_in, "check_out": stay_out, "plan": plan_code},
                                         field="rooms", room=position)
        settled_at_hotel = (lead.payment_terms or {}).get("guarantee") in _SETTLED_AT_HOTEL
        if collect_payment and not settled_at_hotel:
            raise ModificationNotAllowed(gettext("This booking was paid when it was made: book the room on its "
                                                 "own, with its own payment."), field="rooms")
        hotel = lead.hotel
        try:
            quote = booking_quote(hotel=hotel, room_type_code=room.room_type_code, rate_plan_code=plan_code,
                                  check_in=stay_in, check_out=stay_out, adults=room.adults, children=room.children,
                                  promo_code=lead.promotion.code if lead.promotion else None,
                                  child_ages=room.child_ages, extras=room.extras or [])
            ages = child_ages_validate(quote.children, room.child_ages)
        except DomainError as exc:
            raise room_named(exc, position, position) from None
        terms = terms_for_quote(quote, booked_on=hotel_today(hotel))
        request = BookingRequest(
            hotel_code=hotel.code, room_type_code=quote.room_type.code, check_in=stay_in, check_out=stay_out,
            guest=GuestDetails(lead.guest_first_name or lead.guest.first_name,
                               lead.guest_last_name or lead.guest.last_name, lead.guest.email,
                               phone=lead.guest_phone, loyalty_number=lead.guest_loyalty_number),
            card=None, rate_plan_code=plan_code, special_requests=lead.special_requests,
            billing_address=lead.billing_address, arrival_time=lead.arrival_time, channel=lead.channel,
            source=lead.source, collect_payment=collect_payment, language=lead.language,
            guest_emails=lead.guest_emails, overbook=overbook)
        added = _reservation_create_pending(
            hotel=hotel, quote=quote, request=request, confirmation_number=f"TMP-{uuid.uuid4().hex}",
            child_ages=ages, actor=actor, terms=terms_at_hotel(terms) if settled_at_hotel else terms, lead=lead)
        try:
            short = inventory_reserve(room_type=quote.room_type, nights=[n.date for n in quote.nights],
                                      rooms=quote.rooms, holder=added.holder, enforce_restrictions=not overbook,
                                      check_out=quote.check_out, overbook=overbook)
        except DomainError as exc:
            raise room_named(exc, position, position) from None
        if short:
            added.overbooked_nights = [night.isoformat() for night in short]
        added.confirmation_number = f"{lead.confirmation_number}-{position}"
        transition(added, "confirm", by=actor, note=gettext("Room %(n)s added to booking %(number)s")
                   % {"n": position, "number": lead.confirmation_number})
        reservation_save(added)
        events.event_record(events.RESERVATION_CONFIRMED, reservation=added, payload={
            "guest_email": added.guest.email, "loyalty_number": added.guest.loyalty_number,
            "grand_total": str(added.grand_total), "currency": added.currency, "room_count": added.room_count,
            "booking": lead.confirmation_number, "booking_rooms": position, "room": position,
            "added_to_booking": True})
    return Reservation.objects.with_details().get(pk=added.pk)
