"""Inventory use cases: open nights, reserve and release rooms (decision 1 of ARCHITECTURE.md)."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F

from hotelbooking.errors import RestrictionViolated, SoldOut

from .models import Hotel, InventoryDay, InventoryHold, Room, RoomType, nights_between


@transaction.atomic
def inventory_open(*, hotel: Hotel, start: date, end: date) -> int:
    """Create missing nights [start, end] for every room type, sized by its physical rooms.

    Existing nights keep what they have sold; their total follows the physical room count.
    Returns the number of nights created.
    """
    counts = dict(
        Room.objects.filter(hotel=hotel).values("room_type").annotate(n=Count("id")).values_list("room_type", "n")
    )
    room_types = list(RoomType.objects.filter(hotel=hotel))
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    existing = set(
        InventoryDay.objects.filter(room_type__hotel=hotel, date__range=(start, end)).values_list("room_type", "date")
    )
    to_create = [
        InventoryDay(room_type=rt, date=d, total=counts.get(rt.id, 0))
        for rt in room_types for d in days if (rt.id, d) not in existing
    ]
    InventoryDay.objects.bulk_create(to_create, batch_size=1000)
    for rt in room_types:
        # Never shrink below what is sold: the CHECK constraint would refuse, and rightly.
        InventoryDay.objects.filter(room_type=rt, date__range=(start, end), sold__lte=counts.get(rt.id, 0)
                                    - F("out_of_order")).update(total=counts.get(rt.id, 0))
    return len(to_create)


@dataclass(frozen=True)
class Availability:
    room_type_id: int
    available: int
    constraining_date: date | None
    # STOP_SELL, MIN_STAY, MAX_STAY, MIN_ADVANCE, MAX_ADVANCE, CLOSED_TO_ARRIVAL, CLOSED_TO_DEPARTURE, NO_INVENTORY
    restriction: str | None = None
    message: str = ""

    @property
    def bookable(self) -> bool:
        return self.available > 0 and self.restriction is None


@dataclass(frozen=True)
class StayRules:
    """The hotel's part of a stay check: its date today (lead times count from it) and whether the minimum and
    maximum length of stay of every night count, or only the arrival night's (Hotel.stay_length_rule)."""

    today: date
    every_night: bool = False

    @classmethod
    def of(cls, hotel: Hotel) -> "StayRules":
        return cls(today=hotel.today(), every_night=hotel.counts_every_night)


def _evaluate(room_type_id: int, days: dict[date, InventoryDay], check_in: date, check_out: date,
              rules: StayRules) -> Availability:
    nights = nights_between(check_in, check_out)
    fewest, constraining = None, None
    for night in nights:
        day = days.get(night)
        if day is None:
            return Availability(room_type_id, 0, night, "NO_INVENTORY", f"No inventory is open for {night}.")
        free = 0 if day.stop_sell else day.free
        if fewest is None or free < fewest:
            fewest, constraining = free, night
    arrival = days[check_in]
    if arrival.closed_to_arrival:
        return Availability(room_type_id, fewest, check_in, "CLOSED_TO_ARRIVAL",
                            f"Arrivals are closed on {check_in}.")
    lead = (check_in - rules.today).days
    if arrival.min_advance_days is not None and lead < arrival.min_advance_days:
        return Availability(room_type_id, fewest, check_in, "MIN_ADVANCE", f"Stays arriving on {check_in} must "
                            f"be booked at least {arrival.min_advance_days} days ahead.")
    if arrival.max_advance_days is not None and lead > arrival.max_advance_days:
        return Availability(room_type_id, fewest, check_in, "MAX_ADVANCE", f"Stays arriving on {check_in} can "
                            f"be booked at most {arrival.max_advance_days} days ahead.")
    refusal = _length_and_departure(room_type_id, fewest, days, nights, check_out, rules)
    if refusal is not None:
        return refusal
    stop = next((n for n in nights if days[n].stop_sell), None)
    if stop is not None:
        return Availability(room_type_id, 0, stop, "STOP_SELL", f"This room type is not sold on {stop}.")
    return Availability(room_type_id, fewest, constraining)


