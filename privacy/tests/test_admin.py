"""The admin's guest data page: export and erase by permission, staff of the guest's hotels only."""

import io
import json
import zipfile

import pytest
from django.test import Client

from bookings.consent import MarketingConsent
from bookings.models import Guest
from privacy.models import ErasureRecord
from tests.factories import HotelFactory, staff_user

from .conftest import EMAIL, LAST

pytestmark = pytest.mark.django_db

EXPORT, ERASE = "privacy.export_guest_data", "privacy.erase_guest_data"


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(stay) -> str:
    return f"/admin/privacy/guestdata/{stay.guest_id}/change/"


def test_a_clerk_of_the_guests_hotel_exports_the_zip(past_guest, departed, nyc):
    stay, cancelled = past_guest
    clerk = _as(staff_user("nyc-clerk", perms=[EXPORT], hotels=[nyc]))
    with departed:
        listing = clerk.get("/admin/privacy/guestdata/").content.decode()
        page = clerk.get(_page(stay))
        download = clerk.post(_page(stay), {"action": "download"})
    assert EMAIL in listing
    assert page.status_code == 200
    html = page.content.decode()
    assert stay.confirmation_number in html and cancelled.confirmation_number in html and "USD 664.14" in html
    assert "Download the data (ZIP)" in html and "Erase personal data" not in html  # no erase permission
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        data = json.loads(archive.read("data.json"))
    assert data["scope"] == ["NYC"] and len(data["reservations"]) == 2


def test_a_clerk_of_another_hotel_cannot_export_the_guest(past_guest, departed):
    stay, _ = past_guest
    berlin = HotelFactory(code="BER")
    clerk = _as(staff_user("ber-clerk", perms=[EXPORT, ERASE], hotels=[berlin]))
    with departed:
        listing = clerk.get("/admin/privacy/guestdata/").content.decode()
        page = clerk.get(_page(stay))
        download = clerk.post(_page(stay), {"action": "download"})
        action = clerk.post("/admin/privacy/guestdata/", {"action": "export_zip", "_selected_action": [stay.guest_id]})
    assert EMAIL not in listing
    assert page.status_code == download.status_code == 404
    assert action.status_code == 302 and action.get("Content-Type") != "application/zip"  # nothing selected
    assert Guest.objects.get(pk=stay.guest_id).last_name == LAST


def test_without_the_permission_the_page_is_refused(past_guest, departed, nyc):
    stay, _ = past_guest
    clerk = _as(staff_user("no-perm", perms=["bookings.view_guest"], hotels=[nyc]))
    with departed:
        assert clerk.get(_page(stay)).status_code == 403
        assert clerk.post(_page(stay), {"action": "download"}).status_code == 403


def test_erasure_from_the_admin_needs_its_permission_and_is_recorded(past_guest, departed, nyc):
    stay, _ = past_guest
    exporter = _as(staff_user("exporter", perms=[EXPORT], hotels=[nyc]))
    eraser_user = staff_user("eraser", perms=[EXPORT, ERASE], hotels=[nyc])
    with departed:
        assert exporter.post(_page(stay), {"action": "erase"}).status_code == 403
        page = _as(eraser_user).post(_page(stay), {"action": "erase"}, follow=True).content.decode()
    assert "personal data erased" in page and "This guest's personal data has been erased." in page
    record = ErasureRecord.objects.get()
    assert (record.guest_id, record.erased_by, record.reason) == (stay.guest_id, eraser_user, "STAFF")


def test_the_admin_action_reports_a_blocked_erasure(past_guest, departed, nyc, next_friday):
    from datetime import timedelta

    from privacy.tests.conftest import _rebook

    stay, _ = past_guest
    eraser = _as(staff_user("eraser", perms=[EXPORT, ERASE], hotels=[nyc]))
    with departed:
        _rebook(next_friday + timedelta(days=56))
        page = eraser.post("/admin/privacy/guestdata/", {"action": "erase", "_selected_action": [stay.guest_id]},
                           follow=True).content.decode()
    assert "ERASURE_BLOCKED" in page and Guest.objects.get(pk=stay.guest_id).last_name == LAST


def test_staff_withdraw_a_marketing_consent(past_guest, departed, nyc):
    stay, _ = past_guest
    clerk = _as(staff_user("nyc-clerk", perms=[EXPORT], hotels=[nyc]))
    with departed:
        assert "Withdraw marketing consent" in clerk.get(_page(stay)).content.decode()
        clerk.post(_page(stay), {"action": "withdraw"})
    last = MarketingConsent.objects.filter(guest=stay.guest).last()
    assert (last.granted, last.source, last.actor) == (False, "ADMIN", "nyc-clerk")
