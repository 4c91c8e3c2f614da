"""Every report table, built once from a selector's result and shown both as HTML and as CSV (?format=csv).

Cells keep their values (Decimal, int, date); `cell_text` writes them, the same way on the page and in the file:
money rounded to the currency's minor unit, percentages with two decimals, nothing for "no figure" (an ADR
without rooms sold).
"""

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

from hotelbooking.money import round_money

from .selectors import CANCELLATION, KEPT_AFTER_CHANGE, NO_SHOW, UNUSED_NIGHTS, Figures, channel_label

TEXT, INT, MONEY, PERCENT, DATE = "text", "int", "money", "percent", "date"


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        return self.kind in (INT, MONEY, PERCENT)


@dataclass
class Table:
    name: str     # what ?table= asks for
    title: str
    currency: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None
    note: str = ""

    def text_rows(self):
        for row in self.rows:
            yield [cell_text(v, c, self.currency) for v, c in zip(row, self.columns, strict=True)]

    def text_footer(self):
        if self.footer is None:
            return None
        return [cell_text(v, c, self.currency) for v, c in zip(self.footer, self.columns, strict=True)]

    def html_rows(self):
        """Each row as (text, numeric) pairs: numbers are right-aligned on the page."""
        for row in self.text_rows():
            yield [(t, c.numeric) for t, c in zip(row, self.columns, strict=True)]

    def html_footer(self):
        footer = self.text_footer()
        return None if footer is None else [(t, c.numeric) for t, c in zip(footer, self.columns, strict=True)]


