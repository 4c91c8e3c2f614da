"""The Content-Security-Policy: sent on every page outside DEBUG, and no page of ours needs what it blocks.

The policy allows scripts and styles from this site only. A page that still carried an inline <script>, an
on...= handler, a <style> block or a style= attribute would lose that code or style in the browser without an
error on the server, so every guest page, every front-desk console page and every admin page is parsed here.
"""

from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from bookings.models import Reservation
from bookings.tests.booking_setup import GOOD_CARD
from bookings.tests.test_manage_support import book

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


class _InlineCode(HTMLParser):
    """Collects what a script-src/style-src 'self' policy without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.blocked, self.scripts = [], 0
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
            if name == "style":
                self.blocked.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}={value!r}>")
        if tag == "style":
            self.blocked.append("<style> block")
        if tag == "script":
            self.scripts += 1
            src = attrs.get("src")
            if not src:
                self._in_script = True
                self.blocked.append("inline <script>")
            elif urlparse(src).netloc:
                self.blocked.append(f"<script src={src!r}> from another origin")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.blocked[-1] = f"inline <script>{data.strip()[:60]}"


def assert_runs_under_the_policy(response, url):
    assert response.status_code == 200, (url, response.status_code)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy, policy
    parser = _InlineCode()
    parser.feed(response.content.decode())
    assert parser.blocked == [], (url, parser.blocked)
    return parser


def test_every_response_carries_the_enforced_policy(client, nyc):
    response = client.get("/")
    policy = {d.split()[0]: d.split()[1:] for d in response["Content-Security-Policy"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not merely reported
    for url in ("/admin/login/", "/api/v1/hotels/NYC/availability", "/manage/"):
        assert "script-src 'self'" in client.get(url)["Content-Security-Policy"], url


def test_the_guest_pages_need_no_inline_code(nyc, next_friday):
    client = Client()
    stay = {"hotel": "NYC", "check_in": next_friday.isoformat(),
            "check_out": (next_friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0,
            "rate_plan": "AAA"}
    for url in ("/", "/search/?" + urlencode(stay), "/manage/"):
        assert_runs_under_the_policy(client.get(url), url)

    book_url = "/book/?" + urlencode({**stay, "room_type": "DELUXE-KING", "promo_code": ""})
    page = client.get(book_url)
    assert assert_runs_under_the_policy(page, book_url).scripts == 3  # book.js, book_extras.js, child-ages.js
    form = page.context["form"]
    details = {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
               "phone": "+1 212 555 0199", "loyalty_number": "", "special_requests": "",
               "card_number": GOOD_CARD, "exp_month": "12", "exp_year": "2030", "cvc": "123",
               "holder_name": "John Smith", "expected_total": form["expected_total"].value(),
               "idempotency_key": form["idempotency_key"].value()}
    with_errors = client.post(book_url, {**details, "email": "not-an-email"})
    assert_runs_under_the_policy(with_errors, book_url)
    assert 'data-has-errors="1"' in with_errors.content.decode()  # book.js scrolls the form into view
    booked = client.post(book_url, details)
    assert booked.status_code == 302
    assert_runs_under_the_policy(client.get(booked["Location"]), booked["Location"])

    number = Reservation.objects.get().confirmation_number
    assert client.post("/manage/", {"confirmation_number": number, "last_name": "Smith"}).status_code == 302
    for url in ("/manage/booking/", "/manage/booking/change/", "/manage/booking/cancel/"):
        assert_runs_under_the_policy(client.get(url), url)


def test_the_front_desk_console_and_every_admin_page_need_no_inline_code(nyc, next_friday):
    stay = book(next_friday)
    client = Client()
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "a-long-passphrase-1"))
    console = [f"/admin/frontdesk/stay/{path}" for path in (
        "desk/", "rack/", "housekeeping/", f"{stay.pk}/check-in/", f"{stay.pk}/folio/", f"{stay.pk}/charge/")]
    pages = [*console, reverse("admin:index"), reverse("admin:inventory_hotel_change", args=[nyc.pk]),
             f"/admin/inventory/hotel/{nyc.pk}/inventory-grid/",
             reverse("admin:bookings_reservation_change", args=[stay.pk])]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        if model_admin.has_add_permission(type("R", (), {"user": User.objects.get(username="boss")})()):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    with time_machine.travel(datetime.combine(next_friday, time(15), tzinfo=NEW_YORK), tick=False):
        for url in pages:
            assert_runs_under_the_policy(client.get(url), url)
    assert_runs_under_the_policy(Client().get("/admin/login/"), "/admin/login/")


def test_the_api_docs_load_swagger_ui_from_its_cdn_and_no_inline_script(client):
    response = client.get("/api/docs/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.jsdelivr.net" in policy
    parser = _InlineCode()
    parser.feed(response.content.decode())
    # Swagger UI's own page keeps a small <style> block (cosmetic); no script runs inline.
    assert [b for b in parser.blocked if "script" in b and "another origin" not in b] == []
    init = client.get("/api/docs/?script=")
    assert init.status_code == 200 and "SwaggerUIBundle" in init.content.decode()
