"""The signed "manage my booking" link in every guest email: absolute, expiring, and good for its booking only."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client

from bookings.cancellations import reservation_cancel
from bookings.manage_links import SALT, manage_token, manage_url
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway

from .test_manage_support import _fresh_cache, book, local  # noqa: F401

pytestmark = pytest.mark.django_db

BASE = "https://stay.grandhotel.example"


@pytest.fixture(autouse=True)
def _public_base_url(settings):
    settings.PUBLIC_BASE_URL = BASE + "/"


def _links(message) -> tuple[str, str]:
    """The manage link in the text body and in the HTML body of an email."""
    text = re.findall(rf"{re.escape(BASE)}/manage/link/[^\s]+/", message.body)
    html = re.findall(rf'href="({re.escape(BASE)}/manage/link/[^"]+/)"', message.alternatives[0][0])
    assert len(text) == 1 and len(html) == 1, (message.body, message.alternatives[0][0])
    return text[0], html[0]


def _open(link: str, client=None):
    client = client or Client()
    return client, client.get(urlsplit(link).path)


def test_every_guest_email_carries_an_absolute_link_that_opens_the_booking(nyc, next_friday,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = book(next_friday)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(), actor="test",
                           request=ModificationRequest(check_in=next_friday, check_out=next_friday
                                                       + timedelta(days=2), adults=2, children=0))
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="Plans changed",
                           gateway=TestGateway(), actor="test")

    subjects = [m.subject.split(":")[0] for m in mail.outbox]
    assert subjects == ["Your reservation at Grand Hotel NYC is confirmed",
                        "Your reservation at Grand Hotel NYC has been changed",
                        "Your reservation at Grand Hotel NYC is cancelled"]
    for message in mail.outbox:
        text_link, html_link = _links(message)
        assert text_link == html_link and text_link.startswith(BASE + "/manage/link/")
        client, response = _open(text_link)  # a browser that never typed anything
        assert response.status_code == 302 and response["Location"] == "/manage/booking/"
        page = client.get("/manage/booking/").content.decode()
        assert r.confirmation_number in page and "John Smith" in page
        assert client.get(f"/booking/{r.confirmation_number}/").context["r"] == r  # the confirmation page too


def test_the_link_in_the_confirmation_email_says_where_to_go_when_there_is_no_link(nyc, next_friday,
                                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(next_friday)
    assert "no login needed" in mail.outbox[0].body


def test_the_link_works_until_the_end_of_the_30th_day_after_check_out_in_hotel_time(nyc, next_friday):
    r = book(next_friday)
    link = manage_url(r)
    last_day = r.check_out + timedelta(days=30)

    with time_machine.travel(local(last_day, 23, 59), tick=False):
        assert _open(link)[1].status_code == 302
    with time_machine.travel(local(last_day + timedelta(days=1), 0, 0), tick=False):
        client, response = _open(link)
    assert response.status_code == 410
    text = response.content.decode()
    assert "This link has expired." in text and "30 days after check-out" in text
    assert r.confirmation_number not in text and "Smith" not in text
    assert client.get("/manage/booking/")["Location"] == "/manage/"


def test_a_tampered_or_foreign_link_is_refused_with_a_clear_page(nyc, next_friday):
    r = book(next_friday)
    token = manage_token(r)
    payload = {"r": r.pk, "n": r.confirmation_number, "until": "2999-12-31"}
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        token[:20],  # cut short
        signing.dumps(payload),  # signed for another purpose (no salt)
        signing.dumps(payload, salt=SALT, key="not-our-secret-key"),
        signing.dumps(["not", "a", "dict"], salt=SALT),
        signing.dumps({"r": r.pk}, salt=SALT),
        signing.dumps({"r": "x", "n": r.confirmation_number, "until": "soon"}, salt=SALT),
        "%00", "a" * 3000,
    ]
    for bad in forged:
        client = Client()
        response = client.get(f"/manage/link/{bad}/")
        assert response.status_code == 404, bad
        assert "This link is not valid." in response.content.decode()
        assert client.get("/manage/booking/")["Location"] == "/manage/"


def test_the_link_reaches_only_its_booking(nyc, next_friday):
    mine = book(next_friday)
    other = book(next_friday, email="jane@example.com", last_name="Doe")
    client, response = _open(manage_url(mine))
    assert response.status_code == 302

    assert client.get("/manage/booking/").context["r"] == mine
    assert "Doe" not in client.get(f"/booking/{other.confirmation_number}/").content.decode()
    # A link names its booking by id and number, both signed: pointing it at another booking fails.
    swapped = signing.dumps({"r": other.pk, "n": mine.confirmation_number, "until": "2999-12-31"}, salt=SALT)
    assert Client().get(f"/manage/link/{swapped}/").status_code == 404
    stranger = Client()
    response = stranger.get(f"/booking/{other.confirmation_number}/?link={manage_token(mine)}")
    assert response.status_code == 404 and "Doe" not in response.content.decode()
    assert "Doe" not in stranger.get(f"/booking/{other.confirmation_number}/").content.decode()


def test_the_confirmation_page_accepts_the_link_and_drops_it_from_the_address(nyc, next_friday):
    r = book(next_friday)
    client = Client()
    response = client.get(f"/booking/{r.confirmation_number}/?link={manage_token(r)}")
    assert response.status_code == 302 and response["Location"] == f"/booking/{r.confirmation_number}/"
    page = client.get(response["Location"])
    assert page.context["r"] == r and "664.14" in page.content.decode()


def test_a_guest_locked_out_of_typing_still_gets_in_with_the_link(nyc, next_friday):
    r = book(next_friday)
    for i in range(25):
        Client().post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": f"Wrong{i}"},
                      REMOTE_ADDR=f"198.51.100.{i}")
    typed = Client().post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"})
    assert "Too many attempts" in typed.content.decode()

    client, response = _open(manage_url(r))
    assert response.status_code == 302 and client.get("/manage/booking/").context["r"] == r
