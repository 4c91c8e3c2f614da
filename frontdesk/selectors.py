"""Front-desk reads, each in a fixed number of queries whatever the number of rooms or lines."""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, Q

from bookings.models import Payment, Reservation, Status
from hotelbooking.errors import UnknownRoomType, ValidationFailed
from hotelbooking.money import ZERO, round_money
from inventory.models import Hotel, Room, RoomType
from pricing.search import hotel_today

from .desk_rows import desk_rows_annotate
from .folio import retained_posting
from .models import BillingParty, FolioLine, FolioLineMove, FolioRoute, HousekeepingTask, RoomAssignment, RoomOutOfOrder
from .models import Folio as FolioModel

# --- the folio -------------------------------------------------------------------------------------------


@dataclass
class FolioTotals:
    room: Decimal = ZERO
    taxes: Decimal = ZERO
    fees: Decimal = ZERO
    extras: Decimal = ZERO         # booked extras (breakfast, parking...), posted on their nights
    incidentals: Decimal = ZERO
    penalties: Decimal = ZERO
    corrections: Decimal = ZERO
    transfers: Decimal = ZERO
    charges: Decimal = ZERO        # everything above
    payments: Decimal = ZERO       # successful charges to the guest's card
    refunds: Decimal = ZERO        # successful refunds
    paid: Decimal = ZERO           # payments - refunds
    balance: Decimal = ZERO        # charges - paid: what the guest still owes (negative: a credit)


_TOTAL_OF_KIND = {"ROOM": "room", "TAX": "taxes", "FEE": "fees", "EXTRA": "extras", "PENALTY": "penalties",
                  "CORRECTION": "corrections", "TRANSFER": "transfers"}


@dataclass
class FolioBill:
    """One folio of the reservation (models.Folio) with its lines and totals. Payments are the guest's: they
    count on the guest's own folio (number 1) only; a company's or channel's folio is settled by its invoice,
    so its balance is what that party owes."""

    folio: FolioModel
    lines: list[FolioLine]
    payments: list[Payment]
    totals: FolioTotals


@dataclass
class Folio:
    """What the guest sees and owes: the lines of the guest's folios (kind GUEST) and every payment, with their
    totals; `folios` has each folio of the reservation beside (a company's, a channel's, ...)."""

    reservation: Reservation
    currency: str
    lines: list[FolioLine]
    payments: list[Payment]
    totals: FolioTotals = field(default_factory=FolioTotals)
    folios: list[FolioBill] = field(default_factory=list)
    routes: list[FolioRoute] = field(default_factory=list)      # which kinds of charges go to which folio
    moves: list[FolioLineMove] = field(default_factory=list)    # lines moved between folios, oldest first

    @property
    def spent(self) -> Decimal:
        """What the stay cost, whoever paid it (every folio; third-party transfers of old bookings not
        deducted)."""
        return sum((b.totals.charges - b.totals.transfers for b in self.folios), ZERO) \
            if self.folios else self.totals.charges - self.totals.transfers

    @property
    def billed_to_others(self) -> list[FolioBill]:
        return [b for b in self.folios if not b.folio.is_guests]


def bill_order(line: FolioLine):
    # Day by day; each night's room, taxes and fees first (whenever they were posted), then the rest as posted.
    return (line.business_date, line.kind not in ("ROOM", "TAX", "FEE"), line.posted_at, line.pk)


def _totals(lines: list[FolioLine], payments: list[Payment], currency: str) -> FolioTotals:
    totals = FolioTotals()
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        sums["incidentals" if line.is_incidental else _TOTAL_OF_KIND[line.kind]] += line.amount
        sums["charges"] += line.amount
    for p in payments:
        sums["payments" if p.kind == Payment.Kind.CHARGE else "refunds"] += p.amount
    for name in ("room", "taxes", "fees", "extras", "incidentals", "penalties", "corrections", "transfers", "charges",
                 "payments", "refunds"):
        setattr(totals, name, round_money(sums[name], currency))
    totals.paid = totals.payments - totals.refunds
    totals.balance = totals.charges - totals.paid
    return totals


