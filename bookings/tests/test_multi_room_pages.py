"""Several rooms in one booking on the guest pages: the search asks how many rooms, the book page gives each room its
own party, prices every room and the total, takes one payment; the confirmation and Manage my booking show every
room; cancelling cancels them all. The clock is pinned: Monday March 1, 2027; the seed's stay is Friday March 5 to
Monday March 8 on AAA, 664.14 a room, and with breakfast for two 828.78 a room (README)."""

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from urllib.parse import urlencode

import pytest
import time_machine
from django.core import mail

from bookings.models import Reservation
from bookings.payments.models import PaymentAttempt

pytestmark = pytest.mark.django_db

STAY = {"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": "2027-03-05",
        "check_out": "2027-03-08", "adults": 2, "children": 0, "promo_code": ""}
GUEST = {"first_name": "Ana", "last_name": "Ruiz", "email": "ana.ruiz@example.com", "phone": "", "loyalty_number": "",
         "special_requests": "", "billing_address": "", "card_number": "4242424242424242", "exp_month": "12",
         "exp_year": "2030", "cvc": "123", "holder_name": "Ana Ruiz"}


@pytest.fixture
def pinned():
    with time_machine.travel(datetime(2027, 3, 1, 15, tzinfo=UTC), tick=False):
        yield


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _book(**params) -> str:
    return "/book/?" + urlencode({**STAY, **params})


def _hidden(page) -> dict:
    form = page.context["form"]
    return {"expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()}


def test_the_search_asks_how_many_rooms_and_its_book_links_carry_them(pinned, nyc, client):
    page = client.get("/?" + urlencode({"hotel": "NYC", "check_in": "2027-03-05", "check_out": "2027-03-08",
                                        "adults": 2, "rooms": 2, "rate_plan": "AAA"}))
    html = page.content.decode()
    assert 'name="rooms"' in html and "2 rooms" in _text(page)
    king = re.search(r'id="rate-DELUXE-KING-AAA".*?</li>', html, re.S).group(0)
    assert "664.14 USD" in king and "1,328.28 USD for 2 rooms" in _text_of(king)
    assert "rooms=2" in re.search(r'href="(/book/\?[^"]+)"', king).group(1)


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_a_room_type_with_fewer_rooms_left_than_asked_is_not_offered_for_booking(pinned, nyc, client):
    page = client.get("/?" + urlencode({"hotel": "NYC", "check_in": "2027-03-05", "check_out": "2027-03-08",
                                        "adults": 2, "rooms": 4, "rate_plan": "AAA"}))
    suite = re.search(r'id="room-JUNIOR-SUITE".*?</article>', page.content.decode(), re.S).group(0)
    assert "Not enough rooms of this type left for 4 rooms." in _text_of(suite) and 'class="button book"' not in suite
    king = re.search(r'id="room-DELUXE-KING".*?</article>', page.content.decode(), re.S).group(0)
    assert 'class="button book"' in king


def test_two_rooms_with_their_own_party_and_breakfast_are_priced_room_by_room_and_paid_once(
        pinned, nyc, client, django_capture_on_commit_callbacks):
    url = _book(rooms=2, party="2-0,1-1", extras="BRKF:1")
    page = client.get(url)
    text = _text(page)
    assert "Room 1 · 2 adults" in text and "Room 2 · 1 adult, 1 child" in text
    assert text.count("Breakfast (6 guest-nights)") == 2 and text.count("828.78 USD") >= 2
    assert "Total for 2 rooms: 1,657.56 USD" in text and "Pay 1,657.56 USD and book" in text
    assert page.context["form"]["expected_total"].value() == Decimal("1657.56")
    assert 'id="room-2-children"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(url, {**GUEST, **_hidden(page)})
    assert booked.status_code == 302, _text(booked)[:2000]
    lead = Reservation.objects.get(lead__isnull=True)
    rooms = lead.booking_rooms()
    assert [(r.confirmation_number, r.adults, r.children, str(r.grand_total)) for r in rooms] == [
        (lead.confirmation_number, 2, 0, "828.780"), (f"{lead.confirmation_number}-2", 1, 1, "828.780")]
    assert [(e.code, str(e.amount)) for r in rooms for e in r.extras.all()] == [("BRKF", "147.000")] * 2
    attempts = PaymentAttempt.objects.filter(step="BOOKING")
    assert [(str(a.amount), a.state) for a in attempts] == [("1657.560", "SUCCEEDED")]  # one charge
    assert len(mail.outbox) == 1

    confirmation = _text(client.get(booked["Location"]))
    assert f"Room 1: Deluxe King Room {lead.confirmation_number}" in confirmation
    assert f"Room 2: Deluxe King Room {lead.confirmation_number}-2" in confirmation
    assert "Total for 2 rooms: 1,657.56 USD" in confirmation
    assert "Paid 1,657.56 USD by Visa ending in 4242." in confirmation

    client.post("/manage/", {"confirmation_number": lead.confirmation_number, "last_name": "Ruiz"})
    manage = _text(client.get("/manage/booking/"))
    assert "Room 1 Deluxe King Room, 2 adults" in manage and "Room 2 Deluxe King Room, 1 adult, 1 child" in manage
    assert "Total for 2 rooms 1,657.56 USD" in manage and "Paid 1,657.56" in manage
    assert "Charged now: 1,657.56 USD" in manage
    assert "Cancel every room" in manage and "Change dates" not in manage

    cancel = client.get("/manage/booking/cancel/")
    assert "Cancelling cancels the 2 rooms still booked" in _text(cancel)
    assert 'name="expected_penalty" value="0.00"' in cancel.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/manage/booking/cancel/", {"reason": "", "expected_penalty": "0.00", "confirm": "1"},
                           follow=True)
    assert "Refund: 1,657.56 USD." in _text(done)
    assert {r.status for r in Reservation.objects.all()} == {"CANCELLED"}


