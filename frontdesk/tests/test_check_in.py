from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from bookings.models import OutboxEvent, Status
from frontdesk.models import RoomAssignment
from frontdesk.services import stay_check_in
from hotelbooking.errors import RoomNotAvailable
from inventory.models import HotelAPIKey, Room

from .conftest import at

pytestmark = pytest.mark.django_db


def _check_in(client, reservation, rooms, **extra):
    return client.post(f"/api/v1/reservations/{reservation.confirmation_number}/check-in",
                       {"room_numbers": rooms, **extra}, format="json")


def test_check_in_assigns_rooms_and_issues_keys(frontdesk_client, seed_stay, next_friday):
    with at(next_friday, 15, 5):
        response = _check_in(frontdesk_client, seed_stay, ["1204"], key_cards_per_room=3)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "CHECKED_IN"
    assert body["rooms"] == [{"number": "1204", "floor": 12, "key_cards": 3,
                              "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"}}]
    assert body["key_cards_issued"] == 3
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_IN and seed_stay.checked_in_at is not None
    assert Room.objects.get(number="1204").status == Room.Status.OCCUPIED
    a = RoomAssignment.objects.get(reservation=seed_stay)
    desk_key = HotelAPIKey.objects.get(name="Front desk")
    assert (a.start_date, a.end_date, a.actor) == (next_friday, next_friday + timedelta(days=3),
                                                   f"API key Front desk ({desk_key.prefix})")
    event = OutboxEvent.objects.get(name="GuestCheckedIn")
    assert event.payload["rooms"] == ["1204"] and event.reservation == seed_stay
    assert seed_stay.status_changes.last().note == "Room 1204"


