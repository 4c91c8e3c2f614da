"""A revenue manager re-prices a weekend in the rates calendar in a real browser: pick the nights by clicking two
dates, tick the room type by clicking its row, preview, apply, undo. Screenshots at desktop width and at 390 px
(a phone) go to test-results/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from tests import test_browser_booking as booking

pytestmark = booking.pytestmark
demo, page = booking.demo, booking.page

PASSWORD = "correct horse battery staple"
SHOTS = Path(__file__).resolve().parent.parent / "test-results"


@pytest.fixture
def manager_page(page, demo):
    User.objects.create_superuser("revenue", "revenue@grandhotel.example", PASSWORD)
    page.goto(demo.url + "/admin/login/")
    page.fill("#id_username", "revenue")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(demo.url + "/admin/")
    return page


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"rate-calendar-{name}.png"), full_page=True)


def king_prices(page, plan="BAR") -> list[str]:
    return page.locator(f"#rt-DELUXE-KING tr[data-plan={plan}] td.price").all_inner_texts()


@pytest.mark.parametrize("width, height, label", [(1366, 900, "desktop"), (390, 844, "phone")])
def test_select_a_weekend_preview_apply_and_undo(manager_page, demo, width, height, label):
    from inventory.models import Hotel

    page = manager_page
    page.set_viewport_size({"width": width, "height": height})
    nyc = Hotel.objects.get(code="NYC")
    friday = booking._next_friday()
    saturday = friday + timedelta(days=1)
    page.goto(f"{demo.url}/admin/ratecalendar/calendaredit/hotel/{nyc.pk}/?start={friday.isoformat()}")
    assert king_prices(page)[:3] == ["189.00", "219.00", "199.00"]
    assert king_prices(page, "AAA")[:3] == ["170.10", "197.10", "179.10"]
    shot(page, f"calendar-{label}")

    # Two clicks on the dates pick the first and last night; a click on the room type ticks it (rate-calendar.js).
    page.click(f"th.day[data-date='{friday.isoformat()}']")
    page.click(f"th.day[data-date='{saturday.isoformat()}']")
    assert (page.input_value("#id_start"), page.input_value("#id_end")) == (friday.isoformat(), saturday.isoformat())
    assert page.locator("th.day.in-range").count() == 2
    page.click("#rt-DELUXE-KING th.rt")
    page.locator("#bulk-edit label", has_text="BAR").locator("input").check()
    page.select_option("#id_action", "PRICE_SET")
    page.fill("#id_value", "180")
    page.click("#be-preview")

    page.wait_for_selector("#preview-table")
    # BAR's derived plans follow: AAA, and the demo's DEP, FLEX and HOTEL (BAR at 0 %): 4 plans x 2 nights.
    assert page.inner_text("#preview-counts") == "2 cells will change, and 8 derived-plan prices with them."
    before_after = page.locator("#preview-table tbody tr").all_inner_texts()
    assert [" ".join(r.split()[-2:]) for r in before_after] == ["189.00 180.00", "219.00 180.00"]
    shot(page, f"preview-{label}")

    page.click("#be-apply")
    page.wait_for_selector(".messagelist .success")
    assert "2 cells changed" in page.inner_text(".messagelist")
    assert king_prices(page)[:3] == ["180.00", "180.00", "199.00"]
    assert king_prices(page, "AAA")[:3] == ["162.00", "162.00", "179.10"]
    shot(page, f"applied-{label}")

    page.locator(".recent-edits form.undo button").first.click()
    page.wait_for_selector(".messagelist .success")
    assert page.inner_text(".messagelist").startswith("Undone: Set the price: 180 USD")
    assert king_prices(page)[:3] == ["189.00", "219.00", "199.00"]
    assert page.locator(".recent-edits .edit.undone").count() == 1
    shot(page, f"undone-{label}")