def folio_get(reservation: Reservation) -> Folio:
    """The guest's lines and every successful payment with the derived totals, each folio with its own, the
    routes and the moves: five queries."""
    currency = reservation.currency
    lines = sorted(FolioLine.objects.filter(reservation=reservation).select_related("reversed_by", "posted_by"),
                   key=bill_order)
    payments = list(Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED)
                    .order_by("created_at", "id"))
    folios = list(FolioModel.objects.filter(reservation=reservation).select_related("billing_party")
                  .order_by("number"))
    if not folios or folios[0].number != FolioModel.GUEST_NUMBER:  # nothing posted yet: the guest's, to come
        folios.insert(0, FolioModel(reservation=reservation, number=FolioModel.GUEST_NUMBER,
                                    kind=FolioModel.Kind.GUEST))
    by_folio = defaultdict(list)
    for line in lines:
        by_folio[line.folio_id].append(line)
    bills = [FolioBill(folio=f, lines=by_folio[f.pk], payments=payments if f.number == f.GUEST_NUMBER else [],
                       totals=_totals(by_folio[f.pk], payments if f.number == f.GUEST_NUMBER else [], currency))
             for f in folios]
    others = {f.pk for f in folios if not f.is_guests}
    guest_lines = [line for line in lines if line.folio_id not in others]
    number = {f.pk: f.number for f in folios}
    order = {kind: i for i, kind in enumerate(FolioRoute.KINDS)}
    routes = sorted(FolioRoute.objects.filter(reservation=reservation), key=lambda r: order.get(r.kind, 99))
    for route in routes:
        route.folio_number = number.get(route.folio_id)
    moves = list(FolioLineMove.objects.filter(line__reservation=reservation).select_related("line", "moved_by")
                 .order_by("moved_at", "id"))
    for move in moves:
        move.from_number, move.to_number = number.get(move.from_folio_id), number.get(move.to_folio_id)
    return Folio(reservation=reservation, currency=currency, lines=guest_lines, payments=payments,
                 totals=_totals(guest_lines, payments, currency), folios=bills, routes=routes, moves=moves)


def billing_parties_search(*, query: str = "", limit: int = 100) -> list[BillingParty]:
    """Active companies and travel agents whose name, VAT id, city or email holds `query`, by name: one query."""
    parties = BillingParty.objects.filter(is_active=True)
    query = (query or "").replace("\x00", "").strip()
    if query:
        parties = parties.filter(Q(name__icontains=query) | Q(vat_id__icontains=query) | Q(city__icontains=query)
                                 | Q(email__icontains=query))
    return list(parties.order_by("name", "id")[:limit])


# --- the room rack ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RackRow:
    room: Room
    stay: Reservation | None              # the checked-in stay in the room, if any
    out_of_order: RoomOutOfOrder | None   # the period covering today, if any
    open_task: HousekeepingTask | None    # the housekeeping task not yet done, if any


