"""The console's one search box, and the arrival rows of today's desk."""

from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Guest, Reservation
from frontdesk.desk_search import desk_search
from frontdesk.models import GuestStats
from frontdesk.services import stay_check_in
from inventory.models import Room
from tests.factories import GuestFactory, HotelFactory, ReservationFactory

from .conftest import at

pytestmark = pytest.mark.django_db
SEARCH = "/admin/frontdesk/stay/search/"


@pytest.fixture
def renamed(book, next_friday):
    """Jane Doe's profile; her second booking was made for Janet Traveller with the same email."""
    first = book(next_friday, email="jane@example.com", first_name="Jane", last_name="Doe")
    second = book(next_friday, nights=2, email="jane@example.com", first_name="Janet", last_name="Traveller")
    return first, second


def numbers(result):
    return sorted(r.confirmation_number for r in result.rows)


def test_the_name_as_booked_finds_the_booking_when_the_profile_has_another(clerk, renamed):
    first, second = renamed
    assert Guest.objects.get(email="jane@example.com").last_name == "Doe"
    assert numbers(desk_search(user=clerk, query="Traveller")) == [second.confirmation_number]
    assert numbers(desk_search(user=clerk, query="janet traveller")) == [second.confirmation_number]


def test_the_profiled_name_finds_every_booking_of_the_guest(clerk, renamed):
    assert numbers(desk_search(user=clerk, query="Doe")) == sorted(r.confirmation_number for r in renamed)


def test_part_of_a_confirmation_number_finds_it_and_the_whole_number_opens_the_stay(clerk_client, clerk, renamed):
    first, _ = renamed
    tail = first.confirmation_number[-5:]
    assert numbers(desk_search(user=clerk, query=tail)) == [first.confirmation_number]
    response = clerk_client.get(SEARCH, {"q": first.confirmation_number.lower()})
    assert (response.status_code, response["Location"]) == (302, f"/admin/frontdesk/stay/{first.pk}/folio/")


def test_a_room_number_finds_the_stay_in_it(clerk, seed_stay, next_friday):
    room = Room.objects.filter(hotel=seed_stay.hotel, room_type=seed_stay.room_type, status="AVAILABLE") \
        .order_by("number").first()
    with at(next_friday, 16):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=[room.number], actor=clerk)
    result = desk_search(user=clerk, query=room.number)
    assert numbers(result) == [seed_stay.confirmation_number]
    assert result.rows[0].room_numbers == [room.number]


def test_email_and_phone_find_the_booking(clerk, seed_stay):
    Reservation.objects.filter(pk=seed_stay.pk).update(guest_phone="+1 212 555 0188")
    assert numbers(desk_search(user=clerk, query="JOHN@example.com")) == [seed_stay.confirmation_number]
    assert numbers(desk_search(user=clerk, query="555 0188")) == [seed_stay.confirmation_number]
    assert numbers(desk_search(user=clerk, query="+1 212 555 0188")) == [seed_stay.confirmation_number]


def test_another_hotels_bookings_are_never_found(clerk, seed_stay):
    other = ReservationFactory(hotel=HotelFactory(code="BOS"), guest=GuestFactory(last_name="Smith"),
                               guest_last_name="Smith", room_type__code="X", rate_plan__code="Y")
    result = desk_search(user=clerk, query="Smith")
    assert numbers(result) == [seed_stay.confirmation_number]
    assert desk_search(user=clerk, query=other.confirmation_number).rows == []


def test_the_results_page_lists_status_dates_room_and_balance(clerk_client, renamed):
    first, second = renamed
    page = clerk_client.get(SEARCH, {"q": "Doe"}).content.decode()
    assert "2 bookings match “Doe”" in page
    assert first.confirmation_number in page and second.confirmation_number in page
    assert "Janet Traveller <small>(profile: Jane Doe)</small>" in page
    assert "Confirmed" in page and "0.00 USD" in page and "Paid" in page


def test_the_search_reads_in_a_fixed_number_of_queries(clerk, seed_stay):
    def many(n):
        ReservationFactory.create_batch(n, hotel=seed_stay.hotel, room_type=seed_stay.room_type,
                                        rate_plan=seed_stay.rate_plan, guest_last_name="Many", grand_total=100)

    many(2)
    with CaptureQueriesContext(connection) as two:
        desk_search(user=clerk, query="Many")
    many(4)
    with CaptureQueriesContext(connection) as six:
        assert len(desk_search(user=clerk, query="Many").rows) == 6
    assert len(six) == len(two)


def test_an_arrival_row_shows_party_balance_eta_requests_vip_and_channel(clerk_client, book, next_friday):
    r = book(next_friday, adults=2, email="vip@example.com", first_name="Ada", last_name="Lovelace",
             loyalty_number="GH123456", special_requests="High floor, feather-free pillows")
    Reservation.objects.filter(pk=r.pk).update(arrival_time=time(21, 30), children=1, source="Website")
    Guest.objects.filter(pk=r.guest_id).update(vip=True)
    GuestStats.objects.create(guest_id=r.guest_id, currency="USD", stays=4, nights=9)
    with at(next_friday, 10):
        page = clerk_client.get("/admin/frontdesk/stay/desk/").content.decode()
    row = page[page.index(f">{r.confirmation_number}</a>"):]
    row = row[:row.index("</tr>")]
    assert "2 adults, 1 child" in row
    assert "21:30" in row
    assert "0.00 USD" in row and ">Paid<" in row  # 664.14 paid up front, nothing owed
    assert "High floor, feather-free pillows" in row
    assert ">VIP<" in row and "Loyalty GH123456" in row and "4 stays" in row
    assert "Direct" in row and "Website" in row
    assert 'class="nowrap"><a href' in page[page.index(f">{r.confirmation_number}</a>") - 80:]


def test_an_unpaid_arrival_shows_what_it_owes(clerk_client, seed_stay, next_friday):
    from bookings.models import Payment
    Payment.objects.filter(reservation=seed_stay).update(result="FAILED")  # as if nothing was paid yet
    with at(next_friday, 10):
        page = clerk_client.get("/admin/frontdesk/stay/desk/").content.decode()
    row = page[page.index(f">{seed_stay.confirmation_number}</a>"):]
    row = row[:row.index("</tr>")]
    assert "664.14 USD" in row and ">Unpaid<" in row


def test_an_arrival_row_offers_the_change_page_and_an_in_house_row_the_move_and_the_stay_change(
        clerk_client, seed_stay, next_friday):
    from frontdesk.services import stay_check_in

    with at(next_friday, 10):
        page = clerk_client.get("/admin/frontdesk/stay/desk/").content.decode()
    assert f'href="/admin/bookings/reservation/{seed_stay.pk}/change-dates/"' in page
    with at(next_friday, 16):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
        page = clerk_client.get("/admin/frontdesk/stay/desk/").content.decode()
    assert f'href="/admin/frontdesk/stay/{seed_stay.pk}/move-room/"' in page
    assert f'href="/admin/frontdesk/stay/{seed_stay.pk}/change-stay/"' in page
