"""The nights every report counts, night by night as the folio posts them, for many hotels in a few queries.

What counts, and where (the README's "Reports" section says the same for managers):
- **On the books** are CONFIRMED, CHECKED_IN and CHECKED_OUT bookings. PENDING holds, EXPIRED, CANCELLED and
  NO_SHOW bookings sell no room night.
- A night's **revenue** is what the folio posts for it (frontdesk.folio.stay_postings): the room line (net rate
  times rooms) and its share of each booked tax and fee line, so the nights of a stay add up to its booked
  total to the cent. Incidentals (minibar, spa, ...) are not in these reports.
- **Penalties are revenue, not rooms.** A no-show's penalty, a cancellation's penalty, and what a stay
  shortened inside a paying window keeps, count as *retained* revenue on the booking's arrival date; the
  nights of an early departure that were paid but not used count as retained revenue on their own dates. None
  of them is an occupied room night, so they are in total revenue but not in ADR or RevPAR.
- **Available** room nights are InventoryDay.total less InventoryDay.out_of_order (the front desk's
  out-of-order periods take one room off each of their nights); a night without an inventory row has none.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from bookings.models import Reservation, ReservationNight, Status
from frontdesk.folio import NightLine, stay_postings, stay_spreading
from frontdesk.models import FolioLine
from hotelbooking.errors import InvalidDates
from hotelbooking.money import ZERO, money_per, percent_share, round_money
from inventory.models import Hotel, InventoryDay
from pricing.models import Fee, Tax

ON_THE_BOOKS = (Status.CONFIRMED, Status.CHECKED_IN, Status.CHECKED_OUT)
MAX_WINDOW_NIGHTS = 400

# What a booking keeps without a stay, by folio posting key (frontdesk.services / frontdesk.folio).
NO_SHOW_KEY, RETAINED_KEY = "no-show", "retained"
NO_SHOW, CANCELLATION, KEPT_AFTER_CHANGE, UNUSED_NIGHTS = (
    "No-show penalties", "Cancellation penalties", "Kept after a change (shortened stays)",
    "Nights paid, not used (early departures)")


@dataclass(frozen=True)
class Window:
    """The stay nights [start, end): `end` is the morning after the last night."""

    start: date
    end: date

    def __post_init__(self):
        if self.end <= self.start:
            raise InvalidDates("The last night must be on or after the first.", field="end")
        if (self.end - self.start).days > MAX_WINDOW_NIGHTS:
            raise InvalidDates(f"A report covers at most {MAX_WINDOW_NIGHTS} nights.", field="end")

    @classmethod
    def nights(cls, first: date, last: date) -> "Window":
        """From the first to the last night, both included (how the pages ask)."""
        return cls(first, last + timedelta(days=1))

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def last(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def length(self) -> int:
        return (self.end - self.start).days

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.length)]

    def year_before(self) -> "Window":
        return Window(same_day_a_year_before(self.start), same_day_a_year_before(self.last) + timedelta(days=1))


def same_day_a_year_before(day: date) -> date:
    """The same calendar date a year earlier (February 29 becomes the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def local_midnight(hotel: Hotel, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=hotel.tz)


def local_date(hotel: Hotel, moment: datetime) -> date:
    return timezone.localtime(moment, hotel.tz).date()


@dataclass
class Figures:
    """Room nights and revenue of some nights (a day, a hotel, a month, a channel...), in one currency.

    Sums are exact (the folio's postings are in the currency's minor unit); occupancy, ADR and RevPAR divide
    and are rounded once, when read.
    """

    currency: str
    available: int = 0        # room nights for sale: rooms less those out of order
    out_of_order: int = 0
    sold: int = 0             # room nights occupied by bookings on the books
    room_revenue: Decimal = ZERO
    taxes: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))   # tax line name -> amount
    fees: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))    # fee line name -> amount
    extras: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))  # extra's name -> amount (breakfast)
    retained: dict = field(default_factory=lambda: defaultdict(lambda: ZERO))  # kind (NO_SHOW, ...) -> amount
    bookings: set = field(default_factory=set)  # reservation ids with a night here

    @property
    def occupancy(self) -> Decimal | None:
        """Room nights sold as a percentage of those available, two decimals."""
        return percent_share(self.sold, self.available)

    @property
    def adr(self) -> Decimal | None:
        """Average daily rate: room revenue per room night sold."""
        return money_per(self.room_revenue, self.sold, self.currency)

    @property
    def revpar(self) -> Decimal | None:
        """Room revenue per available room night."""
        return money_per(self.room_revenue, self.available, self.currency)

    @property
    def tax_total(self) -> Decimal:
        return sum(self.taxes.values(), ZERO)

    @property
    def fee_total(self) -> Decimal:
        return sum(self.fees.values(), ZERO)

    @property
    def extra_total(self) -> Decimal:
        return sum(self.extras.values(), ZERO)

    @property
    def retained_total(self) -> Decimal:
        return sum(self.retained.values(), ZERO)

    @property
    def revenue(self) -> Decimal:
        """The hotel's revenue without taxes: rooms, fees, extras and what was retained."""
        return self.room_revenue + self.fee_total + self.extra_total + self.retained_total

    @property
    def total_revenue(self) -> Decimal:
        """Everything the guests are charged for these nights, taxes included."""
        return self.revenue + self.tax_total

    def add(self, other: "Figures") -> "Figures":
        self.available += other.available
        self.out_of_order += other.out_of_order
        self.sold += other.sold
        self.room_revenue += other.room_revenue
        for mine, theirs in ((self.taxes, other.taxes), (self.fees, other.fees), (self.extras, other.extras),
                             (self.retained, other.retained)):
            for name, amount in theirs.items():
                mine[name] += amount
        self.bookings |= other.bookings
        return self

    def add_night(self, night: "StayNight") -> None:
        self.sold += night.rooms
        self.bookings.add(night.reservation.pk)
        if night.rooms:
            self.room_revenue += night.room
            for group, name, amount in night.lines:
                getattr(self, group)[name] += amount
        else:  # paid, not used: revenue, not an occupied room
            self.retained[UNUSED_NIGHTS] += night.total

    def money(self, amount: Decimal) -> Decimal:
        return round_money(amount, self.currency)


