"""A manager reads June's performance in a real browser: the occupancy and ADR chart is drawn (server-side SVG,
under the Content-Security-Policy), the figures are there, the page fits a desktop and a 390 px phone.
Screenshots go to test-results/."""

import os
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import User
from django.db import connections

from reports.tests.conftest import END, live_june
from tests.test_browser_booking import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]

RESULTS = Path(__file__).resolve().parent.parent / "test-results"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager_page(live_server):
    from playwright.sync_api import sync_playwright

    live_june()
    User.objects.create_superuser("revenue", "revenue@grandhotel.example", PASSWORD)
    # The server reads on July 1, 2027, as June's tests do (Chromium keeps the login by its Max-Age, whatever
    # its own clock says).
    with time_machine.travel(END, tick=True), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        tab = context.new_page()
        refused = []
        tab.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        try:
            tab.goto(live_server.url + "/admin/login/")
            tab.fill("#id_username", "revenue")
            tab.fill("#id_password", PASSWORD)
            tab.click("input[type=submit]")
            tab.wait_for_url(live_server.url + "/admin/")
            yield tab
            assert refused == [], refused
        finally:
            context.close()
            browser.close()
            connections.close_all()


def test_the_performance_report_draws_its_chart_at_desktop_and_phone_width(manager_page, live_server):
    page = manager_page
    page.click("a[href=\"/admin/reports/report/\"]")  # the admin index: Reports opens the performance report
    page.wait_for_url("**/admin/reports/report/")
    page.fill("#id_first", "2027-06-01")
    page.fill("#id_last", "2027-06-30")
    page.click("input[type=submit][value=Show]")
    page.wait_for_url("**first=2027-06-01**")

    chart = page.locator("svg#occupancy-adr-usd")
    assert chart.is_visible()
    assert chart.locator("rect title").count() == 10  # a bar for each of the 10 nights with rooms sold
    assert chart.locator("title").first.text_content() == "Occupancy and ADR by night (USD)"
    tiles = page.locator(".report-tiles").inner_text()
    assert "2.52%" in tiles and "193.31 USD" in tiles and "4.86 USD" in tiles and "3,729.68 USD" in tiles
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "reports-performance-desktop.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.locator(".report-figure").first.bounding_box()["width"] <= 390
    # Only the tables scroll sideways (inside their own box), never the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(RESULTS / "reports-performance-390.png"), full_page=True)

    page.click("text=Production, cancellations and no-shows")
    assert page.locator("svg#channel-mix-usd").is_visible()
    page.screenshot(path=str(RESULTS / "reports-production-390.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=On the books, pickup and pace")
    page.fill("#id_since", "2027-05-15")
    page.click("input[type=submit][value=Show]")
    curve = page.locator("svg#pickup-usd")
    assert curve.is_visible() and "6 at the end" in curve.locator("desc").text_content()
    page.screenshot(path=str(RESULTS / "reports-forecast-desktop.png"), full_page=True)
