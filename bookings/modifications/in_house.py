"""Pricing and applying a change to a stay under way (CHECKED_IN): a room move, a new departure, a new party.

The same planner rules as a modification (plan.py), with what a stay under way adds:
- The arrival is fixed and the nights before the hotel's today are frozen: they keep their booked prices
  whatever changes (they have been slept, and posted by the night audit).
- A longer stay prices its added nights at today's rates of the reservation's rate plan, and meets the room
  type's length-of-stay and departure rules (the rate plan's minimum stay too), like a modification.
- A shorter stay is an early departure: it is a fact, not a request, so no restriction refuses it; the nights
  given up keep nothing (the early-departure fee, if the rate plan has one, is the desk's to post).
- A room type change (a room move) keeps the booked prices (`reprice=False`, an upgrade at no charge) or prices
  the nights from today on at the new type's current rates under the same rate plan (`reprice=True`).
- Money does not move here: the new totals become the reservation's, and the folio (posted night by night from
  them) carries the difference to check-out. No payment attempt, no gateway.

The plan is a ModificationPlan (same breakdown, same as_dict), so the desk shows it like any change.
"""

from datetime import date

from hotelbooking.errors import InvalidDates, InvalidParty, ModificationNotAllowed, RestrictionViolated
from hotelbooking.money import ZERO, round_money
from inventory.models import RoomType, nights_between
from inventory.services import stay_length_check
from pricing.engine import ChargeLine, nightly_totals_of
from pricing.models import Fee
from pricing.search import Stay, _parse_count, _parse_date

from .. import events
from ..models import Reservation, Status
from ..services import reservation_save
from .apply import _apply, modified_payload
from .plan import (
    DATE_EXTENSION,
    DATE_REDUCTION,
    OCCUPANCY_CHANGE,
    ROOM_CHANGE,
    ModificationPlan,
    _ensure_rooms_free,
    _quote,
    booked_price,
    night_groups,
    promotion_kept,
)


def ensure_in_house(reservation: Reservation) -> None:
    if reservation.status != Status.CHECKED_IN:
        state = reservation.get_status_display().lower()
        raise ModificationNotAllowed(
            f"Reservation {reservation.confirmation_number} is {state}: only a checked-in stay can be changed "
            "from the desk this way.", state=reservation.status)


def in_house_plan(*, reservation: Reservation, today: date, check_out=None, adults=None, children=None,
                  room_type: RoomType | None = None, reprice: bool = False) -> ModificationPlan:
    """Price the stay under way as changed (None keeps a value). Writes nothing.

    INVALID_DATES for a departure before today (or not after the arrival), INVALID_PARTY, RESTRICTED (an
    extension breaking a length-of-stay or departure rule), SOLD_OUT (no room of the type for a night the
    change takes).
    """
    ensure_in_house(reservation)
    new_out = reservation.check_out if check_out in (None, "") else _parse_date(check_out, "check_out")
    if new_out < today:
        raise InvalidDates(f"The departure cannot be before today ({today:%B %-d, %Y}).", field="check_out")
    if new_out <= reservation.check_in:
        raise InvalidDates("The departure must be after the arrival: the stay keeps at least one night.",
                           field="check_out")
    stay = Stay(reservation.check_in, new_out, _parse_count(adults, "adults", reservation.adults),
                _parse_count(children, "children", reservation.children))
    if stay.adults < reservation.room_count:
        raise InvalidParty("Every room needs at least one adult.", field="adults")
    if stay.children < 0:
        raise InvalidParty("Children cannot be negative.", field="children")
    room_type = room_type or reservation.room_type
    room_type_changed = room_type.pk != reservation.room_type_id
    rate_plan = reservation.rate_plan
    longer = new_out > reservation.check_out
    if longer:
        if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
            raise RestrictionViolated(f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.",
                                      restriction="MIN_STAY")
        stay_length_check(room_type=room_type, check_in=stay.check_in, check_out=stay.check_out,
                          booked_nights=reservation.nights_count)

    booked = list(reservation.nights.all())
    new_dates = nights_between(stay.check_in, stay.check_out)
    keep = {n.date: booked_price(n) for n in booked if n.date < today or not (room_type_changed and reprice)}
    keep = promotion_kept(keep, reservation.promotion, len(new_dates))
    quote = _quote(reservation, room_type=room_type, rate_plan=rate_plan, stay=stay, booked_prices=keep)
    _past_guests_kept(quote, reservation, stay, today)

    unchanged, added, removed = night_groups(booked, new_dates, quote, reservation.room_count)
    remaining = [d for d in new_dates if d >= today]
    _ensure_rooms_free(room_type, remaining if room_type_changed else added.nights, reservation.room_count)

    changes = []
    if room_type_changed:
        changes.append(ROOM_CHANGE)
    if longer:
        changes.append(DATE_EXTENSION)
    elif new_out < reservation.check_out:
        changes.append(DATE_REDUCTION)
    if (stay.adults, stay.children) != (reservation.adults, reservation.children):
        changes.append(OCCUPANCY_CHANGE)
    return ModificationPlan(
        reservation=reservation, quote=quote, changes=changes,
        original_check_in=reservation.check_in, original_check_out=reservation.check_out,
        original_room_type=reservation.room_type, original_rate_plan=rate_plan,
        unchanged=unchanged, added=added, removed=removed,
        previous_total=round_money(reservation.grand_total, quote.currency),
        new_total=round_money(quote.total, quote.currency),
        room_type_changed=room_type_changed, rate_plan_changed=False,
        policy_snapshot=reservation.cancellation_policy, paid=None, retained=ZERO,
        settled_at_hotel=True,  # nothing moves on the card now: the folio settles it at check-out
    )


def _past_guests_kept(quote, reservation: Reservation, stay: Stay, today: date) -> None:
    """A party change counts from today: per-guest fees of the nights already slept stay at the old party."""
    old, new = reservation.adults + reservation.children, stay.adults + stay.children
    nights = nights_between(stay.check_in, stay.check_out)
    past = sum(1 for d in nights if d < today)
    if old == new or not past:
        return
    per_guest = {f.name: f.amount for f in Fee.objects.filter(hotel=reservation.hotel,
                                                               kind=Fee.Kind.PER_GUEST_PER_NIGHT)}
    guest_nights = old * past + new * (len(nights) - past)
    quote.fee_lines = [
        ChargeLine(line.name, line.kind, round_money(per_guest[line.name] * guest_nights, quote.currency))
        if line.kind == Fee.Kind.PER_GUEST_PER_NIGHT and line.name in per_guest else line
        for line in quote.fee_lines]
    quote.nightly_totals = nightly_totals_of(quote)


def in_house_apply(reservation: Reservation, plan: ModificationPlan, *, actor, note: str) -> None:
    """Inside the caller's transaction holding the reservation (the inventory already moved by the caller):
    the stay, its nights and totals as planned, a line in its history and a ReservationModified event."""
    promotion = reservation.promotion
    _apply(reservation, plan)
    reservation.promotion = promotion  # a room move keeps the booking's promotion on its frozen nights
    reservation_save(reservation)
    reservation._record(Status.CHECKED_IN, by=actor, note=note)
    events.event_record(events.RESERVATION_MODIFIED, reservation=reservation,
                        payload=modified_payload(reservation, plan, charged=ZERO, refunded=ZERO, in_house=True))