def summed(figures, currency: str) -> Figures:
    total = Figures(currency)
    for f in figures:
        total.add(f)
    return total


LINE_GROUP = {"TAX": "taxes", "FEE": "fees", "EXTRA": "extras"}  # a posting's kind -> its Figures group


@dataclass(frozen=True)
class StayNight:
    """One night of one booking as the folio posts it (all its rooms)."""

    reservation: Reservation
    date: date
    rooms: int     # rooms occupied: 0 for a night paid but not used (the guest left early)
    room: Decimal  # the room line
    lines: tuple   # ("taxes", "fees" or "extras", line name, amount), the night's share of each booked line

    @property
    def total(self) -> Decimal:
        return self.room + sum((amount for _, _, amount in self.lines), ZERO)


def spreading_load(hotels: list[Hotel]) -> dict:
    """Each hotel's taxes and fees by name, for stay_spreading: two queries."""
    out = {h.pk: ({}, {}) for h in hotels}
    for t in Tax.objects.filter(hotel__in=[h.pk for h in hotels]):
        out[t.hotel_id][0][t.name] = (t.kind, t.base)
    for f in Fee.objects.filter(hotel__in=[h.pk for h in hotels]):
        out[f.hotel_id][1][f.name] = (f.kind, None)
    return out


def reservations_in(hotels: list[Hotel], window: Window, *, statuses=ON_THE_BOOKS):
    """Bookings of these hotels with a night in the window (not yet evaluated)."""
    return Reservation.objects.filter(hotel__in=[h.pk for h in hotels], status__in=statuses,
                                      check_in__lt=window.end, check_out__gt=window.start)


