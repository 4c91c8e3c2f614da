"""A revenue manager sets occupancy prices in the admin, in a real browser: the included adults, the extra adult
and the single price on a BAR season, and child prices by age on the plan; a wrong combination is refused with
a message. Screenshots at desktop width and at 390 px go to $SCREENSHOT_DIR."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from tests import test_browser_booking as booking

pytestmark = booking.pytestmark
demo, page = booking.demo, booking.page

PASSWORD = "correct horse battery staple"


@pytest.fixture
def manager_page(page, demo):
    User.objects.create_superuser("revenue", "revenue@grandhotel.example", PASSWORD)
    page.goto(demo.url + "/admin/login/")
    page.fill("#id_username", "revenue")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(demo.url + "/admin/")
    return page


@pytest.mark.parametrize("width, height, label", [(1366, 900, "desktop"), (390, 844, "phone")])
def test_occupancy_prices_on_a_season_and_child_prices_on_the_plan(manager_page, demo, shots, width, height,
                                                                   label):
    from pricing.models import ChildAgeBand, Rate, RatePlan

    page = manager_page
    page.set_viewport_size({"width": width, "height": height})
    bar = RatePlan.objects.get(hotel__code="NYC", code="BAR")
    season = Rate.objects.filter(rate_plan=bar, room_type__code="JUNIOR-SUITE").first()

    page.goto(f"{demo.url}/admin/pricing/rate/{season.pk}/change/")
    assert "The nightly prices are for the included adults" in page.inner_text("fieldset:has(#id_base_occupancy)")
    page.fill("#id_extra_adult_amount", "40")
    page.click("input[name=_continue]")
    # An extra adult without included adults means nothing: the form says so and saves nothing.
    assert "Set the included adults first." in page.inner_text(".field-extra_adult_amount")
    assert Rate.objects.get(pk=season.pk).extra_adult_amount == 0
    shot = shots / f"occupancy-season-refused-{label}.png"
    page.screenshot(path=str(shot), full_page=True)

    page.fill("#id_base_occupancy", "2")
    page.fill("#id_single_occupancy_discount", "20")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    season.refresh_from_db()
    assert (season.base_occupancy, season.extra_adult_amount, season.single_occupancy_discount) == (
        2, Decimal("40.000"), Decimal("20.000"))
    page.screenshot(path=str(shots / f"occupancy-season-{label}.png"), full_page=True)

    page.goto(f"{demo.url}/admin/pricing/rateplan/{bar.pk}/change/")
    assert "A child older than every band is priced as an adult" in page.inner_text("#content-main")
    suite_row = page.locator("#rates-group tr.has_original", has_text="BAR JUNIOR-SUITE")
    assert "2 adults; +40.00 an extra adult; 20.00 off single" in suite_row.inner_text()
    group = page.locator("#child_bands-group")
    for up_to, kind, value in (("2", "FREE", ""), ("11", "AMOUNT", "25"), ("17", "ADULT", "")):
        group.locator("a", has_text="Add another").click()
        row = group.locator("tr.form-row.dynamic-child_bands").last
        row.locator("input[name$=up_to_age]").fill(up_to)
        row.locator("select[name$=kind]").select_option(kind)
        row.locator("input[name$=value]").fill(value)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    assert [(b.up_to_age, b.kind, b.value) for b in ChildAgeBand.objects.filter(rate_plan=bar)] == [
        (2, "FREE", None), (11, "AMOUNT", Decimal("25.000")), (17, "ADULT", None)]
    page.locator("#child_bands-group").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"occupancy-child-bands-{label}.png"), full_page=True)
