"""Guest emails carry the hotel's brand (logo, colour) and how to reach it (phone, directions), and their HTML
and text parts say the same things: number, dates, total, the manage link, the phone and the map link."""

import html
import re
from datetime import date

import pytest
import time_machine
from django.core import mail

from inventory.tests.content_images import image_upload

from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db

FRIDAY = date(2027, 3, 26)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2027-03-02T15:00:00Z", tick=False):
        yield


def _text_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))


def test_the_confirmation_is_branded_and_both_parts_agree(nyc, settings, django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = "https://stay.grandhotel.example"
    nyc.brand_color, nyc.phone = "#1f4e79", "+1 212 555 0100"
    nyc.latitude, nyc.longitude = "40.750500", "-73.993400"
    nyc.logo = image_upload(1200, 200, name="logo.png", fmt="PNG", color=(31, 78, 121, 255))
    nyc.save()
    with django_capture_on_commit_callbacks(execute=True):
        r = book(FRIDAY)
    (message,) = mail.outbox
    text, markup = message.body, message.alternatives[0][0]

    assert 'style="background: #1f4e79; color: #ffffff;' in markup
    logo = re.search(r'<img src="([^"]+)" alt="Grand Hotel NYC"', markup).group(1)
    assert logo == nyc.email_logo_url and logo.startswith("https://stay.grandhotel.example/media/")
    assert '<a href="tel:+12125550100">+1 212 555 0100</a>' in markup
    map_url = "https://www.openstreetmap.org/?mlat=40.750500&mlon=-73.993400#map=17/40.750500/-73.993400"
    assert f'<a href="{html.escape(map_url)}">Directions (map)</a>' in markup
    assert f"Phone: +1 212 555 0100\nDirections (map): {map_url}" in text  # the text part is not HTML-escaped

    words = _text_of(markup)
    manage = re.search(r"https://stay\.grandhotel\.example/manage/link/\S+/", text).group(0)
    for fact in (r.confirmation_number, "664.14", "Friday, March 26, 2027", "Monday, March 29, 2027",
                 "3:00 PM", "11:00 AM", "+1 212 555 0100", nyc.address):
        assert fact in text and fact in words, fact
    assert f'href="{manage}"' in markup


def test_a_hotel_without_logo_or_colour_sends_a_plain_email_with_its_address(nyc, django_capture_on_commit_callbacks):
    nyc.brand_color = ""  # the seed gives NYC one
    nyc.save(update_fields=["brand_color"])
    with django_capture_on_commit_callbacks(execute=True):
        book(FRIDAY)
    (message,) = mail.outbox
    markup = message.alternatives[0][0]
    assert "<img" not in markup and "background:" not in markup
    assert "Grand Hotel NYC</strong><br>123 Main St, New York, NY 10001" in markup


def test_where_prices_include_tax_both_parts_say_how_much_tax_the_price_holds(nyc, django_capture_on_commit_callbacks):
    nyc.prices_include_tax = True
    nyc.save()
    with django_capture_on_commit_callbacks(execute=True):
        r = book(FRIDAY)
    (message,) = mail.outbox
    text, words = message.body, _text_of(message.alternatives[0][0])
    [tax] = [t for t in r.charge_lines["taxes"] if t.get("included")]
    # The seed's AAA stay, 12% inside each night's price: 170.10 + 197.10 + 179.10 = 546.30 holds 58.53.
    assert tax["amount"] == "58.53" and r.taxes == 0
    assert "Includes NYC Hotel Room Tax (12%)  58.53" in text
    assert "Includes NYC Hotel Room Tax (12%) 58.53" in words
