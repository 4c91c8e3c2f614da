"""Children's ages on the guest pages: the search form and the book page's "Rooms and guests" ask each child's
age (one select 0-17 per child, per room), the links carry them, the server checks them (INVALID_PARTY) and the
engine prices by them; the reservation keeps them and the confirmation and Manage my booking show them.

The clock is pinned: Monday March 1, 2027; the stay is Friday March 5 to Monday March 8 on AAA (BAR less 10%). BAR
is priced by occupancy as in the README's example (bookings/tests/test_occupancy_bookings.py): every room's price is
for 2 adults, an extra adult 40.00 a night; children up to 2 free, up to 11 25.00 a night, up to 17 as adults.
A family of 2 adults with children of 4 and 13 in the Junior Suite (329 / 379 / 349 on BAR): 394 + 444 + 414 =
1252.00, less 125.20, the 12% room tax on 1252.00 (150.24) and the resort fee 3 x 15.00: 1322.04. Without their
ages both children are priced by the oldest child band (25.00 each): 379 + 429 + 399 = 1207.00, less 120.70,
tax 144.84, fees 45.00: 1276.14; aged 1 and 4 (free, 25.00): 1132.00, less 113.20, tax 135.84, fees: 1199.64.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.core import mail

from bookings.models import Reservation
from pricing.models import ChildAgeBand, Rate, RatePlan

pytestmark = pytest.mark.django_db
D = Decimal

SEARCH = {"hotel": "NYC", "check_in": "2027-03-05", "check_out": "2027-03-08", "adults": 2, "children": 2,
          "rate_plan": "AAA"}
STAY = {"hotel": "NYC", "room_type": "JUNIOR-SUITE", "rate_plan": "AAA", "check_in": "2027-03-05",
        "check_out": "2027-03-08", "adults": 2, "children": 2, "promo_code": ""}
GUEST = {"first_name": "Ana", "last_name": "Ruiz", "email": "ana.ruiz@example.com", "phone": "", "loyalty_number": "",
         "special_requests": "", "billing_address": "", "card_number": "4242424242424242", "exp_month": "12",
         "exp_year": "2030", "cvc": "123", "holder_name": "Ana Ruiz"}


@pytest.fixture
def pinned():
    with time_machine.travel(datetime(2027, 3, 1, 15, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def by_age(nyc):
    bar = RatePlan.objects.get(hotel=nyc, code="BAR")
    Rate.objects.filter(rate_plan=bar).update(base_occupancy=2, extra_adult_amount=D("40"),
                                              single_occupancy_discount=D("20"))
    for up_to, kind, value in ((2, "FREE", None), (11, "AMOUNT", D("25")), (17, "ADULT", None)):
        ChildAgeBand.objects.create(rate_plan=bar, up_to_age=up_to, kind=kind, value=value)
    return nyc


def _text(response_or_html) -> str:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _hidden(page) -> dict:
    form = page.context["form"]
    return {"expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()}


def _age_selects(html: str, name: str) -> list[str]:
    """The value selected in each age select named `name` ("" when none)."""
    found = []
    for select in re.findall(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', re.sub(
            r"<template\b.*?</template>", "", html, flags=re.S), re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select)
        found.append(chosen.group(1) if chosen else "")
    return found


def test_a_family_searched_and_booked_on_the_pages_is_priced_by_the_children_s_ages(
        pinned, by_age, client, django_capture_on_commit_callbacks):
    page = client.get("/?" + urlencode({**SEARCH, "child_ages": ["4", "13"]}, doseq=True))
    html = page.content.decode()
    assert _age_selects(html, "child_ages") == ["4", "13"]
    assert 'for="child-ages-1">Age of child 1<' in html
    assert "2 adults, 2 children (ages 4, 13)" in _text(page)
    suite = re.search(r'id="rate-JUNIOR-SUITE-AAA".*?</li>', html, re.S).group(0)
    assert "1,322.04 USD" in _text(suite)
    book_link = unescape(re.search(r'href="(/book/\?[^"]+)"', suite).group(1))
    assert parse_qs(urlsplit(book_link).query)["child_ages"] == ["4,13"]

    book = client.get(book_link)
    text = _text(book)
    assert "2 adults, 2 children (ages 4, 13)" in text and "Pay 1,322.04 USD and book" in text
    assert [n.rate for n in book.context["quote"].nights] == [D("394.00"), D("444.00"), D("414.00")]
    assert _age_selects(book.content.decode(), "room_1_child_ages") == ["4", "13"]

    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(book_link, {**GUEST, **_hidden(book)})
    assert booked.status_code == 302, _text(booked)[:2000]
    reservation = Reservation.objects.get()
    assert (reservation.adults, reservation.children, reservation.child_ages) == (2, 2, [4, 13])
    assert reservation.grand_total == D("1322.04")
    assert len(mail.outbox) == 1  # the email's text and HTML parts give the ages too
    assert "2 adults, 2 children (ages 4, 13)" in mail.outbox[0].body
    assert "2 adults, 2 children (ages 4, 13)" in _text(mail.outbox[0].alternatives[0][0])

    confirmation = _text(client.get(booked["Location"]))
    assert "2 adults, 2 children (ages 4, 13)" in confirmation and "1,322.04 USD" in confirmation
    client.post("/manage/", {"confirmation_number": reservation.confirmation_number, "last_name": "Ruiz"})
    manage = _text(client.get("/manage/booking/"))
    assert "2 adults, 2 children (ages 4, 13)" in manage


def test_the_ages_change_the_price_and_old_links_without_them_still_book(pinned, by_age, client):
    aged = client.get("/book/?" + urlencode({**STAY, "child_ages": "4,13"}))
    toddler = client.get("/book/?" + urlencode({**STAY, "child_ages": "1,4"}))
    old = client.get("/book/?" + urlencode(STAY))   # a link from before the ages: the oldest child band prices them
    assert (aged.context["booking"].total, toddler.context["booking"].total) == (D("1322.04"), D("1199.64"))
    assert old.context["booking"].total == D("1276.14") and 'id="booking-form"' in old.content.decode()
    assert _age_selects(old.content.decode(), "room_1_child_ages") == ["", ""]  # asked, not yet given


def test_the_search_asks_the_ages_before_it_prices_children(pinned, by_age, client):
    page = client.get("/?" + urlencode(SEARCH))
    html = page.content.decode()
    assert page.context["response"] is None and 'id="rate-JUNIOR-SUITE-AAA"' not in html
    assert _age_selects(html, "child_ages") == ["", ""]
    assert 'data-code="INVALID_PARTY"' in html
    assert "Please give the age of each child (0 to 17): children are priced by age." in _text(page)

    # Without our script: "Update the children's ages" shows one select per child, and nothing else is refused.
    three = client.get("/?" + urlencode({**SEARCH, "children": 3, "child_ages": ["4", "13"], "party_update": "1"},
                                        doseq=True))
    assert _age_selects(three.content.decode(), "child_ages") == ["4", "13", ""]
    assert "INVALID_PARTY" not in three.content.decode() and three.context["response"] is None
    # Fewer children than selects sent: the ages of the children no longer there are dropped.
    one = client.get("/?" + urlencode({**SEARCH, "children": 1, "child_ages": ["4", "13"]}, doseq=True))
    assert one.context["child_ages"] == ["4"] and 'id="rate-JUNIOR-SUITE-AAA"' in one.content.decode()


@pytest.mark.parametrize("ages, message", [
    (["4"], "Give one age per child (2 expected, 1 given)."),
    (["4", "18"], "Child ages must be between 0 and 17."),
    (["4", "x"], "Child ages must be whole numbers."),
])
def test_ages_the_hotel_cannot_take_are_refused_with_the_api_s_code(pinned, by_age, client, ages, message):
    search = client.get("/?" + urlencode({**SEARCH, "child_ages": ages}, doseq=True))
    assert 'data-code="INVALID_PARTY"' in search.content.decode() and message in _text(search)
    book = client.get("/book/?" + urlencode({**STAY, "child_ages": ",".join(ages)}))
    html = book.content.decode()
    assert 'data-code="INVALID_PARTY"' in html and message in _text(book)
    assert 'id="booking-form"' not in html and 'id="rooms"' in html  # the rooms form, to put it right
    posted = client.post("/book/?" + urlencode({**STAY, "child_ages": ",".join(ages)}), GUEST)
    assert 'data-code="INVALID_PARTY"' in posted.content.decode() and Reservation.objects.count() == 0


def test_the_rooms_form_gives_each_room_its_children_s_ages(pinned, by_age, client,
                                                           django_capture_on_commit_callbacks):
    query = {**STAY, "party_form": "1", "rooms": "2", "room_adults": ["2", "2"], "room_children": ["2", "1"],
             "room_1_child_ages": ["4", "13"], "room_2_child_ages": ["1"]}
    page = client.get("/book/?" + urlencode(query, doseq=True))
    booking = page.context["booking"]
    assert [r.child_ages for r in booking.rooms] == [[4, 13], [1]]
    assert page.context["params"]["party"] == "2-2-4.13,2-1-1"
    html = page.content.decode()
    assert _age_selects(html, "room_1_child_ages") == ["4", "13"] and _age_selects(html, "room_2_child_ages") == ["1"]
    text = _text(page)
    assert "Room 1 · 2 adults, 2 children (ages 4, 13)" in text and "Room 2 · 2 adults, 1 child (age 1)" in text
    # Room 2: 2 adults and a child of 1 (free): 329 + 379 + 349 = 1057.00 less 105.70, tax 126.84, fees 45.00.
    assert [r.total for r in booking.rooms] == [D("1322.04"), D("1123.14")]
    assert "Total for 2 rooms: 2,445.18 USD" in text

    # One room again: its ages go back to `child_ages`.
    one = client.get("/book/?" + urlencode({**query, "rooms": "1"}, doseq=True))
    assert one.context["params"]["child_ages"] == "4,13" and one.context["booking"].total == D("1322.04")
    # Fewer children than selects sent (no script): the extra age is dropped.
    fewer = client.get("/book/?" + urlencode({**query, "room_children": ["1", "1"]}, doseq=True))
    assert [r.child_ages for r in fewer.context["booking"].rooms] == [[4], [1]]

    link = "/book/?" + urlencode({**STAY, "rooms": "2", "party": "2-2-4.13,2-1-1"})
    again = client.get(link)
    assert again.context["booking"].total == D("2445.18")
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(link, {**GUEST, **_hidden(again)})
    assert booked.status_code == 302, _text(booked)[:2000]
    lead = Reservation.objects.get(lead__isnull=True)
    assert [(r.children, r.child_ages, str(r.grand_total)) for r in lead.booking_rooms()] == [
        (2, [4, 13], "1322.040"), (1, [1], "1123.140")]
    confirmation = _text(client.get(booked["Location"]))
    assert "2 adults, 2 children (ages 4, 13)" in confirmation and "2 adults, 1 child (age 1)" in confirmation



def test_the_age_fields_and_their_errors_read_in_the_guest_s_language(pinned, by_age, client):
    page = client.get("/?" + urlencode(SEARCH), HTTP_ACCEPT_LANGUAGE="de")
    text = _text(page)
    assert "Alter der Kinder" in text and "Alter von Kind 2" in text
    assert "Bitte geben Sie das Alter jedes Kindes an (0 bis 17 Jahre)" in text
    wrong = client.get("/book/?" + urlencode({**STAY, "child_ages": "4"}), HTTP_ACCEPT_LANGUAGE="es")
    assert "Indique una edad por niño (se esperaban 2, se indicaron 1)." in _text(wrong)
    booked = client.get("/book/?" + urlencode({**STAY, "child_ages": "4,13"}), HTTP_ACCEPT_LANGUAGE="fr")
    assert "(âges : 4, 13)" in _text(booked)


def test_a_booking_of_rooms_of_different_types_each_with_its_party_is_paid_once(
        pinned, nyc, client, django_capture_on_commit_callbacks):
    """The seed's prices (no child bands): a Deluxe King for 2 adults, 664.14, and a Standard Queen for an adult and
    a child of 7 (149 + 179 + 159 = 487.00 less 48.70, tax 58.44, fees 45.00): 541.74; 1,205.88 in one charge."""
    from bookings.payments.models import PaymentAttempt

    query = {**STAY, "room_type": "DELUXE-KING", "adults": 2, "children": 0, "party_form": "1", "rooms": "2",
             "room_room_type": ["DELUXE-KING", "STANDARD-QUEEN"], "room_adults": ["2", "1"],
             "room_children": ["0", "1"], "room_2_child_ages": ["7"]}
    page = client.get("/book/?" + urlencode(query, doseq=True))
    params = page.context["params"]
    assert (params["room_type"], params["room_types"], params["party"]) == ("DELUXE-KING", ",STANDARD-QUEEN",
                                                                            "2-0,1-1-7")
    text = _text(page)
    assert "Deluxe King Room × 1 Standard Queen Room × 1" in text
    assert "Room 1 · Deluxe King Room · 2 adults" in text
    assert "Room 2 · Standard Queen Room · 1 adult, 1 child (age 7)" in text
    assert [r.total for r in page.context["booking"].rooms] == [D("664.14"), D("541.74")]
    assert "Total for 2 rooms: 1,205.88 USD" in text and "Pay 1,205.88 USD and book" in text
    html = page.content.decode()
    assert re.search(r'id="room-2-room-type"[^>]*>.*?<option value="STANDARD-QUEEN" selected>', html, re.S)

    link = "/book/?" + urlencode({k: v for k, v in params.items() if v})
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(link, {**GUEST, **_hidden(page)})
    assert booked.status_code == 302, _text(booked)[:2000]
    lead = Reservation.objects.get(lead__isnull=True)
    assert [(r.room_type.code, r.adults, r.children, r.child_ages, str(r.grand_total))
            for r in lead.booking_rooms()] == [("DELUXE-KING", 2, 0, [], "664.140"),
                                               ("STANDARD-QUEEN", 1, 1, [7], "541.740")]
    assert [str(a.amount) for a in PaymentAttempt.objects.filter(step="BOOKING")] == ["1205.880"]
    confirmation = _text(client.get(booked["Location"]))
    assert "Standard Queen Room" in confirmation and "1 adult, 1 child (age 7)" in confirmation
    assert "Total for 2 rooms: 1,205.88 USD" in confirmation

    # Back to one room: the first room's type and party, a single-room booking.
    one = client.get("/book/?" + urlencode({**query, "rooms": "1"}, doseq=True))
    assert not one.context["multi_room"] and one.context["params"]["room_types"] == ""


def test_a_second_room_type_without_rooms_left_is_refused_by_name(pinned, nyc, client):
    from inventory.models import InventoryDay

    InventoryDay.objects.filter(room_type__code="STANDARD-QUEEN").update(stop_sell=False, total=0, sold=0)
    page = client.get("/book/?" + urlencode({**STAY, "room_type": "DELUXE-KING", "children": 0, "rooms": 2,
                                             "room_types": ",STANDARD-QUEEN", "party": "2-0,1-0"}))
    html = page.content.decode()
    assert 'data-code="SOLD_OUT"' in html and "Standard Queen Room is sold out" in _text(page)
    assert 'id="booking-form"' not in html
