"""The guest search page: the form, the results with every figure, and errors shown in the form."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone


def search_page(client, **params):
    return client.get("/search/", params)


def stay(friday, nights=3, **extra):
    return {"hotel": "NYC", "check_in": friday.isoformat(), "check_out": (friday + timedelta(days=nights)).isoformat(),
            "adults": 2, "children": 0, **extra}


def test_home_page_shows_the_search_form(client, nyc):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    for name in ("hotel", "check_in", "check_out", "adults", "children", "rate_plan", "promo_code"):
        assert f'name="{name}"' in html
    assert '<option value="NYC" selected>Grand Hotel NYC</option>' in html
    assert '<option value="AAA">AAA Member Rate</option>' in html
    assert 'type="date"' in html
    assert 'name="viewport"' in html                         # works on a phone
    assert "/static/css/site.css" in html


def test_pages_load_no_asset_from_another_site(client, nyc, next_friday):
    for r in (client.get("/"), search_page(client, **stay(next_friday))):
        # Scripts, style sheets and images (a link to a map is not an asset: it leaves the page).
        assert not re.search(r'<(script|link|img|source)\b[^>]*(src|href|srcset)="(https?:)?//', r.content.decode())


def test_results_show_the_seed_figures_and_the_cancellation_terms(client, nyc, next_friday):
    r = search_page(client, **stay(next_friday, rate_plan="AAA"))
    assert r.status_code == 200
    html = r.content.decode()
    king = html[html.index('id="room-DELUXE-KING"'):]
    king = king[:king.index("</article>")]
    for figure in ("189.00", "219.00", "199.00", "607.00", "-60.70", "72.84", "45.00", "664.14"):
        assert figure in king
    thursday = next_friday - timedelta(days=1)
    assert f"Free cancellation until {thursday:%A, %B} {thursday.day}, {thursday.year} 3:00 PM E" in king
    assert "Deluxe King Room" in king and "450 sq ft with city view" in king
    assert "5 rooms available" in king


def test_each_result_links_to_booking_with_the_whole_search(client, nyc, next_friday):
    html = search_page(client, **stay(next_friday, rate_plan="AAA", promo_code="WINTER10")).content.decode()
    links = re.findall(r'href="(/book/\?[^"]+)"', html)
    assert len(links) == 3
    king = next(link for link in links if "DELUXE-KING" in link).replace("&amp;", "&")
    assert king == (f"/book/?hotel=NYC&room_type=DELUXE-KING&rate_plan=AAA&check_in={next_friday.isoformat()}"
                    f"&check_out={(next_friday + timedelta(days=3)).isoformat()}&adults=2&children=0"
                    "&promo_code=WINTER10")


def test_an_error_is_shown_in_the_form_and_the_values_are_kept(client, nyc, next_friday):
    params = stay(next_friday, 0, promo_code="WINTER10", rate_plan="AAA")
    r = search_page(client, **params)
    assert r.status_code == 200
    html = r.content.decode()
    assert "Check-out must be after check-in." in html
    assert f'value="{next_friday.isoformat()}"' in html
    assert 'value="WINTER10"' in html
    assert '<option value="AAA" selected>' in html
    assert 'id="room-' not in html


@pytest.mark.parametrize("params, message", [
    ({"adults": "0"}, "At least one adult is required."),
    ({"children": "-1"}, "Children cannot be negative."),
    ({"rate_plan": "NOPE"}, "Grand Hotel NYC has no rate plan NOPE."),
    ({"promo_code": "FREEBIE"}, "FREEBIE is not a valid promotion code."),
    ({"hotel": "XYZ"}, "No hotel with code XYZ."),
    ({"check_in": "2024-13-45"}, "check_in must be a date in the form YYYY-MM-DD."),
])
def test_the_page_shows_the_same_messages_as_the_api(client, nyc, next_friday, params, message):
    html = search_page(client, **{**stay(next_friday), **params}).content.decode()
    assert message in html


def test_past_dates_are_refused_in_the_form(client, nyc):
    yesterday = timezone.localdate() - timedelta(days=2)
    html = search_page(client, **stay(yesterday, 2)).content.decode()
    assert "Check-in cannot be in the past." in html


def test_no_rooms_left_says_so(client, nyc, next_friday):
    html = search_page(client, **stay(next_friday, adults=9)).content.decode()
    assert "That party is too large" not in html
    assert "No rooms are available" in html


def test_nasty_input_never_breaks_the_page(client, nyc, next_friday):
    for value in ("\x00", "a" * 3000, "🏨", "9" * 50, "<script>alert(1)</script>"):
        for field in ("hotel", "check_in", "adults", "rate_plan", "promo_code"):
            r = search_page(client, **{**stay(next_friday), field: value})
            assert r.status_code == 200
            assert "<script>alert(1)</script>" not in r.content.decode()


def test_a_free_window_already_over_is_not_offered_as_free(client, nyc):
    ny = ZoneInfo("America/New_York")
    tonight = datetime.combine(timezone.localdate(), time(22), tzinfo=ny)
    with time_machine.travel(tonight, tick=False):
        arrival = timezone.localtime(timezone.now(), ny).date() + timedelta(days=1)
        html = search_page(client, **stay(arrival, 1)).content.decode()
    assert 'class="ok">Free cancellation until' not in html
    assert f"Free cancellation ended {tonight:%A, %B} {tonight.day}, {tonight.year} 3:00 PM" in html