def test_the_rooms_form_sets_each_rooms_party(pinned, nyc, client):
    query = {**STAY, "party_form": "1", "rooms": "2", "room_adults": ["1", "3"], "room_children": ["0", "0"]}
    page = client.get("/book/?" + urlencode(query, doseq=True))
    assert [(r.quote.adults, r.quote.children) for r in page.context["booking"].rooms] == [(1, 0), (3, 0)]
    back_to_one = client.get("/book/?" + urlencode({**query, "rooms": "1"}, doseq=True))
    assert back_to_one.context["booking"].rooms[0].quote.adults == 1 and not back_to_one.context["multi_room"]
    assert "party=" not in back_to_one.context["search_url"]


@pytest.mark.parametrize("params, code, message", [
    ({"rooms": 10}, "INVALID_PARTY", "Book between 1 and 9 rooms at a time."),
    ({"rooms": "two"}, "INVALID_PARTY", "Book between 1 and 9 rooms at a time."),
    ({"rooms": 2, "party": "2-0,4-0"}, "INVALID_PARTY", "Room 2: Deluxe King Room takes at most 3 adults"),
    ({"rooms": 2, "party": "2-0,0-1"}, "INVALID_PARTY", "Room 2: At least one adult is required."),
    ({"rooms": 6}, "SOLD_OUT", "Sorry, only 5 rooms of the Deluxe King Room are free for these dates."),
])
def test_a_party_or_room_count_the_hotel_cannot_take_is_refused_with_its_code(pinned, nyc, client, params, code,
                                                                             message):
    page = client.get(_book(**params))
    html = page.content.decode()
    assert page.status_code == 200 and f'data-code="{code}"' in html and message in _text(page)
    assert 'id="booking-form"' not in html
    if code == "INVALID_PARTY":
        assert 'id="rooms"' in html  # the rooms form, to put it right


def test_a_posted_multi_room_booking_is_checked_again_on_the_server(pinned, nyc, client):
    page = client.get(_book(rooms=2))
    response = client.post(_book(rooms=2, party="2-0,9-0"), {**GUEST, **_hidden(page)})
    assert 'data-code="INVALID_PARTY"' in response.content.decode()
    assert Reservation.objects.count() == 0