def test_unknown_room_is_404(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        response = _check_in(frontdesk_client, seed_stay, ["9999"])
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "ROOM_NOT_FOUND"


def test_room_of_another_type_is_refused(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        response = _check_in(frontdesk_client, seed_stay, ["1101"])
    assert response.status_code == 409
    assert response.json()["error"] == {"code": "ROOM_TYPE_MISMATCH", "message": "Room 1101 is not a Deluxe King Room.",
                                        "retryable": False, "room": "1101", "room_type": "STANDARD-QUEEN"}


def test_room_that_needs_cleaning_is_refused(frontdesk_client, seed_stay, next_friday):
    Room.objects.filter(number="1204").update(status=Room.Status.NEEDS_CLEANING)
    with at(next_friday):
        response = _check_in(frontdesk_client, seed_stay, ["1204"])
    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("ROOM_NOT_AVAILABLE", "Room 1204 is NEEDS_CLEANING.")
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CONFIRMED


@pytest.mark.parametrize("rooms", [[], ["1201", "1202"], ["1201", "1201"]])
def test_number_of_rooms_must_match_the_booking(frontdesk_client, seed_stay, next_friday, rooms):
    with at(next_friday):
        response = _check_in(frontdesk_client, seed_stay, rooms)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "ROOM_COUNT_MISMATCH"
    cn = seed_stay.confirmation_number
    assert error["message"] == f"Reservation {cn} is for 1 room; give 1 different room number."


def test_two_room_booking_takes_two_rooms(frontdesk_client, book, next_friday):
    r = book(next_friday, rooms=2, adults=2, email="two@example.com")
    with at(next_friday):
        response = _check_in(frontdesk_client, r, ["1201", "1202"])
    assert response.status_code == 200
    assert response.json()["key_cards_issued"] == 4
    assert set(Room.objects.filter(status=Room.Status.OCCUPIED).values_list("number", flat=True)) == {"1201", "1202"}


def test_not_before_the_arrival_day_in_hotel_time(frontdesk_client, seed_stay, next_friday):
    # 23:30 on Thursday in New York is already Friday in UTC: still too early.
    with at(next_friday - timedelta(days=1), 23, 30):
        response = _check_in(frontdesk_client, seed_stay, ["1204"])
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CHECK_IN_TOO_EARLY"
    with at(next_friday, 0, 30):
        assert _check_in(frontdesk_client, seed_stay, ["1204"]).status_code == 200


def test_only_confirmed_reservations_check_in(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        assert _check_in(frontdesk_client, seed_stay, ["1204"]).status_code == 200
        again = _check_in(frontdesk_client, seed_stay, ["1205"])
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    assert "checked in and cannot be checked in" in again.json()["error"]["message"]


def test_after_the_departure_day_it_is_too_late(frontdesk_client, seed_stay, next_friday):
    with at(next_friday + timedelta(days=3), 1, 0):
        response = _check_in(frontdesk_client, seed_stay, ["1204"])
    assert response.status_code == 409 and response.json()["error"]["code"] == "STAY_ENDED"


def test_unknown_reservation_is_404(frontdesk_client, nyc):
    response = frontdesk_client.post("/api/v1/reservations/GH-NYC-2099010100001/check-in",
                                     {"room_numbers": ["1204"]}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"


def test_partner_key_gets_404_and_no_key_401(partner_client, seed_stay, next_friday):
    from rest_framework.test import APIClient

    cn = seed_stay.confirmation_number
    for url in [f"/api/v1/reservations/{cn}/check-in", f"/api/v1/reservations/{cn}/check-out",
                f"/api/v1/reservations/{cn}/charges"]:
        assert partner_client.post(url, {}, format="json").status_code == 404
        assert APIClient().post(url, {}, format="json").status_code == 401
    for url in [f"/api/v1/reservations/{cn}/folio", "/api/v1/hotels/NYC/rooms", "/api/v1/hotels/NYC/front-desk",
                "/api/v1/hotels/NYC/housekeeping-tasks", f"/api/v1/reservations/{cn}/room-suggestions"]:
        response = partner_client.get(url)
        assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_overlapping_stay_cannot_take_an_assigned_room(book, seed_stay, next_friday):
    """SQLite and PostgreSQL alike: the service refuses a room another stay holds for overlapping nights."""
    other = book(next_friday + timedelta(days=1), nights=2, email="jane@example.com", first_name="Jane")
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1203"])
    # Even if the room were marked clean by mistake, the dates still clash.
    Room.objects.filter(number="1203").update(status=Room.Status.AVAILABLE)
    with at(next_friday + timedelta(days=1)):
        with pytest.raises(RoomNotAvailable) as exc:
            stay_check_in(confirmation_number=other.confirmation_number, room_numbers=["1203"])
        assert f"assigned to reservation {seed_stay.confirmation_number}" in exc.value.message
        stay_check_in(confirmation_number=other.confirmation_number, room_numbers=["1202"])


def test_back_to_back_stays_may_share_a_room(book, seed_stay, next_friday):
    """A stay ending on Monday and one starting on Monday do not clash: the service gives both the room."""
    monday = next_friday + timedelta(days=3)
    later = book(monday, nights=1, email="next@example.com")
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1203"])
    Room.objects.filter(number="1203").update(status=Room.Status.AVAILABLE)  # cleaned, only the dates count
    with at(monday):
        stay_check_in(confirmation_number=later.confirmation_number, room_numbers=["1203"])
    assert list(RoomAssignment.objects.filter(room__number="1203").order_by("start_date")
                .values_list("reservation__confirmation_number", "start_date", "end_date")) == [
        (seed_stay.confirmation_number, next_friday, monday),
        (later.confirmation_number, monday, monday + timedelta(days=1))]


@pytest.mark.postgres
def test_database_refuses_overlapping_assignments(book, seed_stay, next_friday):
    """On PostgreSQL the exclusion constraint stands behind the service: a direct insert fails."""
    other = book(next_friday + timedelta(days=2), nights=2, email="jane@example.com")
    room = Room.objects.get(number="1203")
    RoomAssignment.objects.create(reservation=seed_stay, room=room, start_date=seed_stay.check_in,
                                  end_date=seed_stay.check_out)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomAssignment.objects.create(reservation=other, room=room, start_date=other.check_in,
                                      end_date=other.check_out)


def test_front_desk_key_of_another_hotel_sees_nothing_here(seed_stay):
    from rest_framework.test import APIClient

    from tests.factories import HotelFactory, api_key_for

    _, key = api_key_for(HotelFactory(code="BOS"), scope="frontdesk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    response = client.post(f"/api/v1/reservations/{seed_stay.confirmation_number}/check-in",
                           {"room_numbers": ["1204"]}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
    assert client.get("/api/v1/hotels/NYC/rooms").json()["error"]["code"] == "HOTEL_NOT_FOUND"