def cell_text(value, column: Column, currency: str) -> str:
    if value is None:
        return ""
    if column.kind == MONEY:
        return str(round_money(value, currency))
    if column.kind == PERCENT:
        return f"{value:.2f}"
    if isinstance(value, datetime):  # already in the hotel's time (see the builders)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- CSV ---------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(text: str, column: Column) -> str:
    """A text cell a spreadsheet would run as a formula (a guest named '=HYPERLINK(...)') is quoted with '."""
    if not column.numeric and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_response(table: Table, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([c.label for c in table.columns])
    for row in table.text_rows():
        writer.writerow([_csv_safe(t, c) for t, c in zip(row, table.columns, strict=True)])
    footer = table.text_footer()
    if footer is not None:
        writer.writerow([_csv_safe(t, c) for t, c in zip(footer, table.columns, strict=True)])
    return response


# --- performance -------------------------------------------------------------------------------------------

FIGURE_COLUMNS = [Column("Available", INT), Column("Out of order", INT), Column("Sold", INT),
                  Column("Occupancy %", PERCENT), Column("ADR", MONEY), Column("RevPAR", MONEY),
                  Column("Room revenue", MONEY), Column("Taxes", MONEY), Column("Fees", MONEY),
                  Column("Extras", MONEY), Column("Retained", MONEY), Column("Total revenue", MONEY)]


def figure_cells(f: Figures) -> list:
    return [f.available, f.out_of_order, f.sold, f.occupancy, f.adr, f.revpar, f.room_revenue, f.tax_total,
            f.fee_total, f.extra_total, f.retained_total, f.total_revenue]


def performance_tables(report) -> list[Table]:
    c, key = report.currency, report.currency.lower()
    daily = Table(f"nights-{key}", f"By night ({c})", c, [Column("Night", DATE), *FIGURE_COLUMNS],
                  rows=[[day, *figure_cells(f)] for day, f in report.days],
                  footer=["Total", *figure_cells(report.total)],
                  note="Retained: penalties (on the arrival date) and nights paid but not used; revenue, not rooms.")
    t = report.total
    lines = [["Room revenue", t.room_revenue, "room"]]
    lines += [[name, amount, "fee"] for name, amount in sorted(t.fees.items())]
    lines += [[name, amount, "extra"] for name, amount in sorted(t.extras.items())]
    lines += [[kind, t.retained.get(kind, 0), "retained"]
              for kind in (NO_SHOW, CANCELLATION, KEPT_AFTER_CHANGE, UNUSED_NIGHTS) if t.retained.get(kind)]
    lines += [["Revenue without taxes", t.revenue, "subtotal"]]
    lines += [[name, amount, "tax"] for name, amount in sorted(t.taxes.items())]
    revenue = Table(f"revenue-{key}", f"Revenue by line ({c})", c,
                    [Column("Line"), Column("Amount", MONEY), Column("Kind")], rows=lines,
                    footer=["Total revenue", t.total_revenue, "total"])
    tables = [revenue, daily]
    if len(report.hotels) > 1:
        tables.append(Table(f"hotels-{key}", f"By hotel ({c})", c, [Column("Hotel"), *FIGURE_COLUMNS],
                            rows=[[h.code, *figure_cells(f)] for h, f in report.by_hotel],
                            footer=["Total", *figure_cells(t)]))
    return tables


# --- on the books, pickup, pace --------------------------------------------------------------------------

BOOKS_COLUMNS = [Column("Available", INT), Column("Sold", INT), Column("Occupancy %", PERCENT),
                 Column("ADR", MONEY), Column("RevPAR", MONEY), Column("Room revenue", MONEY),
                 Column("Total revenue", MONEY)]


def _books_cells(f: Figures) -> list:
    return [f.available, f.sold, f.occupancy, f.adr, f.revpar, f.room_revenue, f.total_revenue]


def on_the_books_table(report) -> Table:
    c = report.currency
    return Table(f"otb-{c.lower()}", f"On the books, next 365 nights from {report.start:%B %-d, %Y} ({c})", c,
                 [Column("Month"), *BOOKS_COLUMNS],
                 rows=[[f"{m:%Y-%m}", *_books_cells(f)] for m, f in report.months],
                 footer=["Total", *_books_cells(report.total)])


def pickup_table(report) -> Table:
    c = report.currency
    rows, running = [], 0
    for d in report.days:
        running += d.net_rooms
        if not (d.booked.bookings or d.cancelled.bookings):  # the curve shows the quiet days
            continue
        rows.append([d.day, d.booked.sold, d.booked.room_revenue, d.cancelled.sold, d.cancelled.room_revenue,
                     d.net_rooms, d.net_revenue, running])
    return Table(f"pickup-{c.lower()}", f"Pickup since {report.since:%B %-d, %Y} ({c})", c,
                 [Column("Booked on", DATE), Column("Room nights booked", INT), Column("Room revenue booked", MONEY),
                  Column("Room nights cancelled", INT), Column("Room revenue cancelled", MONEY),
                  Column("Net room nights", INT), Column("Net room revenue", MONEY),
                  Column("Cumulative room nights", INT)],
                 rows=rows, footer=["Total", report.booked.sold, report.booked.room_revenue, report.cancelled.sold,
                                    report.cancelled.room_revenue, report.net_rooms, report.net_revenue,
                                    report.net_rooms],
                 note="Days with bookings or cancellations. Booked: bookings made that day that are still on "
                      "the books. Cancelled: bookings made before the pickup date and cancelled that day.")


def _pace_cells(r) -> list:
    return [r.this_year.sold, r.this_year.room_revenue, r.this_year.adr, r.last_year.sold, r.last_year.room_revenue,
            r.rooms_change, r.revenue_change, r.last_year_final.sold, r.last_year_final.room_revenue]


def pace_table(report) -> Table:
    c = report.currency
    return Table(f"pace-{c.lower()}", f"Pace against the same date last year ({c})", c,
                 [Column("Month"), Column("Room nights", INT), Column("Room revenue", MONEY), Column("ADR", MONEY),
                  Column("Last year, same date: room nights", INT), Column("Last year, same date: revenue", MONEY),
                  Column("Change: room nights", INT), Column("Change: revenue", MONEY),
                  Column("Last year final: room nights", INT), Column("Last year final: revenue", MONEY)],
                 rows=[[f"{r.month:%Y-%m}", *_pace_cells(r)] for r in report.rows],
                 footer=["Total", *_pace_cells(report.total)],
                 note=f"Now against {timezone.localtime(report.as_of_last_year, report.hotels[0].tz):%B %-d, %Y %H:%M} "
                      f"({report.hotels[0].timezone}), for the nights "
                      f"{report.last_window.start:%B %-d, %Y} to {report.last_window.last:%B %-d, %Y}.")


# --- production, cancellations -----------------------------------------------------------------------------

SEGMENT_COLUMNS = [Column("Bookings", INT), Column("Room nights", INT), Column("Share %", PERCENT),
                   Column("Room revenue", MONEY), Column("ADR", MONEY), Column("Total revenue", MONEY)]


def _segment_cells(f: Figures, share) -> list:
    return [len(f.bookings), f.sold, share, f.room_revenue, f.adr, f.total_revenue]


def production_tables(report) -> list[Table]:
    c, key = report.currency, report.currency.lower()
    out = []
    for name, title, segments in (("channels", "By channel", report.by_channel),
                                  ("rate-plans", "By rate plan", report.by_rate_plan),
                                  ("room-types", "By room type", report.by_room_type)):
        out.append(Table(f"{name}-{key}", f"{title} ({c})", c, [Column(title[3:].capitalize()), *SEGMENT_COLUMNS],
                         rows=[[s.label, *_segment_cells(s.figures, s.share)] for s in segments],
                         footer=["Total", *_segment_cells(report.total, 100 if report.total.sold else None)]))
    return out


LOSS_COLUMNS = [Column("Bookings", INT), Column("Room nights", INT), Column("Booked", MONEY),
                Column("Retained", MONEY), Column("Lost", MONEY)]


def _loss_cells(s) -> list:
    return [s.count, s.room_nights, s.booked, s.retained, s.lost]


def cancellation_tables(report) -> list[Table]:
    c, key = report.currency, report.currency.lower()
    summary = Table(f"losses-{key}", f"Cancellations and no-shows ({c})", c, [Column(""), *LOSS_COLUMNS],
                    rows=[["Cancelled", *_loss_cells(report.cancelled)], ["No-show", *_loss_cells(report.no_shows)]],
                    note="By arrival date. Booked: the booking's total; retained: the penalty kept; lost: the rest.")
    bookings = Table(f"lost-bookings-{key}", f"Cancelled and no-show bookings ({c})", c,
                     [Column("Confirmation"), Column("Hotel"), Column("Guest"), Column("Arrival", DATE),
                      Column("Nights", INT), Column("Rooms", INT), Column("Status"), Column("Channel"),
                      Column("Cancelled at", DATE), Column("Booked", MONEY), Column("Retained", MONEY),
                      Column("Lost", MONEY)],
                     rows=[[row.reservation.confirmation_number, row.reservation.hotel.code,
                            row.reservation.guest_full_name, row.reservation.check_in, row.reservation.nights_count,
                            row.reservation.room_count, row.kind, channel_label(row.reservation),
                            _hotel_time(row.reservation, row.reservation.cancelled_at), row.booked, row.retained,
                            row.lost] for row in report.rows])
    return [summary, bookings]


def _hotel_time(reservation, moment):
    return timezone.localtime(moment, reservation.hotel.tz) if moment else None


# --- day lists ---------------------------------------------------------------------------------------------

GUEST_COLUMNS = [Column("Confirmation"), Column("Hotel"), Column("Guest"), Column("Room type"), Column("Rooms", INT),
                 Column("Room numbers"), Column("Arrival", DATE), Column("Departure", DATE), Column("Adults", INT),
                 Column("Children", INT), Column("Status"), Column("Rate plan"), Column("Channel")]


def _guest_cells(r) -> list:
    return [r.confirmation_number, r.hotel.code, r.guest_full_name, r.room_type.name, r.room_count,
            ", ".join(r.room_numbers), r.check_in, r.check_out, r.adults, r.children, r.get_status_display(),
            r.rate_plan.code, channel_label(r)]


def day_tables(lists) -> list[Table]:
    day = f"{lists.day:%A, %B %-d, %Y}"
    return [Table(name, f"{title} — {day}", "", GUEST_COLUMNS, rows=[_guest_cells(r) for r in rows], note=note)
            for name, title, rows, note in (
                ("arrivals", f"Arrivals ({len(lists.arrivals)})", lists.arrivals, "No-shows included."),
                ("departures", f"Departures ({len(lists.departures)})", lists.departures,
                 "Guests who left early that day included."),
                ("in-house", f"In house ({len(lists.in_house)})", lists.in_house,
                 "Staying the night: that day's arrivals included."))]


def money_text(amount: Decimal | None, currency: str) -> str:
    return "—" if amount is None else f"{round_money(amount, currency):,} {currency}"
