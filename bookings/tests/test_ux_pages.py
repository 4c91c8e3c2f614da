"""What a person sees on the pages after the UX review: hotel time, defaults shown, clear totals."""

from datetime import timedelta

import pytest
from django.utils import dateformat

from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db


def test_reservation_admin_shows_times_in_the_hotels_time(admin_client, nyc, next_friday):
    r = book(next_friday)
    page = admin_client.get(f"/admin/bookings/reservation/{r.pk}/change/").content.decode()
    thursday = next_friday - timedelta(days=1)
    assert "Times on this page are in the hotel's time (America/New_York)." in page
    # Free until 24 hours before the 3 PM check-in, New York time (not 8 p.m. UTC). Django's admin writes the
    # month AP-style ("N"): "Jan.", "April", "Sept.", so the month is spelled by Django, the rest by hand.
    assert f"{dateformat.format(thursday, 'N')} {thursday.day}, {thursday.year}, 3 p.m." in page


def test_search_without_a_party_shows_the_party_it_searched_for(client, nyc, next_friday):
    html = client.get(f"/search/?hotel=NYC&check_in={next_friday}&check_out={next_friday + timedelta(days=2)}"
                      ).content.decode()
    assert 'name="adults" value="1"' in html and 'name="children" value="0"' in html
    assert "· 1 adult\n" in html or "· 1 adult " in html


def test_manage_pages_style_the_status_and_offer_a_way_back_after_cancelling(client, nyc, next_friday):
    r = book(next_friday)
    client.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"})
    page = client.get("/manage/booking/").content.decode()
    assert 'class="status status-confirmed"' in page and "Search for a new stay" not in page
    client.post("/manage/booking/cancel/", {"confirm": "1", "expected_penalty": "0.00"})
    page = client.get("/manage/booking/").content.decode()
    assert 'class="msg success"' in page and "is cancelled" in page
    assert 'class="status status-cancelled"' in page and "Search for a new stay" in page
    assert "Paid, after refunds" in page