def _length_and_departure(room_type_id: int, fewest, days: dict[date, InventoryDay], nights: list[date],
                          check_out: date, rules: StayRules) -> Availability | None:
    """The minimum and maximum stay (the arrival night's, or every night's) and closed-to-departure."""
    check_in = nights[0]
    for night in nights if rules.every_night else nights[:1]:
        day = days[night]
        if day.min_stay and len(nights) < day.min_stay:
            return Availability(room_type_id, fewest, night, "MIN_STAY",
                                f"{_stays_meeting(night, check_in)} must be at least {day.min_stay} nights.")
        if day.max_stay and len(nights) > day.max_stay:
            return Availability(room_type_id, fewest, night, "MAX_STAY",
                                f"{_stays_meeting(night, check_in)} can be at most {day.max_stay} nights.")
    departure = days.get(check_out)
    if departure is not None and departure.closed_to_departure:
        return Availability(room_type_id, fewest, check_out, "CLOSED_TO_DEPARTURE",
                            f"Departures are closed on {check_out}.")
    return None


def stay_length_check(*, room_type: RoomType, check_in: date, check_out: date, booked_nights: int) -> None:
    """RESTRICTED if changing a stay of `booked_nights` to these dates breaks the room type's length-of-stay or
    departure rules (a plain read).

    For a stay whose arrival is already agreed (an extension or a shortening): arrival rules (closed to
    arrival, lead times) judged the booking when it was made; its new departure day is judged now, and so is
    its length, in the direction it moves: a longer stay must not pass the maximum, a shorter one must not fall
    below the minimum (a minimum set since the booking does not stop a guest staying longer).
    """
    nights = nights_between(check_in, check_out)
    days = {d.date: d for d in InventoryDay.objects.filter(room_type=room_type, date__gte=check_in,
                                                           date__lte=check_out)}
    if any(n not in days for n in nights):
        return  # no inventory open: the rooms check refuses it as sold out
    verdict = _length_and_departure(room_type.pk, None, days, nights, check_out, StayRules.of(room_type.hotel))
    if verdict is not None and {"MIN_STAY": len(nights) < booked_nights,
                                "MAX_STAY": len(nights) > booked_nights}.get(verdict.restriction, True):
        raise RestrictionViolated(verdict.message, restriction=verdict.restriction,
                                  date=str(verdict.constraining_date))


def _stays_meeting(night: date, check_in: date) -> str:
    return f"Stays arriving on {night}" if night == check_in else f"Stays that include the night of {night}"


def availability_for_room_types(room_type_ids, check_in: date, check_out: date, *,
                                hotel: Hotel) -> dict[int, Availability]:
    """Availability of several room types of `hotel` over one stay, in one query."""
    by_type: dict[int, dict[date, InventoryDay]] = {rt: {} for rt in room_type_ids}
    rows = InventoryDay.objects.filter(room_type_id__in=list(room_type_ids), date__gte=check_in, date__lte=check_out)
    for day in rows:
        by_type[day.room_type_id][day.date] = day
    rules = StayRules.of(hotel)
    return {rt: _evaluate(rt, days, check_in, check_out, rules) for rt, days in by_type.items()}


def availability_by_arrival(room_type_ids, arrivals: list[date], nights: int, *,
                            hotel: Hotel) -> dict[date, dict[int, Availability]]:
    """Availability of several room types of `hotel` for stays of `nights` nights arriving on each of `arrivals`
    (other dates for a sold-out search), the same rules as availability_for_room_types, in one query."""
    if not arrivals:
        return {}
    by_type: dict[int, dict[date, InventoryDay]] = {rt: {} for rt in room_type_ids}
    rows = InventoryDay.objects.filter(room_type_id__in=list(room_type_ids), date__gte=min(arrivals),
                                       date__lte=max(arrivals) + timedelta(days=nights))
    for day in rows:
        by_type[day.room_type_id][day.date] = day
    rules = StayRules.of(hotel)
    return {arrival: {rt: _evaluate(rt, days, arrival, arrival + timedelta(days=nights), rules)
                      for rt, days in by_type.items()} for arrival in arrivals}


def check_availability(room_type: RoomType, check_in: date, check_out: date) -> Availability:
    """The fewest rooms free on any night of the stay and the date that constrains it, restrictions honoured."""
    return availability_for_room_types([room_type.id], check_in, check_out, hotel=room_type.hotel)[room_type.id]


def _lock_nights(room_type_id: int, nights: list[date]) -> dict[date, InventoryDay]:
    # Rows are locked in date order so two stays that overlap can never deadlock.
    rows = (InventoryDay.objects.select_for_update()
            .filter(room_type_id=room_type_id, date__in=nights).order_by("date"))
    return {row.date: row for row in rows}


