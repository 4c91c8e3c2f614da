"""The guest's "Manage my booking" pages: look up, see, change dates, cancel."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db.models import F
from django.test import Client

from bookings.forms_manage import NOT_FOUND
from bookings.models import Payment, Reservation, Status
from inventory.models import InventoryDay

from .test_manage_support import _fresh_cache, book, check_in_at, local, sold  # noqa: F401

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def lookup(client, number, last_name="Smith", ip="203.0.113.7"):
    return client.post("/manage/", {"confirmation_number": number, "last_name": last_name}, REMOTE_ADDR=ip)


@pytest.fixture
def guest(nyc, next_friday):
    """A booked guest's browser, signed in to Manage my booking."""
    r = book(next_friday)
    client = Client()
    response = lookup(client, r.confirmation_number.lower(), "smith")
    assert response.status_code == 302 and response["Location"] == "/manage/booking/"
    return client, r


def test_lookup_shows_the_booking(guest, next_friday):
    client, r = guest
    page = client.get("/manage/booking/").content.decode()
    assert r.confirmation_number in page and "Confirmed" in page and "Deluxe King Room" in page
    assert f"{next_friday:%A, %B} {next_friday.day}" in page and "664.14" in page
    thursday = next_friday - timedelta(days=1)
    assert "Flexible 24-Hour" in page
    zone = local(thursday).strftime("%Z")  # EST or EDT
    assert f"Free cancellation until {thursday:%A, %B} {thursday.day}, {thursday.year} 3:00 PM {zone}" in page
    assert "Change dates" in page and "Cancel booking" in page


def test_a_wrong_pair_reveals_nothing(nyc, next_friday):
    r = book(next_friday)
    client = Client()
    wrong_name = lookup(client, r.confirmation_number, "Jones")
    no_such_number = lookup(client, "GH-NYC-2099010199999", "Smith")
    for response in (wrong_name, no_such_number):
        assert response.status_code == 200
        assert str(NOT_FOUND) in response.content.decode()
        assert r.confirmation_number not in response.content.decode().replace(
            f'value="{r.confirmation_number}"', "")
    assert client.get("/manage/booking/")["Location"] == "/manage/"


def test_repeated_guessing_is_slowed_down(nyc, next_friday):
    r = book(next_friday)
    client = Client()
    for i in range(5):
        assert str(NOT_FOUND) in lookup(client, f"GH-NYC-2099010100{i:03d}").content.decode()
    # Locked out: even the right pair is not checked until the window passes.
    response = lookup(client, r.confirmation_number)
    assert response.status_code == 200
    assert "Too many attempts. Please try again in 15 minutes." in response.content.decode()
    # Another address is not blocked ...
    assert lookup(Client(), r.confirmation_number, ip="198.51.100.1").status_code == 302
    # ... and after the window the first one may try again.
    with _later(16 * 60):
        assert lookup(client, r.confirmation_number).status_code == 302


def _later(seconds):
    from django.utils import timezone

    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def test_a_few_wrong_names_on_a_number_do_not_lock_its_guest_out(nyc, next_friday):
    r = book(next_friday)
    for i in range(5):
        lookup(Client(), r.confirmation_number, f"Wrong{i}", ip=f"198.51.100.{i}")
    assert lookup(Client(), r.confirmation_number, ip="192.0.2.50").status_code == 302


def test_guessing_names_for_one_number_is_slowed_down_from_any_address(nyc, next_friday):
    r = book(next_friday)
    for i in range(20):  # MANAGE_LOOKUP_BOOKING_MAX_ATTEMPTS, from 20 addresses
        assert str(NOT_FOUND) in lookup(Client(), r.confirmation_number, f"Wrong{i}", ip=f"198.51.100.{i}"
                                   ).content.decode()
    response = lookup(Client(), r.confirmation_number, ip="192.0.2.50")
    assert "Too many attempts. Please try again in 24 hours." in response.content.decode()
    assert "The link in your confirmation email opens your booking" in response.content.decode()


