"""A guest searches in a real browser (Debian's headless Chromium): every rate plan of each room side by side,
a corporate code opening its rate, the first offer above the fold on a phone; and a sold-out Saturday naming the
night and offering other dates, which a click searches. Screenshots at 1366 and 390 px go to $SCREENSHOT_DIR
(default: the test's tmp dir)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from tests.test_browser_booking import CHROMIUM, browse, demo  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]

SIZES = [pytest.param(1366, 900, id="desktop"), pytest.param(390, 844, id="phone")]


def _next_friday():
    """A Friday over a week away, so the week before it is bookable whatever day today is."""
    today = timezone.localdate()
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7) + timedelta(days=7)


def _corporate_rate():
    from inventory.models import Hotel
    from pricing.models import RatePlan

    hotel = Hotel.objects.get(code="NYC")
    bar = RatePlan.objects.get(hotel=hotel, code="BAR")
    RatePlan.objects.get_or_create(hotel=hotel, code="ACME", defaults=dict(
        name="Acme corporate rate", description="Breakfast for two included", parent=bar,
        cancellation_policy=bar.cancellation_policy, derivation=RatePlan.Derivation.PERCENT,
        derivation_value=Decimal("20"), visibility=RatePlan.Visibility.CODE, access_code="ACME-NY"))


@pytest.mark.parametrize("width, height", SIZES)
def test_every_rate_of_each_room_side_by_side_and_a_code_opens_its_own(demo, shots, width, height):  # noqa: F811
    _corporate_rate()
    friday = _next_friday()

    def run(tab):
        tab.goto(demo.url + "/")
        check_in, check_out = tab.locator("#id_check_in"), tab.locator("#id_check_out")
        from inventory.models import Hotel
        from pricing.search import hotel_today

        # No past dates (the hotel's today: New York's, a day behind UTC in its evening); check-out follows
        # check-in (our script), by keyboard as well as by the picker.
        assert check_in.get_attribute("min") == hotel_today(Hotel.objects.get(code="NYC")).isoformat()
        check_in.focus()
        check_in.fill(friday.isoformat())
        check_in.dispatch_event("change")
        assert check_out.get_attribute("min") == (friday + timedelta(days=1)).isoformat()
        assert check_out.input_value() >= (friday + timedelta(days=1)).isoformat()
        check_out.fill((friday + timedelta(days=3)).isoformat())
        tab.locator("#id_adults").fill("2")
        assert tab.locator("#id_rate_plan").input_value() == ""          # "All rates"
        tab.keyboard.press("Enter")
        tab.wait_for_selector(".room-result")

        rooms = tab.locator("article.room-result")
        assert rooms.count() == 3
        for i in range(3):
            assert rooms.nth(i).locator("li.rate").count() >= 3          # five plans in the demo
        king = tab.locator("#room-DELUXE-KING")
        plans = king.locator("li.rate").evaluate_all("els => els.map(e => e.dataset.ratePlan)")
        assert plans == ["AAA", "BAR", "DEP", "FLEX", "HOTEL", "BB"]   # bed and breakfast: BAR + 30.00 a night
        assert king.locator("li.rate").first.locator(".per-night").inner_text().startswith("221.38 USD")
        # The search form folds into a one-line summary: the first offer and its Book button are above the fold.
        first_book = tab.locator("li.rate .button.book").first
        box = first_book.bounding_box()
        assert box["y"] + box["height"] <= height, box
        tab.screenshot(path=str(shots / f"search-rates-{width}-1-all-rates.png"), full_page=True)
        tab.screenshot(path=str(shots / f"search-rates-{width}-1-above-the-fold.png"))

        tab.locator(".search-edit > summary").click()
        tab.locator("#id_access_code").fill("acme-ny")
        tab.locator(".search-form button[type=submit]:not([name=party_update])").click()
        tab.wait_for_selector(".badge")
        first = tab.locator("#room-DELUXE-KING li.rate").first
        assert first.get_attribute("data-rate-plan") == "ACME"
        assert "Your code's rate" in first.inner_text() and "Breakfast for two included" in first.inner_text()
        assert first.locator(".per-night").inner_text().startswith("201.15 USD")
        href = first.locator("a.book").get_attribute("href")
        assert "room_type=DELUXE-KING" in href and "rate_plan=ACME" in href
        tab.screenshot(path=str(shots / f"search-rates-{width}-2-code-rate.png"), full_page=True)

    browse({"width": width, "height": height}, run)


@pytest.mark.parametrize("width, height", SIZES)
def test_a_sold_out_saturday_is_named_and_other_dates_are_one_click_away(demo, shots, width, height):  # noqa: F811
    from inventory.models import InventoryDay

    friday = _next_friday()
    saturday = friday + timedelta(days=1)
    InventoryDay.objects.filter(room_type__hotel__code="NYC", date=saturday).update(sold=F("total"))

    def run(tab):
        tab.goto(f"{demo.url}/search/?hotel=NYC&check_in={friday}&check_out={friday + timedelta(days=3)}"
                 "&adults=2")
        heading = tab.locator("#sold-out-title")
        assert heading.inner_text() == f"No rooms on {saturday:%a} {saturday.day} {saturday:%b}"
        assert tab.locator("article.room-result").count() == 0
        calendar = tab.locator("table.price-calendar")
        assert calendar.locator("td.full").count() == 3                  # the arrivals whose stay takes Saturday
        assert calendar.locator("td.open a").count() == 12
        tab.screenshot(path=str(shots / f"search-sold-out-{width}-1-other-dates.png"), full_page=True)

        nearest = tab.locator("ul.nearest a").first
        text = nearest.inner_text()
        nearest.focus()
        tab.keyboard.press("Enter")
        tab.wait_for_selector(".room-result")
        assert tab.locator("#sold-out-title").count() == 0
        assert re.match(r"\w{3} \d+ \w{3} → \w{3} \d+ \w{3}", text)
        arrival = friday - timedelta(days=2)                             # Wednesday: three nights before Saturday
        assert f"{arrival:%a} {arrival.day} {arrival:%b}" in tab.locator(".stay-summary").inner_text()
        tab.screenshot(path=str(shots / f"search-sold-out-{width}-2-new-dates.png"), full_page=True)

    browse({"width": width, "height": height}, run)
