"""Charts drawn on the server as SVG: no script and no third-party asset, nothing the Content-Security-Policy
refuses (presentation attributes, never style attributes). Pure functions: numbers in, markup out.

Each chart is an <svg role="img"> with a <title> and a <desc> that says in words what it shows, and scales to
its container (viewBox, width 100% in reports.css).
"""

import math
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 52, 56, 44, 46
BAR, LINE, GRID, INK, QUIET = "#5b8fd6", "#d9822b", "#e3e6ea", "#333333", "#666666"
PALETTE = ["#3f6fb5", "#d9822b", "#4f9a5b", "#b5483f", "#7d5ba6", "#3a9fa8", "#a68a3f", "#8c8c8c"]
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def nice_ceiling(value: float) -> float:
    """The round number at or above `value` an axis ends on (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:,.1f}"


def _svg(chart_id: str, title: str, desc: str, body: list[str], height: int = HEIGHT, width: int = WIDTH,
         kind: str = "wide") -> SafeString:
    return mark_safe(
        f'<svg class="report-chart report-chart-{kind}" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT} font-size="13">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>")


def _label_every(count: int, room: float, width: float = 34) -> int:
    """Label every n-th point so that the labels do not run into each other."""
    return max(1, math.ceil(count * width / room)) if count else 1


def _day_label(day: date, count: int) -> str:
    return f"{day:%b} {day.day}" if count <= 16 else str(day.day) if count <= 62 else f"{day:%b %-d}"


def _legend(items: list[tuple[str, str]], y: int = 20) -> list[str]:
    out, x = [], LEFT
    for colour, label in items:
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>'
                   f'<text x="{x + 18}" y="{y}" fill="{INK}">{escape(label)}</text>')
        x += 40 + 8 * len(label)
    return out


def _runs(points: list) -> list[list]:
    """The unbroken stretches of a series with gaps (None)."""
    runs, current = [], []
    for p in points:
        if p is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(p)
    if current:
        runs.append(current)
    return runs


def occupancy_adr_chart(*, chart_id: str, days: list[tuple[date, Decimal | None, Decimal | None]],
                        currency: str, title: str) -> SafeString:
    """Occupancy (bars, left axis, %) and ADR (line, right axis, money) by night."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    occ_max = min(100.0, nice_ceiling(max((float(o) for _, o, _ in days if o is not None), default=0)))
    adr_max = nice_ceiling(max((float(a) for _, _, a in days if a is not None), default=0))
    n = len(days)
    slot = plot_w / max(n, 1)
    body = _legend([(BAR, "Occupancy %"), (LINE, f"ADR ({currency})")])
    for i in range(5):
        y = TOP + plot_h - plot_h * i / 4
        body.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>'
                    f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{QUIET}">'
                    f'{_number(occ_max * i / 4)}%</text>'
                    f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" fill="{QUIET}">{_number(adr_max * i / 4)}</text>')
    every = _label_every(n, plot_w)
    points = []
    for i, (day, occ, adr) in enumerate(days):
        x = LEFT + slot * i
        if occ is not None and occ > 0:
            h = plot_h * float(occ) / occ_max
            body.append(f'<rect x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                        f'height="{h:.1f}" fill="{BAR}"><title>{escape(f"{day:%a %b} {day.day}: {occ}%")}</title>'
                        f'</rect>')
        points.append((x + slot / 2, TOP + plot_h - plot_h * float(adr) / adr_max, day, adr) if adr is not None
                      else None)
        if i % every == 0:
            body.append(f'<text x="{x + slot / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
                        f'fill="{QUIET}">{escape(_day_label(day, n))}</text>')
    for run in _runs(points):  # the line breaks where no room was sold: no ADR is not an ADR of 0
        if len(run) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in run)
            body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5"/>')
    for x, y, day, adr in [p for p in points if p is not None]:
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}">'
                    f'<title>{escape(f"{day:%a %b} {day.day}: ADR {adr} {currency}")}</title></circle>')
    body.append(f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="{INK}"/>')
    sold_days = sum(1 for _, o, _ in days if o)
    desc = (f"{n} nights from {days[0][0]:%B %-d, %Y}; rooms sold on {sold_days} of them." if days
            else "No nights.")
    return _svg(chart_id, title, desc, body)


def line_chart(*, chart_id: str, points: list[tuple[date, int | Decimal]], title: str, unit: str) -> SafeString:
    """One cumulative series by day (the pickup curve)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    values = [float(v) for _, v in points]
    top = nice_ceiling(max(values + [0]))
    bottom = -nice_ceiling(-min(values)) if values and min(values) < 0 else 0.0
    span = top - bottom or 1.0
    n = len(points)
    step = plot_w / max(n - 1, 1)
    body = _legend([(BAR, unit)])

    def y_of(v: float) -> float:
        return TOP + plot_h - plot_h * (v - bottom) / span

    for i in range(5):
        v = bottom + span * i / 4
        body.append(f'<line x1="{LEFT}" y1="{y_of(v):.1f}" x2="{LEFT + plot_w}" y2="{y_of(v):.1f}" stroke="{GRID}"/>'
                    f'<text x="{LEFT - 6}" y="{y_of(v) + 4:.1f}" text-anchor="end" fill="{QUIET}">{_number(v)}</text>')
    every = _label_every(n, plot_w, 64)
    coords = []
    for i, (day, value) in enumerate(points):
        x = LEFT + step * i if n > 1 else LEFT + plot_w / 2
        coords.append((x, y_of(float(value)), day, value))
        if i % every == 0:
            body.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="{QUIET}">'
                        f'{escape(f"{day:%b} {day.day}")}</text>')
    if coords:
        area = (f"{coords[0][0]:.1f},{y_of(max(bottom, 0)):.1f} "
                + " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)
                + f" {coords[-1][0]:.1f},{y_of(max(bottom, 0)):.1f}")
        body.append(f'<polygon points="{area}" fill="{BAR}" fill-opacity="0.15"/>')
        body.append(f'<polyline points="{" ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in coords)}" fill="none" '
                    f'stroke="{BAR}" stroke-width="2.5"/>')
        for x, y, day, value in coords:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BAR}">'
                        f'<title>{escape(f"{day:%b} {day.day}: {value} {unit.lower()}")}</title></circle>')
    body.append(f'<line x1="{LEFT}" y1="{y_of(max(bottom, 0)):.1f}" x2="{LEFT + plot_w}" '
                f'y2="{y_of(max(bottom, 0)):.1f}" stroke="{INK}"/>')
    desc = (f"{unit} from {points[0][0]:%B %-d} to {points[-1][0]:%B %-d, %Y}: {points[-1][1]} at the end."
            if points else "No days.")
    return _svg(chart_id, title, desc, body)


def share_chart(*, chart_id: str, segments: list[tuple[str, int]], title: str, unit: str) -> SafeString:
    """Shares of a whole (the channel mix) as a ring, with a legend below giving each share in numbers."""
    width, r, ring = 400, 74, 32
    cx, cy = width / 2, 20 + r + ring / 2
    legend_top = cy + r + ring / 2 + 30
    height = int(legend_top + 26 * max(len(segments), 1))
    total = sum(v for _, v in segments)
    circumference = 2 * math.pi * r
    body = [f'<circle cx="{cx}" cy="{cy:.1f}" r="{r}" fill="none" stroke="{GRID}" stroke-width="{ring}"/>']
    offset = 0.0
    for i, (label, value) in enumerate(segments):
        colour = PALETTE[i % len(PALETTE)]
        share = value / total if total else 0
        percent = f"{100 * share:.1f}%"
        if share > 0:
            length = circumference * share
            body.append(f'<circle cx="{cx}" cy="{cy:.1f}" r="{r}" fill="none" stroke="{colour}" '
                        f'stroke-width="{ring}" stroke-dasharray="{length:.2f} {circumference - length:.2f}" '
                        f'stroke-dashoffset="{-offset:.2f}" transform="rotate(-90 {cx} {cy:.1f})">'
                        f'<title>{escape(f"{label}: {value} {unit} ({percent})")}</title></circle>')
            offset += length
        y = legend_top + 26 * i
        body.append(f'<rect x="8" y="{y - 12:.1f}" width="14" height="14" fill="{colour}"/>'
                    f'<text x="30" y="{y:.1f}" fill="{INK}">{escape(label)}</text>'
                    f'<text x="{width - 8}" y="{y:.1f}" text-anchor="end" fill="{INK}">'
                    f'{escape(f"{value} · {percent}")}</text>')
    body.append(f'<text x="{cx}" y="{cy + 2:.1f}" text-anchor="middle" font-size="24" fill="{INK}">{total}</text>'
                f'<text x="{cx}" y="{cy + 20:.1f}" text-anchor="middle" fill="{QUIET}">{escape(unit)}</text>')
    desc = "; ".join(f"{label} {value} {unit}" for label, value in segments) or f"No {unit}."
    return _svg(chart_id, title, desc, body, height=height, width=width, kind="share")
