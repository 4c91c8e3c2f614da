"""The guest's own request: the same answer for every address, a signed link that works once within its time."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from bookings.models import Guest
from privacy.models import DataRequest, ErasureRecord

from .conftest import EMAIL, LAST, at

pytestmark = pytest.mark.django_db


def _ask(client, email, deliver):
    with deliver(execute=True):
        response = client.post("/privacy/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/privacy/"
    return client.get("/privacy/")


def _answer(page) -> str:
    """The page without its CSRF token (which differs per rendering)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())


def _link() -> str:
    [message] = [m for m in mail.outbox if m.subject == "Your data at Grand Hotels: your link"]
    assert message.to == [EMAIL]
    return re.search(r"http://127\.0\.0\.1:8000(/privacy/link/[^/\s]+/)", message.body).group(1)


def test_the_same_answer_for_a_known_and_an_unknown_address(past_guest, departed,
                                                             django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with departed:
        known = _ask(Client(), EMAIL.upper(), django_capture_on_commit_callbacks)
        unknown = _ask(Client(), "nobody@example.com", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert _answer(known) == _answer(unknown)
    assert "If we hold data for this email address, we have sent it a link." in _answer(known)
    assert [m.to for m in mail.outbox] == [[EMAIL]]  # only the known address gets a link
    assert DataRequest.objects.count() == 1


def test_the_link_downloads_the_data_once(past_guest, departed, django_capture_on_commit_callbacks):
    stay, _ = past_guest
    with departed:
        _ask(Client(), EMAIL, django_capture_on_commit_callbacks)
        link, guest_browser = _link(), Client()
        page = guest_browser.get(link)
        assert page.status_code == 200 and "Download my data" in page.content.decode()
        download = guest_browser.post(link, {"action": "download"})
        assert download.status_code == 200 and download["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
            data = json.loads(archive.read("data.json"))
        assert data["guest"]["last_name"] == LAST and len(data["reservations"]) == 2

        again = guest_browser.post(link, {"action": "download"})
        assert again.status_code == 410 and "This link has already been used." in again.content.decode()
        assert guest_browser.get(link).status_code == 410
    assert DataRequest.objects.get().used_for == "EXPORT"


def test_an_expired_or_forged_link_is_refused(past_guest, next_friday, django_capture_on_commit_callbacks):
    with at(next_friday + timedelta(days=4), 12):
        _ask(Client(), EMAIL, django_capture_on_commit_callbacks)
        link = _link()
    with at(next_friday + timedelta(days=5), 11, 59):  # 23 h 59 min later: still good
        assert Client().get(link).status_code == 200
    with at(next_friday + timedelta(days=5), 12):
        expired = Client().post(link, {"action": "download"})
    assert expired.status_code == 410 and "This link has expired." in expired.content.decode()

    token = link.split("/")[-2]
    forged = f"/privacy/link/{token[:-3]}{'AAA' if token[-3:] != 'AAA' else 'BBB'}/"
    with at(next_friday + timedelta(days=4), 13):
        refused = Client().post(forged, {"action": "download"})
    assert refused.status_code == 404 and "This link is not valid." in refused.content.decode()
    assert DataRequest.objects.get().used_at is None


def test_the_guest_erases_their_data_from_the_link(past_guest, departed, django_capture_on_commit_callbacks):
    stay, _ = past_guest
    with departed:
        _ask(Client(), EMAIL, django_capture_on_commit_callbacks)
        link, browser = _link(), Client()
        unconfirmed = browser.post(link, {"action": "erase"})
        assert unconfirmed.status_code == 200 and Guest.objects.get(pk=stay.guest_id).last_name == LAST
        done = browser.post(link, {"action": "erase", "confirm": "on"})
    assert done.status_code == 200 and "Your data has been erased" in done.content.decode()
    assert Guest.objects.get(pk=stay.guest_id).last_name == "[erased]"
    assert ErasureRecord.objects.get().reason == "GUEST_REQUEST"
    # An erased guest's address is known no more: nothing is sent for it.
    mail.outbox.clear()
    with departed:
        _ask(Client(), EMAIL, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_erasure_from_the_link_waits_for_an_upcoming_stay(past_guest, departed, next_friday,
                                                           django_capture_on_commit_callbacks):
    from privacy.tests.conftest import _rebook

    stay, _ = past_guest
    with departed:
        upcoming = _rebook(next_friday + timedelta(days=56))
        _ask(Client(), EMAIL, django_capture_on_commit_callbacks)
        link = _link()
        blocked = Client().post(link, {"action": "erase", "confirm": "on"})
        assert blocked.status_code == 409 and upcoming.confirmation_number in blocked.content.decode()
        assert Client().post(link, {"action": "download"}).status_code == 200  # the link was not used up
    assert Guest.objects.get(pk=stay.guest_id).last_name == LAST


def test_requests_are_throttled_per_email_address(past_guest, departed, django_capture_on_commit_callbacks):
    with departed:
        for n in range(3):
            _ask(Client(REMOTE_ADDR=f"10.0.0.{n}"), EMAIL, django_capture_on_commit_callbacks)
        refused = Client(REMOTE_ADDR="10.0.0.9").post("/privacy/", {"email": EMAIL})
        unknown = [Client(REMOTE_ADDR=f"10.0.1.{n}").post("/privacy/", {"email": "x@example.com"})
                   for n in range(4)]
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert [r.status_code for r in unknown] == [302, 302, 302, 429]  # the same for an unknown address
    assert DataRequest.objects.count() == 3