def inventory_reserve(*, room_type: RoomType, nights: list[date], rooms: int, holder: str,
                      enforce_restrictions: bool = False, check_out: date | None = None,
                      overbook: bool = False) -> list[date]:
    """Take `rooms` rooms on every night for `holder`, or raise SoldOut naming the first short night.

    Must run inside the caller's transaction. Nights the holder already holds are not taken twice.

    `overbook` is for a booking a channel has already sold (channelmanager): stop-sell and the sell limit are
    passed over, every room that physically exists is taken, and the nights where none was left are returned
    (held short) instead of refused. The CHECK constraint (sold <= total - out of order) still holds.
    """
    if not nights:
        return []
    if overbook:
        return _reserve_what_exists(room_type=room_type, nights=sorted(nights), rooms=rooms, holder=holder)
    nights = sorted(nights)
    locked = _lock_nights(room_type.id, nights)
    held = Counter({h.date: h.rooms for h in InventoryHold.objects.filter(holder=holder, room_type=room_type,
                                                                          date__in=nights)})
    if enforce_restrictions and check_out is not None:
        extra = InventoryDay.objects.filter(room_type=room_type, date=check_out).first()
        days = dict(locked)
        if extra:
            days[check_out] = extra
        verdict = _evaluate(room_type.id, days, nights[0], check_out, StayRules.of(room_type.hotel))
        if verdict.restriction and verdict.restriction != "STOP_SELL":
            raise RestrictionViolated(verdict.message, restriction=verdict.restriction,
                                      date=str(verdict.constraining_date))
    for night in nights:
        need = rooms - held[night]
        if need <= 0:
            continue
        day = locked.get(night)
        if day is None or day.stop_sell or day.free < need:
            free = 0 if day is None or day.stop_sell else day.free
            raise SoldOut(
                f"Sorry, {room_type.name} is sold out on {night:%B %-d, %Y} ({free} left). "
                "Please choose different dates or room type.",
                date=str(night), available=free,
            )
    to_hold = []
    for night in nights:
        need = rooms - held[night]
        if need <= 0:
            continue
        InventoryDay.objects.filter(pk=locked[night].pk).update(sold=F("sold") + need)
        to_hold.append((night, need))
    existing = {h.date: h for h in InventoryHold.objects.filter(holder=holder, room_type=room_type,
                                                                 date__in=[n for n, _ in to_hold])}
    for night, need in to_hold:
        if night in existing:
            InventoryHold.objects.filter(pk=existing[night].pk).update(rooms=F("rooms") + need)
        else:
            InventoryHold.objects.create(holder=holder, room_type=room_type, date=night, rooms=need)
    return []


def _reserve_what_exists(*, room_type: RoomType, nights: list[date], rooms: int, holder: str) -> list[date]:
    locked = _lock_nights(room_type.id, nights)
    held = Counter({h.date: h.rooms for h in InventoryHold.objects.filter(holder=holder, room_type=room_type,
                                                                          date__in=nights)})
    short = []
    for night in nights:
        need = rooms - held[night]
        if need <= 0:
            continue
        day = locked.get(night)
        take = 0 if day is None else max(0, min(need, day.total - day.out_of_order - day.sold))
        if take < need:
            short.append(night)
        if take:
            InventoryDay.objects.filter(pk=day.pk).update(sold=F("sold") + take)
            hold, created = InventoryHold.objects.get_or_create(holder=holder, room_type=room_type, date=night,
                                                                defaults={"rooms": take})
            if not created:
                InventoryHold.objects.filter(pk=hold.pk).update(rooms=F("rooms") + take)
    return short


def inventory_release(*, holder: str, nights: list[date] | None = None, room_type_id: int | None = None) -> int:
    """Give back what `holder` holds (all of it, or only `nights`). Releasing twice gives back nothing more.

    Returns the number of room-nights released.
    """
    holds = InventoryHold.objects.select_for_update().filter(holder=holder)
    if nights is not None:
        holds = holds.filter(date__in=list(nights))
    if room_type_id is not None:
        holds = holds.filter(room_type_id=room_type_id)
    holds = list(holds.order_by("room_type_id", "date"))
    if not holds:
        return 0
    for rt in sorted({h.room_type_id for h in holds}):
        _lock_nights(rt, [h.date for h in holds if h.room_type_id == rt])
    released = 0
    for hold in holds:
        InventoryDay.objects.filter(room_type_id=hold.room_type_id, date=hold.date).update(sold=F("sold") - hold.rooms)
        released += hold.rooms
    InventoryHold.objects.filter(pk__in=[h.pk for h in holds]).delete()
    return released


def held_nights(holder: str) -> list[date]:
    return sorted(InventoryHold.objects.filter(holder=holder).values_list("date", flat=True))