def _room_status(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().upper()
    if value not in Room.Status.values:
        raise ValidationFailed(f"status must be one of {', '.join(Room.Status.values)}.", field="status")
    return value


def room_type_for(hotel: Hotel, code: str | None) -> RoomType | None:
    if not code:
        return None
    room_type = RoomType.objects.filter(hotel=hotel, code__iexact=code.strip()).first()
    if room_type is None:
        raise UnknownRoomType(f"{hotel.name} has no room type {code}.", room_type=code)
    return room_type


def room_rack(*, hotel: Hotel, today: date, room_type_code: str | None = None,
              status: str | None = None) -> list[RackRow]:
    """Every room with its status, current guest, out-of-order period and open task: four queries."""
    rooms = Room.objects.filter(hotel=hotel).select_related("room_type").order_by("floor", "number")
    room_type = room_type_for(hotel, room_type_code)
    if room_type is not None:
        rooms = rooms.filter(room_type=room_type)
    status = _room_status(status)
    if status:
        rooms = rooms.filter(status=status)
    rooms = list(rooms)
    ids = [r.id for r in rooms]
    stays = {a.room_id: a.reservation for a in RoomAssignment.objects.filter(
        room_id__in=ids, reservation__status=Status.CHECKED_IN, released_at__isnull=True)
        .select_related("reservation__guest", "reservation__room_type")}
    periods = {}
    for p in RoomOutOfOrder.objects.filter(room_id__in=ids, start_date__lte=today, lifted_at__isnull=True,
                                           end_date__gt=today):
        periods[p.room_id] = p
    tasks = {}
    for t in HousekeepingTask.objects.filter(room_id__in=ids).exclude(status=HousekeepingTask.Status.DONE) \
            .order_by("created_at"):
        tasks.setdefault(t.room_id, t)
    return [RackRow(room=r, stay=stays.get(r.id), out_of_order=periods.get(r.id), open_task=tasks.get(r.id))
            for r in rooms]


# --- suggested rooms -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoomSuggestion:
    room: Room
    score: int
    reasons: list[str]


_FLOOR_WORDS = {"high floor": "high", "higher floor": "high", "top floor": "high", "low floor": "low",
                "lower floor": "low", "ground floor": "low"}


def _preferences(reservation: Reservation, floor: int | str | None,
                 features: list[str]) -> tuple[str | None, list[str]]:
    """A floor wish ("high", "low" or a number) and feature words, from the request and the special requests."""
    text = (reservation.special_requests or "").lower()
    wish = str(floor) if floor is not None else None
    if wish is None:
        wish = next((v for k, v in _FLOOR_WORDS.items() if k in text), None)
    if wish is None:
        m = re.search(r"floor\s+(\d{1,3})|(\d{1,3})(?:st|nd|rd|th)\s+floor", text)
        if m:
            wish = m.group(1) or m.group(2)
    words = [f.strip().lower() for f in features if f and f.strip()]
    return wish, words


def out_of_order_overlapping(start: date, end: date):
    """Out-of-order periods that take some night of [start, end) (a lifted period only up to its lifting)."""
    return RoomOutOfOrder.objects.filter(start_date__lt=end, end_date__gt=start).filter(
        Q(lifted_on__isnull=True) | (Q(lifted_on__gt=start) & Q(lifted_on__gt=F("start_date"))))


def rooms_assignable(reservation: Reservation) -> list[Room]:
    """Clean rooms of the booked type with no other stay or out-of-order period overlapping the stay."""
    busy = RoomAssignment.objects.filter(start_date__lt=reservation.check_out, end_date__gt=reservation.check_in) \
        .exclude(reservation=reservation).values("room_id")
    out = out_of_order_overlapping(reservation.check_in, reservation.check_out).values("room_id")
    return list(Room.objects.filter(hotel_id=reservation.hotel_id, room_type_id=reservation.room_type_id,
                                    status=Room.Status.AVAILABLE)
                .exclude(id__in=busy).exclude(id__in=out).select_related("room_type").order_by("floor", "number"))


def room_suggestions(*, reservation: Reservation, floor: int | str | None = None, features: list[str] = (),
                     limit: int = 10) -> list[RoomSuggestion]:
    """Assignable rooms, those nearest the guest's wishes (floor, features, special requests) first: one query."""
    rooms = rooms_assignable(reservation)
    wish, words = _preferences(reservation, floor, list(features))
    text = (reservation.special_requests or "").lower()
    floors = [r.floor for r in rooms]
    out = []
    for room in rooms:
        score, reasons = 0, []
        if wish == "high" and floors:
            score += 10 - min(10, max(floors) - room.floor)
            if room.floor == max(floors):
                reasons.append("highest floor available")
        elif wish == "low" and floors:
            score += 10 - min(10, room.floor - min(floors))
            if room.floor == min(floors):
                reasons.append("lowest floor available")
        elif wish and wish.lstrip("-").isdigit():
            distance = abs(room.floor - int(wish))
            score += 10 - min(10, distance)
            if distance == 0:
                reasons.append(f"on floor {wish} as asked")
        room_features = (room.features or "").lower()
        for word in words:
            if word in room_features:
                score += 5
                reasons.append(word)
        for feature in [f.strip() for f in room_features.split(",") if f.strip()]:
            if feature in text and feature not in words:
                score += 5
                reasons.append(f"{feature} (special request)")
        out.append(RoomSuggestion(room=room, score=score, reasons=reasons))
    out.sort(key=lambda s: (-s.score, s.room.floor, s.room.number))
    return out[:limit]


# --- the desk's day --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskDay:
    hotel: Hotel
    today: date
    arrivals: list[Reservation]      # CONFIRMED, arriving today (or earlier and not yet audited as no-show)
    in_house: list[Reservation]      # CHECKED_IN, leaving after today
    departures: list[Reservation]    # CHECKED_IN, due out today (or overdue)
    checked_out: list[Reservation]   # CHECKED_OUT today


def desk_day(*, hotel: Hotel, today: date, start, end) -> DeskDay:
    """Today's arrivals, in-house guests and departures of one hotel, each with its rooms, balance and guest
    flags (frontdesk.desk_rows): five queries.

    `start` and `end` bound the hotel's local day (aware datetimes), for "checked out today".
    """
    rows = list(Reservation.objects.with_details().filter(hotel=hotel).filter(
        Q(status=Status.CONFIRMED, check_in__lte=today, check_out__gt=today)
        | Q(status=Status.CHECKED_IN)
        | Q(status=Status.CHECKED_OUT, checked_out_at__gte=start, checked_out_at__lt=end))
        .order_by("check_in", "confirmation_number"))
    desk_rows_annotate(rows)
    return DeskDay(
        hotel=hotel, today=today,
        arrivals=[r for r in rows if r.status == Status.CONFIRMED],
        in_house=[r for r in rows if r.status == Status.CHECKED_IN and r.check_out > today],
        departures=[r for r in rows if r.status == Status.CHECKED_IN and r.check_out <= today],
        checked_out=[r for r in rows if r.status == Status.CHECKED_OUT],
    )


def desk_today(hotel: Hotel) -> DeskDay:
    """Today's desk, "today" being the hotel's own date."""
    today = hotel_today(hotel)
    start = datetime.combine(today, time(0), tzinfo=hotel.tz)
    return desk_day(hotel=hotel, today=today, start=start, end=start + timedelta(days=1))


def assigned_rooms(reservation: Reservation) -> list[RoomAssignment]:
    return list(reservation.room_assignments.select_related("room__room_type").order_by("room__number"))


# --- housekeeping ----------------------------------------------------------------------------------------


def _task_status(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().upper()
    if value not in HousekeepingTask.Status.values:
        raise ValidationFailed(f"status must be one of {', '.join(HousekeepingTask.Status.values)}.",
                               field="status")
    return value


def housekeeping_board(*, hotel: Hotel, status: str | None = None, include_done_since=None) -> list[HousekeepingTask]:
    """The hotel's housekeeping tasks (not done, unless asked), oldest first: one query."""
    tasks = HousekeepingTask.objects.filter(room__hotel=hotel).select_related(
        "room__room_type", "reservation__guest")
    status = _task_status(status)
    if status:
        tasks = tasks.filter(status=status)
    elif include_done_since is not None:
        tasks = tasks.filter(Q(done_at__isnull=True) | Q(done_at__gte=include_done_since))
    else:
        tasks = tasks.exclude(status=HousekeepingTask.Status.DONE)
    return list(tasks.order_by("created_at", "id"))


# --- what check-out will do ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckOutPreview:
    folio: Folio
    pending: list            # folio.Posting: nights the check-out will post to the guest's folio
    balance: Decimal         # the balance once they are posted: what the card on file will be charged


def stay_plan(reservation: Reservation) -> list:
    """The booked stay as folio postings (folio.Posting), night by night: three queries.

    How each tax and fee line is spread comes from the line's kind when the booking stored it, else from the
    hotel's tax or fee of that name.
    """
    from bookings.models import ReservationNight
    from pricing.models import Fee, Tax

    from .folio import NightLine, stay_postings, stay_spreading

    nights = [NightLine(n.date, n.net, n.rate) for n in ReservationNight.objects.filter(reservation=reservation)
              .order_by("date")]
    taxes = {t.name: (t.kind, t.base) for t in Tax.objects.filter(hotel_id=reservation.hotel_id)}
    fees = {f.name: (f.kind, None) for f in Fee.objects.filter(hotel_id=reservation.hotel_id)}
    spreading = stay_spreading(reservation.charge_lines, taxes, fees)
    return stay_postings(reservation, nights, spreading)


def check_out_preview(reservation: Reservation) -> CheckOutPreview:
    """The bill as it will be at check-out, without posting anything."""
    folio = folio_get(reservation)
    posted = set(FolioLine.objects.filter(reservation=reservation).exclude(posting_key="")
                 .values_list("posting_key", flat=True))
    elsewhere = set(FolioRoute.objects.filter(reservation=reservation).exclude(folio__kind=FolioModel.Kind.GUEST)
                    .values_list("kind", flat=True))  # what another party's folio will take
    pending = [p for p in [*stay_plan(reservation), retained_posting(reservation)]
               if p and p.key not in posted and p.kind not in elsewhere]
    balance = folio.totals.balance + sum((p.amount for p in pending), ZERO)
    return CheckOutPreview(folio=folio, pending=pending, balance=round_money(balance, reservation.currency))
