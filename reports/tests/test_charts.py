"""The server-drawn SVG charts: well-formed, nothing the Content-Security-Policy refuses, labels escaped."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal as D

from reports.charts import line_chart, nice_ceiling, occupancy_adr_chart, share_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup) -> ET.Element:
    assert "style=" not in markup and "<script" not in markup and "href" not in markup
    return ET.fromstring(str(markup))


def test_occupancy_bars_and_an_adr_line_that_breaks_where_nothing_sold():
    first = date(2027, 6, 1)
    days = [(first, D("50.00"), D("200.00")), (first + timedelta(days=1), D("25.00"), D("180.00")),
            (first + timedelta(days=2), D("0.00"), None), (first + timedelta(days=3), D("75.00"), D("210.50"))]
    svg = parsed(occupancy_adr_chart(chart_id="occ", days=days, currency="USD", title="Occupancy and ADR"))
    assert svg.find(f"{SVG}title").text == "Occupancy and ADR"
    assert svg.find(f"{SVG}desc").text == "4 nights from June 1, 2027; rooms sold on 3 of them."
    bars = [r for r in svg.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [b.find(f"{SVG}title").text for b in bars] == ["Tue Jun 1: 50.00%", "Wed Jun 2: 25.00%", "Fri Jun 4: 75.00%"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == 2 * heights[1] and heights[2] == 3 * heights[1]  # the axis ends at 100%
    [line] = svg.iter(f"{SVG}polyline")  # June 1 to 2; June 4 stands alone, not joined across the 3rd
    assert len(line.get("points").split()) == 2
    assert [c.find(f"{SVG}title").text for c in svg.iter(f"{SVG}circle")][-1] == "Fri Jun 4: ADR 210.50 USD"


def test_the_pickup_curve_and_the_channel_mix():
    first = date(2027, 5, 15)
    curve = parsed(line_chart(chart_id="pickup", points=[(first + timedelta(days=i), v) for i, v in
                                                          enumerate([0, 2, 2, 5, 4])],
                              title="Pickup", unit="Room nights picked up"))
    assert curve.find(f"{SVG}desc").text == "Room nights picked up from May 15 to May 19, 2027: 4 at the end."
    mix = parsed(share_chart(chart_id="mix", segments=[("Direct <web>", 7), ("Phone", 3), ("OTA & co", 0)],
                             title="Channel mix", unit="room nights"))
    texts = [t.text for t in mix.iter(f"{SVG}text")]
    assert "Direct <web>" in texts and "7 · 70.0%" in texts and "0 · 0.0%" in texts and "10" in texts
    rings = [c for c in mix.iter(f"{SVG}circle") if c.find(f"{SVG}title") is not None]
    assert [c.find(f"{SVG}title").text for c in rings] == ["Direct <web>: 7 room nights (70.0%)",
                                                           "Phone: 3 room nights (30.0%)"]
    assert "Direct &lt;web&gt;" in str(share_chart(chart_id="m", segments=[("Direct <web>", 1)], title="t", unit="u"))


def test_axes_end_on_round_numbers():
    assert [nice_ceiling(v) for v in (0, 0.4, 7, 12, 24, 190, 193.31, 260)] == [1, 0.5, 10, 20, 25, 200, 200, 500]
