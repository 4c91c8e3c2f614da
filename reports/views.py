"""The report pages (hung off the admin by reports.admin): one view per report page, each table also as CSV.

Who sees what: the `view_reports` work (hotelbooking.permissions), at the hotels the staff member belongs to;
another hotel is "not found"; "all my hotels" is every hotel they belong to (every hotel for a superuser),
one section per currency, never converted.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.safestring import SafeString

from hotelbooking.errors import DomainError
from hotelbooking.permissions import staff_hotels, staff_may
from pricing.search import hotel_today

from . import charts, selectors, tables
from .forms import ReportForm
from .tables import Table, csv_response, money_text


@dataclass
class Section:
    heading: str
    tiles: list[tuple[str, str]] = field(default_factory=list)
    charts: list[SafeString] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _heading(currency: str, hotels) -> str:
    return f"{currency} — {', '.join(h.name for h in hotels)}"


def _percent(value) -> str:
    return "—" if value is None else f"{value:.2f}%"


def performance_sections(hotels, data) -> list[Section]:
    out = []
    for report in selectors.performance_report(hotels=hotels, window=data["window"]):
        t, c = report.total, report.currency
        out.append(Section(
            heading=_heading(c, report.hotels),
            tiles=[("Occupancy", _percent(t.occupancy)), ("ADR", money_text(t.adr, c)),
                   ("RevPAR", money_text(t.revpar, c)), ("Room revenue", money_text(t.room_revenue, c)),
                   ("Total revenue", money_text(t.total_revenue, c)),
                   ("Room nights sold / available", f"{t.sold} / {t.available}")],
            charts=[charts.occupancy_adr_chart(chart_id=f"occupancy-adr-{c.lower()}", currency=c,
                                               title=f"Occupancy and ADR by night ({c})",
                                               days=[(d, f.occupancy, f.adr) for d, f in report.days])],
            tables=tables.performance_tables(report)))
    return out


def forecast_sections(hotels, data) -> list[Section]:
    books = {r.currency: r for r in selectors.on_the_books(hotels=hotels)}
    pickups = {r.currency: r for r in selectors.pickup_report(hotels=hotels, window=data["window"],
                                                             since=data["since"])}
    paces = {r.currency: r for r in selectors.pace_report(hotels=hotels, window=data["window"])}
    out = []
    for currency, group in selectors.by_currency(hotels).items():
        otb, pickup, pace = books[currency], pickups[currency], paces[currency]
        out.append(Section(
            heading=_heading(currency, group),
            tiles=[("On the books, next 365 nights", f"{otb.total.sold} room nights"),
                   ("Room revenue on the books", money_text(otb.total.room_revenue, currency)),
                   (f"Pickup since {pickup.since:%b %-d}", f"{pickup.net_rooms:+d} room nights"),
                   ("Pickup revenue", money_text(pickup.net_revenue, currency)),
                   ("Pace against last year", f"{pace.total.rooms_change:+d} room nights")],
            charts=[charts.line_chart(chart_id=f"pickup-{currency.lower()}", points=pickup.curve(),
                                      unit="Room nights picked up",
                                      title=f"Pickup since {pickup.since:%B %-d, %Y} for the nights "
                                            f"{pickup.window.start:%b %-d} to {pickup.window.last:%b %-d} "
                                            f"({currency})")],
            tables=[tables.pickup_table(pickup), tables.pace_table(pace), tables.on_the_books_table(otb)]))
    return out


def production_sections(hotels, data) -> list[Section]:
    productions = selectors.production_report(hotels=hotels, window=data["window"])
    losses = {r.currency: r for r in selectors.cancellations_report(hotels=hotels, window=data["window"])}
    out = []
    for report in productions:
        c = report.currency
        lost = losses[c]
        out.append(Section(
            heading=_heading(c, report.hotels),
            tiles=[("Room nights sold", str(report.total.sold)),
                   ("Room revenue", money_text(report.total.room_revenue, c)),
                   ("Cancelled", f"{lost.cancelled.count} ({money_text(lost.cancelled.lost, c)} lost)"),
                   ("No-shows", f"{lost.no_shows.count} ({money_text(lost.no_shows.retained, c)} retained)")],
            charts=[charts.share_chart(chart_id=f"channel-mix-{c.lower()}", unit="room nights",
                                       title=f"Channel mix by room nights ({c})",
                                       segments=[(s.label, s.figures.sold) for s in report.by_channel])],
            tables=[*tables.production_tables(report), *tables.cancellation_tables(lost)]))
    return out


def day_sections(hotels, data) -> list[Section]:
    lists = selectors.day_lists(hotels=hotels, day=data["day"])
    return [Section(heading=f"{data['day']:%A, %B %-d, %Y}",
                    tiles=[("Arrivals", str(len(lists.arrivals))), ("Departures", str(len(lists.departures))),
                           ("In house", str(len(lists.in_house)))],
                    tables=tables.day_tables(lists))]


@dataclass(frozen=True)
class Page:
    name: str
    title: str
    fields: tuple[str, ...]
    build: object


PAGES = {p.name: p for p in [
    Page("performance", "Performance", ("first", "last"), performance_sections),
    Page("forecast", "On the books, pickup and pace", ("first", "last", "since"), forecast_sections),
    Page("production", "Production, cancellations and no-shows", ("first", "last"), production_sections),
    Page("day", "Arrivals, departures and in house", ("day",), day_sections),
]}


def report_page(request, page_name: str, *, context: dict) -> HttpResponse:
    """One report page, or with ?format=csv&table=<name> one of its tables as CSV."""
    if not staff_may(request.user, "view_reports"):
        raise PermissionDenied
    page = PAGES[page_name]
    mine = list(staff_hotels(request.user).order_by("code"))
    code = request.GET.get("hotel", "")
    hotels = [h for h in mine if h.code == code] if code else mine
    if code and not hotels:
        raise Http404("No such hotel.")
    today = hotel_today(hotels[0]) if hotels else timezone.localdate()
    form = ReportForm(request.GET, hotels=mine, fields=page.fields, today=today)
    sections, error = [], ""
    if form.is_valid() and hotels:
        try:
            sections = page.build(hotels, form.cleaned_data)
        except DomainError as exc:
            error = exc.message
    if request.GET.get("format") == "csv":
        return _csv(request, page, form, sections, error, code)
    query = urlencode({k: v for k, v in form.data.items() if k in form.fields})
    return TemplateResponse(request, "admin/reports/report.html", {
        **context, "is_nav_sidebar_enabled": False, "title": page.title, "page": page, "pages": PAGES.values(),
        "form": form, "error": error,
        "sections": sections, "hotels": hotels, "query": query, "has_hotels": bool(mine)})


def _csv(request, page, form, sections, error, code) -> HttpResponse:
    if not form.is_valid() or error:
        message = error or "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    name = request.GET.get("table", "")
    table = next((t for s in sections for t in s.tables if t.name == name), None)
    if table is None:
        raise Http404("No such table.")
    data = form.cleaned_data
    span = (f"{data['day']}" if "day" in data else f"{data['first']}_{data['last']}")
    return csv_response(table, f"{page.name}-{table.name}-{code or 'all'}-{span}.csv")
