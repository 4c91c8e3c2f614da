"""Where the business comes from (channel, rate plan, room type) and what cancellations and no-shows cost."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from bookings.models import Reservation, Status
from hotelbooking.money import ZERO, percent_share
from inventory.models import Hotel

from .stays import Figures, Window, by_currency, reservations_in, retained_by_booking, spreading_load, stay_nights


@dataclass(frozen=True)
class Segment:
    label: str
    figures: Figures
    share: Decimal | None  # of the room nights sold, percent


@dataclass(frozen=True)
class Production:
    currency: str
    window: Window
    hotels: list[Hotel]
    by_channel: list[Segment]
    by_rate_plan: list[Segment]
    by_room_type: list[Segment]
    total: Figures


def channel_label(reservation: Reservation) -> str:
    if reservation.channel == "OTA" and reservation.source:
        return f"OTA: {reservation.source}"
    return reservation.get_channel_display()


def _segments(nights, key, currency: str, total_sold: int) -> list[Segment]:
    groups = defaultdict(lambda: Figures(currency))
    for night in nights:
        groups[key(night.reservation)].add_night(night)
    rows = [Segment(label, f, percent_share(f.sold, total_sold)) for label, f in groups.items()]
    return sorted(rows, key=lambda s: (-s.figures.sold, -s.figures.room_revenue, s.label))


def production_report(*, hotels, window: Window) -> list[Production]:
    """Room nights and revenue of the window by channel, rate plan and room type: five queries."""
    hotels = list(hotels)
    if not hotels:
        return []
    nights = stay_nights(reservations_in(hotels, window).select_related("rate_plan"), window, spreading_load(hotels))
    out = []
    for currency, group in by_currency(hotels).items():
        ids = {h.pk for h in group}
        mine = [n for n in nights if n.reservation.hotel_id in ids]
        total = Figures(currency)
        for n in mine:
            total.add_night(n)
        out.append(Production(
            currency=currency, window=window, hotels=group, total=total,
            by_channel=_segments(mine, channel_label, currency, total.sold),
            by_rate_plan=_segments(mine, lambda r: f"{r.rate_plan.code}: {r.rate_plan.name}", currency, total.sold),
            by_room_type=_segments(mine, lambda r: r.room_type.name, currency,
                                   total.sold)))
    return out


# --- cancellations and no-shows ------------------------------------------------------------------------

@dataclass(frozen=True)
class LostBooking:
    reservation: Reservation
    room_nights: int
    booked: Decimal    # the booking's total as booked
    retained: Decimal  # the penalty kept
    lost: Decimal      # booked - retained

    @property
    def kind(self) -> str:
        return self.reservation.get_status_display()


@dataclass
class LossSummary:
    count: int = 0
    room_nights: int = 0
    booked: Decimal = ZERO
    retained: Decimal = ZERO
    lost: Decimal = ZERO

    def add(self, row: LostBooking) -> None:
        self.count += 1
        self.room_nights += row.room_nights
        self.booked += row.booked
        self.retained += row.retained
        self.lost += row.lost


@dataclass(frozen=True)
class Cancellations:
    currency: str
    window: Window
    hotels: list[Hotel]
    rows: list[LostBooking]
    cancelled: LossSummary = field(default_factory=LossSummary)
    no_shows: LossSummary = field(default_factory=LossSummary)


def cancellations_report(*, hotels, window: Window) -> list[Cancellations]:
    """Confirmed bookings arriving in the window that were cancelled or did not come, with what each kept
    (the penalty) and lost: four queries. A booking cancelled before it was ever confirmed is not counted."""
    hotels = list(hotels)
    if not hotels:
        return []
    lost = list(Reservation.objects.with_details().filter(
        hotel__in=[h.pk for h in hotels], status__in=[Status.CANCELLED, Status.NO_SHOW], confirmed_at__isnull=False,
        check_in__gte=window.start, check_in__lt=window.end).order_by("check_in", "confirmation_number"))
    kept = retained_by_booking(hotels, window)
    out = []
    for currency, group in by_currency(hotels).items():
        ids = {h.pk for h in group}
        report = Cancellations(currency=currency, window=window, hotels=group, rows=[])
        for r in lost:
            if r.hotel_id not in ids:
                continue
            retained = kept[r.pk][3] if r.pk in kept else ZERO
            row = LostBooking(reservation=r, room_nights=r.nights_count * (r.room_count or 1), booked=r.grand_total,
                              retained=retained, lost=r.grand_total - retained)
            report.rows.append(row)
            (report.cancelled if r.status == Status.CANCELLED else report.no_shows).add(row)
        out.append(report)
    return out