def test_change_dates_shows_the_new_price_then_confirms(guest, next_friday, django_capture_on_commit_callbacks):
    client, r = guest
    tuesday = next_friday + timedelta(days=4)
    form = {"check_in": str(next_friday), "check_out": str(tuesday), "adults": 2, "children": 0}
    page = client.post("/manage/booking/change/", {**form, "quote": ""}).content.decode()
    assert "New price" in page and "871.92" in page and "207.78" in page and "To pay now" in page
    assert 'name="expected_total" value="871.92"' in page
    assert Reservation.objects.get(pk=r.pk).grand_total == Decimal("664.14")  # nothing changed yet

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/manage/booking/change/", {**form, "expected_total": "871.92", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == "/manage/booking/"
    r.refresh_from_db()
    assert (r.check_out, r.grand_total) == (tuesday, Decimal("871.92"))
    assert "207.78" in mail.outbox[-1].body
    page = client.get("/manage/booking/").content.decode()
    assert "Your booking has been changed. New total: 871.92 USD." in page
    assert "207.78 USD was charged to your card ending 4242" in page


def test_change_errors_show_in_the_form(guest, next_friday):
    client, r = guest
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=r.room_type, date=monday).update(sold=F("total"))
    form = {"check_in": str(next_friday), "check_out": str(monday + timedelta(days=1)), "adults": 2, "children": 0}
    page = client.post("/manage/booking/change/", {**form, "quote": ""}).content.decode()
    assert "sold out on" in page and "error-box" in page and "Confirm the change" not in page
    page = client.post("/manage/booking/change/", {**form, "check_out": str(next_friday)}).content.decode()
    assert "Check-out must be after check-in." in page


def test_a_price_change_before_confirming_shows_the_new_total(guest, next_friday):
    client, r = guest
    form = {"check_in": str(next_friday), "check_out": str(next_friday + timedelta(days=4)), "adults": 2,
            "children": 0}
    page = client.post("/manage/booking/change/", {**form, "expected_total": "800.00", "confirm": "1"})
    assert "The price has changed" in page.content.decode() and 'value="871.92"' in page.content.decode()
    assert Reservation.objects.get(pk=r.pk).grand_total == Decimal("664.14")


def test_cancel_shows_penalty_and_refund_then_confirms(guest, django_capture_on_commit_callbacks):
    client, r = guest
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False):
        page = client.get("/manage/booking/cancel/").content.decode()
        assert "Within 24 hours" in page and "664.14 USD" in page and "0.00 USD" in page
        assert 'name="expected_penalty" value="664.14"' in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/manage/booking/cancel/", {"reason": "Flight cancelled",
                                                               "expected_penalty": "664.14", "confirm": "1"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == Status.CANCELLED and r.cancellation_reason == "Flight cancelled"
    assert r.status_changes.last().actor == "guest (manage my booking)"
    assert sold(r.room_type, r.check_in, 3) == [0, 0, 0]
    assert "cancelled" in mail.outbox[-1].subject
    page = client.get("/manage/booking/").content.decode()
    assert "is cancelled. Penalty: 664.14 USD. Refund: 0.00 USD." in page
    assert "Cancel booking" not in page and "Change dates" not in page


def test_cancel_after_the_deadline_passed_on_the_page_asks_again(guest):
    client, r = guest
    with time_machine.travel(check_in_at(r) - 24 * H + timedelta(minutes=1), tick=False):
        page = client.post("/manage/booking/cancel/", {"reason": "", "expected_penalty": "0.00", "confirm": "1"})
    content = page.content.decode()
    assert page.status_code == 200 and "The cancellation penalty has changed" in content
    assert 'name="expected_penalty" value="664.14"' in content
    assert Reservation.objects.get(pk=r.pk).status == Status.CONFIRMED
    assert not Payment.objects.filter(reservation__pk=r.pk, kind="REFUND").exists()


def test_free_cancellation_on_the_page_refunds(guest):
    client, r = guest
    with time_machine.travel(check_in_at(r) - 36 * H, tick=False):
        client.post("/manage/booking/cancel/", {"expected_penalty": "0.00", "confirm": "1"})
    assert Payment.objects.get(reservation__pk=r.pk, kind="REFUND").amount == Decimal("664.14")
    assert Reservation.objects.get(pk=r.pk).cancellation_reason == "Cancelled by the guest online"


def test_pages_need_a_looked_up_booking(nyc):
    client = Client()
    for url in ("/manage/booking/", "/manage/booking/change/", "/manage/booking/cancel/"):
        assert client.get(url)["Location"] == "/manage/"


def test_leaving_forgets_the_booking(guest):
    client, _ = guest
    client.post("/manage/leave/")
    assert client.get("/manage/booking/")["Location"] == "/manage/"


def test_a_checked_in_booking_cannot_be_cancelled_online(guest):
    from bookings.services import transition

    client, r = guest
    transition(r, "check_in_guest")
    r.save()
    response = client.get("/manage/booking/cancel/", follow=True)
    assert "Please contact the front desk for early departure" in response.content.decode()
