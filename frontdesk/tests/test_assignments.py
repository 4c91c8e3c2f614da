"""Rooms assigned ahead of arrival: made, refused, used at check-in, and kept, moved or dropped when the booking
changes (frontdesk/assignments.py)."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.db import connection

from bookings.cancellations import reservation_cancel
from bookings.models import Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway
from frontdesk import assignments
from frontdesk.assignments import room_assign, room_unassign
from frontdesk.models import RoomAssignment
from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_DESK_PERMISSIONS
from frontdesk.services import room_out_of_order_set, stay_check_in
from hotelbooking.errors import DomainError
from inventory.models import Room
from tests.factories import HotelFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def _rooms(reservation):
    return sorted(RoomAssignment.objects.filter(reservation=reservation)
                  .values_list("room__number", "start_date", "end_date"))


def _notes(reservation):
    return [c.note for c in reservation.status_changes.order_by("at", "id")]


def _error(call, **kwargs):
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def _clerk(client, hotel, name="maria", without=()):
    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user(name, password="pw", is_staff=True)
    if without:
        for app, code in FRONT_DESK_PERMISSIONS:
            if code not in without:
                user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=code))
    else:
        user.groups.add(Group.objects.get(name=FRONT_DESK_GROUP))
    hotel.staff.add(user)
    client.force_login(user)
    return user


# --- assigning ---------------------------------------------------------------------------------------------

def test_a_room_assigned_ahead_is_used_at_check_in_without_a_room_number(seed_stay, next_friday):
    a = room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203", actor="maria")
    assert (a.room.number, a.start_date, a.end_date, a.actor) == ("1203", next_friday,
                                                                 next_friday + timedelta(days=3), "maria")
    assert _notes(seed_stay)[-1] == "Room 1203 assigned ahead of arrival"
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CONFIRMED
    with at(next_friday, 15):
        result = stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=[])
    assert [x.room.number for x in result.assignments] == ["1203"]
    assert result.reservation.status == Status.CHECKED_IN
    assert _rooms(seed_stay) == [("1203", next_friday, next_friday + timedelta(days=3))]
    assert Room.objects.get(number="1203").status == Room.Status.OCCUPIED


def test_the_api_checks_in_to_the_assigned_room_when_no_room_is_given(frontdesk_client, seed_stay, next_friday):
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1202")
    url = f"/api/v1/reservations/{seed_stay.confirmation_number}/check-in"
    with at(next_friday, 15):
        other = frontdesk_client.post(url, {"room_numbers": ["1204"]}, format="json")
        assert other.status_code == 409 and other.json()["error"]["code"] == "ROOM_ASSIGNED_AHEAD"
        assert other.json()["error"]["assigned"] == ["1202"]
        response = frontdesk_client.post(url, {}, format="json")
    assert response.status_code == 200, response.json()
    assert [r["number"] for r in response.json()["rooms"]] == ["1202"]


def test_check_in_to_another_room_needs_the_clerk_to_ask_for_it(seed_stay, next_friday):
    cn = seed_stay.confirmation_number
    room_assign(confirmation_number=cn, room_number="1203")
    with at(next_friday, 15):
        error = _error(stay_check_in, confirmation_number=cn, room_numbers=["1204"])
        assert error.code == "ROOM_ASSIGNED_AHEAD"
        assert error.message == (f"Reservation {cn} is assigned room 1203. Check in to it, or choose the other room "
                                 "explicitly to move the assignment.")
        assert _rooms(seed_stay)[0][0] == "1203"
        result = stay_check_in(confirmation_number=cn, room_numbers=["1204"], reassign=True)
    assert [x.room.number for x in result.assignments] == ["1204"]
    assert [r[0] for r in _rooms(seed_stay)] == ["1204"]
    assert Room.objects.get(number="1203").status == Room.Status.AVAILABLE


def test_a_room_taken_those_nights_is_not_available_and_nothing_changes(book, seed_stay, next_friday):
    other = book(next_friday + timedelta(days=2), nights=2, email="ann@example.com", first_name="Ann",
                 last_name="Lee")
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    error = _error(room_assign, confirmation_number=other.confirmation_number, room_number="1203")
    assert error.code == "ROOM_NOT_AVAILABLE"
    monday = next_friday + timedelta(days=3)
    assert error.message == (f"Room 1203 is assigned to reservation {seed_stay.confirmation_number} from "
                             f"{next_friday:%B %-d} to {monday:%B %-d, %Y}.")
    assert _rooms(other) == [] and _rooms(seed_stay) == [("1203", next_friday, monday)]
    assert not any("1203" in n for n in _notes(other))
    # The night after the first guest leaves is free: the room is theirs from Monday.
    later = book(monday, nights=1, email="bo@example.com")
    assert room_assign(confirmation_number=later.confirmation_number, room_number="1203").start_date == monday


def test_an_out_of_order_room_is_refused(nyc, seed_stay, next_friday):
    room_out_of_order_set(hotel=nyc, room_number="1205", start=next_friday + timedelta(days=1),
                          end=next_friday + timedelta(days=2), reason="Leaking shower")
    error = _error(room_assign, confirmation_number=seed_stay.confirmation_number, room_number="1205")
    assert (error.code, error.details["room_status"]) == ("ROOM_NOT_AVAILABLE", "OUT_OF_ORDER")
    assert "out of order" in error.message and "Leaking shower" in error.message
    assert _rooms(seed_stay) == []


def test_a_room_of_another_type_is_refused(seed_stay):
    error = _error(room_assign, confirmation_number=seed_stay.confirmation_number, room_number="1101")
    assert error.code == "ROOM_TYPE_MISMATCH"
    assert error.message.startswith("Room 1101 is a Standard Queen Room; reservation ")
    assert _rooms(seed_stay) == []


def test_an_unknown_room_a_checked_in_stay_and_a_full_booking_are_refused(book, seed_stay, next_friday):
    assert _error(room_assign, confirmation_number=seed_stay.confirmation_number,
                  room_number="9999").code == "ROOM_NOT_FOUND"
    two = book(next_friday, rooms=2, email="two@example.com")
    room_assign(confirmation_number=two.confirmation_number, room_number="1201")
    room_assign(confirmation_number=two.confirmation_number, room_number="1202")
    assert room_assign(confirmation_number=two.confirmation_number, room_number="1202").room.number == "1202"
    assert _error(room_assign, confirmation_number=two.confirmation_number,
                  room_number="1204").code == "ROOM_COUNT_MISMATCH"
    assert [r[0] for r in _rooms(two)] == ["1201", "1202"]
    with at(next_friday, 15):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1205"])
        assert _error(room_assign, confirmation_number=seed_stay.confirmation_number,
                      room_number="1204").code == "INVALID_STATE_TRANSITION"


def test_unassign_gives_the_room_back(seed_stay):
    cn = seed_stay.confirmation_number
    room_assign(confirmation_number=cn, room_number="1203")
    assert room_unassign(confirmation_number=cn, room_number="1203", actor="maria") == ["1203"]
    assert _rooms(seed_stay) == [] and _notes(seed_stay)[-1] == "Room 1203 unassigned"
    assert _error(room_unassign, confirmation_number=cn, room_number="1203").code == "ROOM_NOT_FOUND"


# --- the console -------------------------------------------------------------------------------------------

def test_a_clerk_assigns_from_the_console(client, nyc, seed_stay, next_friday):
    _clerk(client, nyc)
    response = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/assign-room/",
                           {"room": "1204", "start": next_friday.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/frontdesk/stay/tape-chart/?hotel=NYC&start={next_friday.isoformat()}"
    assert [r[0] for r in _rooms(seed_stay)] == ["1204"]
    page = client.get(response["Location"]).content.decode()
    assert "Room 1204 is assigned to John Smith" in page
    refused = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/assign-room/", {"room": "1101"}, follow=True)
    assert "Room 1101 is a Standard Queen Room" in refused.content.decode()
    back = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/unassign-room/", {"back": "check-in"})
    assert back["Location"] == f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/"
    assert _rooms(seed_stay) == []


def test_the_check_in_page_shows_the_room_assigned_ahead_ticked(client, nyc, seed_stay, next_friday):
    _clerk(client, nyc)
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    with at(next_friday, 15):
        page = client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/")
        assert page.context["form"].initial["rooms"] == ["1203"]
        assert "Assigned ahead of arrival: <strong>room 1203</strong>" in page.content.decode()
        refused = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/",
                              {"rooms": ["1201"], "key_cards_per_room": 2})
        assert "is assigned room 1203" in str(refused.context["form"].errors)
        moved = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/",
                            {"rooms": ["1201"], "key_cards_per_room": 2, "reassign": "on"})
    assert moved.status_code == 302
    assert [r[0] for r in _rooms(seed_stay)] == ["1201"]


def test_another_hotels_clerk_cannot_assign(client, seed_stay):
    elsewhere = HotelFactory(code="BOS")
    _clerk(client, elsewhere, name="bob")
    response = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/assign-room/", {"room": "1203"})
    assert response.status_code == 404
    assert _rooms(seed_stay) == []
    assert _error(room_assign, confirmation_number=seed_stay.confirmation_number, room_number="1203",
                  hotels=elsewhere.__class__.objects.filter(pk=elsewhere.pk)).code == "RESERVATION_NOT_FOUND"


def test_a_clerk_without_assign_room_is_refused(client, nyc, seed_stay):
    _clerk(client, nyc, name="trainee", without=("assign_room",))
    assert client.get("/admin/frontdesk/stay/tape-chart/").status_code == 200
    response = client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/assign-room/", {"room": "1203"})
    assert response.status_code == 403
    assert client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/unassign-room/").status_code == 403
    assert _rooms(seed_stay) == []
    assert "tc-assign" not in client.get("/admin/frontdesk/stay/tape-chart/").content.decode()


# --- when the booking changes ------------------------------------------------------------------------------

def _modify(reservation, capture, **change):
    with capture(execute=True):
        reservation_modify(confirmation_number=reservation.confirmation_number,
                           request=ModificationRequest(**change), gateway=TestGateway())
    reservation.refresh_from_db()


def test_new_dates_keep_the_room_when_it_is_free(seed_stay, next_friday, django_capture_on_commit_callbacks):
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    _modify(seed_stay, django_capture_on_commit_callbacks, check_out=next_friday + timedelta(days=4))
    assert seed_stay.check_out == next_friday + timedelta(days=4)
    assert _rooms(seed_stay) == [("1203", next_friday, next_friday + timedelta(days=4))]
    assert not any("no longer free" in n for n in _notes(seed_stay))


def test_new_dates_drop_a_room_no_longer_free(book, seed_stay, next_friday, django_capture_on_commit_callbacks):
    monday = next_friday + timedelta(days=3)
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    after = book(monday, nights=2, email="ann@example.com", first_name="Ann", last_name="Lee")
    room_assign(confirmation_number=after.confirmation_number, room_number="1203")
    _modify(seed_stay, django_capture_on_commit_callbacks, check_out=monday + timedelta(days=1))
    assert seed_stay.check_out == monday + timedelta(days=1) and seed_stay.status == Status.CONFIRMED
    assert _rooms(seed_stay) == []
    assert _notes(seed_stay)[-1] == "Room 1203 no longer free for the new dates; unassigned"
    assert _rooms(after) == [("1203", monday, monday + timedelta(days=2))]
    # Delivered again, the handler changes nothing more.
    assert assignments.assignments_follow(reservation_id=seed_stay.pk) == assignments.Followed([], [])


def test_a_new_room_type_drops_the_room(seed_stay, next_friday, django_capture_on_commit_callbacks):
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    _modify(seed_stay, django_capture_on_commit_callbacks, room_type_code="JUNIOR-SUITE")
    assert _rooms(seed_stay) == []
    assert _notes(seed_stay)[-1] == "Room 1203 unassigned: the booking is now for a Junior Suite"


def test_cancelling_drops_the_room(seed_stay, django_capture_on_commit_callbacks):
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(confirmation_number=seed_stay.confirmation_number, reason="Plans changed",
                           gateway=TestGateway())
    assert _rooms(seed_stay) == []
    assert _notes(seed_stay)[-1] == "Room 1203 unassigned: the booking is cancelled"


def test_a_no_show_drops_the_room(nyc, seed_stay, next_friday, django_capture_on_commit_callbacks):
    from frontdesk.services import night_audit_run

    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1203")
    with at(next_friday, 23), django_capture_on_commit_callbacks(execute=True):
        night_audit_run(hotel=nyc, business_date=next_friday, gateway=TestGateway())
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW
    assert _rooms(seed_stay) == []


# --- PostgreSQL ----------------------------------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_assign_the_same_room_to_overlapping_bookings_one_wins(book, next_friday):
    guests = [book(next_friday + timedelta(days=i), email=f"guest{i}@example.com") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def clerk(reservation):
        try:
            barrier.wait()
            room_assign(confirmation_number=reservation.confirmation_number, room_number="1201")
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=clerk, args=(g,)) for g in guests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ROOM_NOT_AVAILABLE", "ok"]
    assert RoomAssignment.objects.filter(room__number="1201").count() == 1


@pytest.mark.postgres
def test_the_exclusion_constraint_is_the_last_guard(book, seed_stay, next_friday, monkeypatch):
    room_assign(confirmation_number=seed_stay.confirmation_number, room_number="1201")
    other = book(next_friday, email="ann@example.com")
    monkeypatch.setattr(assignments, "room_free_problem", lambda *a, **k: None)  # as if the check missed it
    error = _error(room_assign, confirmation_number=other.confirmation_number, room_number="1201")
    assert (error.code, error.retryable) == ("ROOM_NOT_AVAILABLE", True)
    assert _rooms(other) == []