def stay_nights(reservations, window: Window, spreading: dict, *, as_booked: bool = False) -> list[StayNight]:
    """The nights in `window` of `reservations` (a queryset): two queries, however many bookings and nights.

    Each booking's postings are computed over its whole stay (per-stay fees and rounding remainders fall on
    the nights the folio puts them on) and then cut to the window. With `as_booked`, every night counts the
    booked rooms (pace: what was on the books, whatever happened since).
    """
    bookings = {r.pk: r for r in reservations.select_related("hotel", "room_type")}
    booked = defaultdict(list)
    for n in (ReservationNight.objects.filter(reservation__in=reservations.values("pk"))
              .order_by("reservation_id", "date")):
        booked[n.reservation_id].append(NightLine(n.date, n.net, n.rate))
    out = []
    for pk, nights in booked.items():
        reservation = bookings.get(pk)
        if reservation is None:  # booked between the two queries: the next report has it
            continue
        left = None
        if not as_booked and reservation.status == Status.CHECKED_OUT and reservation.checked_out_at:
            left = local_date(reservation.hotel, reservation.checked_out_at)
        taxes, fees = spreading.get(reservation.hotel_id, ({}, {}))
        per_night = defaultdict(lambda: [ZERO, []])
        for p in stay_postings(reservation, nights, stay_spreading(reservation.charge_lines, taxes, fees)):
            if p.night not in window:
                continue
            if p.kind == "ROOM":
                per_night[p.night][0] += p.amount
            else:
                per_night[p.night][1].append((LINE_GROUP.get(p.kind, "fees"), p.line, p.amount))
        for night, (room, lines) in sorted(per_night.items()):
            rooms = 0 if left is not None and night >= left else (reservation.room_count or 1)
            out.append(StayNight(reservation, night, rooms, room, tuple(lines)))
    return out


def inventory_by_day(hotels: list[Hotel], window: Window) -> dict:
    """(hotel id, night) -> (rooms for sale, rooms out of order): one query."""
    rows = (InventoryDay.objects.filter(room_type__hotel__in=[h.pk for h in hotels], date__gte=window.start,
                                        date__lt=window.end)
            .values("room_type__hotel_id", "date").annotate(total=Sum("total"), ooo=Sum("out_of_order")))
    return {(r["room_type__hotel_id"], r["date"]): (r["total"] - r["ooo"], r["ooo"]) for r in rows}


def retained_by_booking(hotels: list[Hotel], window: Window) -> dict:
    """What bookings arriving in the window keep without a stay: reservation id -> (hotel id, arrival, kind,
    amount). Two queries: the penalties recorded on cancelled bookings (at once, in the cancelling
    transaction), and the folio's no-show and kept-after-a-change penalty lines."""
    ids = [h.pk for h in hotels]
    out = {}
    for r in Reservation.objects.filter(hotel__in=ids, status=Status.CANCELLED, check_in__gte=window.start,
                                        check_in__lt=window.end, cancellation_penalty__gt=0) \
            .values("pk", "hotel_id", "check_in", "cancellation_penalty"):
        out[r["pk"]] = (r["hotel_id"], r["check_in"], CANCELLATION, r["cancellation_penalty"])
    kind_of = {NO_SHOW_KEY: NO_SHOW, RETAINED_KEY: KEPT_AFTER_CHANGE}
    for line in FolioLine.objects.filter(
            reservation__hotel__in=ids, reservation__check_in__gte=window.start,
            reservation__check_in__lt=window.end, kind=FolioLine.Kind.PENALTY, posting_key__in=list(kind_of)) \
            .values("reservation_id", "reservation__hotel_id", "reservation__check_in", "posting_key", "amount"):
        out[line["reservation_id"]] = (line["reservation__hotel_id"], line["reservation__check_in"],
                                       kind_of[line["posting_key"]], line["amount"])
    return out


def hotel_days(hotels: list[Hotel], window: Window, spreading: dict, *, reservations=None) -> dict:
    """(hotel id, night) -> Figures of every night in the window: five queries (bookings, their nights,
    inventory, and the two of retained_by_booking)."""
    days = {(h.pk, d): Figures(h.currency) for h in hotels for d in window.dates()}
    for (hotel_id, day), (available, ooo) in inventory_by_day(hotels, window).items():
        days[(hotel_id, day)].available, days[(hotel_id, day)].out_of_order = available, ooo
    qs = reservations if reservations is not None else reservations_in(hotels, window)
    for night in stay_nights(qs, window, spreading):
        days[(night.reservation.hotel_id, night.date)].add_night(night)
    for hotel_id, arrival, kind, amount in retained_by_booking(hotels, window).values():
        days[(hotel_id, arrival)].retained[kind] += amount
    return days


def by_currency(hotels: list[Hotel]) -> dict[str, list[Hotel]]:
    """The hotels grouped by currency (a group's figures are never converted), currencies in order."""
    out = defaultdict(list)
    for h in sorted(hotels, key=lambda h: (h.currency, h.code)):
        out[h.currency].append(h)
    return dict(out)
