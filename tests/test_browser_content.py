"""The hotel's page with its content: photos from their renditions (srcset), facts, amenities, map link. In a real
browser, on a desktop and on a 390 px phone; and the room type's admin page with a photo's preview.

Screenshots are written to $SCREENSHOT_DIR (default: the test's tmp dir) as content-<width>-<step>.png.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from tests.test_browser_booking import (
    browse,
    pytestmark,  # noqa: F401  (browser, chromium present, transactional db)
)

VIEWPORTS = pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
                                    ids=["desktop", "phone-390"])


@pytest.fixture
def seeded(live_server, settings):
    settings.ROOT_URLCONF = "inventory.tests.media_urls"  # the test server has no DEBUG to serve uploads
    call_command("seed_demo", "--photos", stdout=StringIO())  # with the placeholder photos and logo


def _fits(tab, width):
    assert tab.evaluate("document.documentElement.scrollWidth") <= width


@VIEWPORTS
def test_the_hotel_page_shows_photos_facts_and_amenities(seeded, live_server, shots, viewport):
    from inventory.models import HotelPhoto

    width = viewport["width"]
    small = HotelPhoto.objects.get(hotel__code="NYC", sort_order=0).image_480.url

    def run(tab):
        tab.goto(live_server.url + "/hotels/NYC/")
        assert tab.locator("h1").inner_text() == "Grand Hotel NYC"
        _fits(tab, width)
        lobby = tab.locator(".hotel-content .photo-strip img").first
        lobby.wait_for()
        tab.wait_for_function("document.querySelector('.hotel-content img').complete")
        assert lobby.get_attribute("alt") == "Lobby with oak panelling, brass lamps and a long reception desk"
        # 88 % of a phone, half the page on a desktop: at 1x the browser takes the 480 px rendition from srcset.
        assert lobby.evaluate("img => img.currentSrc") == live_server.url + small
        assert lobby.bounding_box()["y"] < viewport["height"]  # the first photo is seen without scrolling
        tab.screenshot(path=str(shots / f"content-{width}-1-hotel.png"))
        assert tab.get_by_role("link", name="Show on map").get_attribute("href").startswith(
            "https://www.openstreetmap.org/?mlat=40.750568&mlon=-73.993519")
        assert tab.locator(".house-rules li").count() == 4
        king = tab.locator("#room-DELUXE-KING")
        king.scroll_into_view_if_needed()
        assert king.locator(".room-facts").inner_text().split("\n") == [
            "1 King bed", "42 m² (452 sq ft)", "City view", "Sleeps up to 3"]
        assert "Rain shower" in king.locator(".amenities").inner_text()
        assert king.locator(".amenities svg").count() == 7
        broken = tab.evaluate("[...document.images].filter(i => i.complete && i.naturalWidth === 0).length")
        assert broken == 0
        tab.screenshot(path=str(shots / f"content-{width}-2-full.png"), full_page=True)

    browse(viewport, run)


def test_the_room_types_admin_page_previews_its_photos(seeded, live_server, shots):
    from django.contrib.auth import get_user_model

    from inventory.models import RoomType

    get_user_model().objects.create_superuser("contentboss", "boss@example.com", "content-boss-pw")
    king = RoomType.objects.get(hotel__code="NYC", code="DELUXE-KING")

    def run(tab):
        tab.goto(live_server.url + "/admin/login/")
        tab.fill("#id_username", "contentboss")
        tab.fill("#id_password", "content-boss-pw")
        tab.click("input[type=submit]")
        tab.goto(live_server.url + f"/admin/inventory/roomtype/{king.pk}/change/")
        previews = tab.locator("td.field-preview img")
        assert previews.count() == 2
        tab.wait_for_function("[...document.querySelectorAll('td.field-preview img')].every(i => i.complete)")
        assert previews.first.evaluate("img => img.naturalWidth") == 480  # no srcset: the file's own width
        tab.screenshot(path=str(shots / "content-1366-3-admin-room-type.png"), full_page=True)

    browse({"width": 1366, "height": 900}, run)
