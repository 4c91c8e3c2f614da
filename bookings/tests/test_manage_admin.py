"""Cancel and change dates from a reservation's admin page, through the same services."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.models import Payment, Reservation, Status

from .test_manage_support import _fresh_cache, book, check_in_at, sold  # noqa: F401

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def url(r, action=""):
    return f"/admin/bookings/reservation/{r.pk}/{action}"


def test_the_reservation_page_offers_change_and_cancel(admin_client, nyc, next_friday):
    r = book(next_friday)
    page = admin_client.get(url(r, "change/")).content.decode()
    assert url(r, "change-dates/") in page and url(r, "cancel/") in page
    assert "Change dates" in page and "Cancel reservation" in page


def test_admin_cancel_shows_terms_then_cancels_with_the_reason(admin_client, admin_user, nyc, next_friday):
    # A week further out, so that 36 hours before check-in is always after the booking was made.
    friday = next_friday + timedelta(days=7)
    r = book(friday)
    with time_machine.travel(check_in_at(r) - 36 * H, tick=False):
        page = admin_client.get(url(r, "cancel/")).content.decode()
        assert "Free cancellation" in page and "664.14 USD" in page
        assert 'name="expected_penalty" value="0.00"' in page
        assert admin_client.post(url(r, "cancel/"), {"expected_penalty": "0.00"}).status_code == 200  # reason needed
        response = admin_client.post(url(r, "cancel/"), {"reason": "Guest phoned: illness",
                                                         "expected_penalty": "0.00", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == url(r, "change/")
    r.refresh_from_db()
    assert r.status == Status.CANCELLED and r.cancellation_reason == "Guest phoned: illness"
    change = r.status_changes.last()
    assert change.changed_by == admin_user and "Guest phoned: illness" in change.note and "0.00" in change.note
    assert Payment.objects.get(reservation=r, kind="REFUND").amount == Decimal("664.14")
    assert sold(r.room_type, friday, 3) == [0, 0, 0]
    page = admin_client.get(url(r, "change/")).content.decode()
    assert "is cancelled. Penalty 0.00 USD, refund 664.14 USD (REFUNDED)." in page
    assert url(r, "cancel/") not in page
    # Cancelling again from a stale page is refused with the service's message.
    follow = admin_client.post(url(r, "cancel/"), {"reason": "again", "confirm": "1"}, follow=True)
    assert "already cancelled" in follow.content.decode()


def test_admin_change_dates_shows_the_new_price_then_confirms(admin_client, admin_user, nyc, next_friday):
    r = book(next_friday)
    tuesday = next_friday + timedelta(days=4)
    form = {"check_in": str(next_friday), "check_out": str(tuesday), "adults": 2, "children": 0}
    page = admin_client.post(url(r, "change-dates/"), {**form, "quote": "1"}).content.decode()
    assert "DATE_EXTENSION" in page and "871.92" in page and "207.78" in page
    assert Reservation.objects.get(pk=r.pk).grand_total == Decimal("664.14")
    response = admin_client.post(url(r, "change-dates/"), {**form, "expected_total": "871.92", "confirm": "1"})
    assert response.status_code == 302
    r.refresh_from_db()
    assert (r.check_out, r.grand_total) == (tuesday, Decimal("871.92"))
    assert r.status_changes.last().changed_by == admin_user
    assert sold(r.room_type, next_friday, 5) == [1, 1, 1, 1, 0]


def test_admin_change_errors_show_in_the_form(admin_client, nyc, next_friday):
    r = book(next_friday)
    page = admin_client.post(url(r, "change-dates/"), {"check_in": str(next_friday), "check_out": str(next_friday),
                                                       "adults": 2, "children": 0, "quote": "1"}).content.decode()
    assert "Check-out must be after check-in." in page


def test_staff_without_the_permission_cannot_manage(client, nyc, next_friday, django_user_model):
    r = book(next_friday)
    staff = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(url(r, "cancel/")).status_code == 403
    assert client.get(url(r, "change-dates/")).status_code == 403
