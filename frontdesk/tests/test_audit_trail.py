"""The audit trail: who changed what on a reservation, its folio and its rooms, from what to what, and when."""

from datetime import timedelta

import pytest
from auditlog.context import disable_auditlog, set_actor
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Reservation
from frontdesk.audit import stay_history
from inventory.models import Room

from .conftest import at

pytestmark = pytest.mark.django_db


def folio_page(client, stay):
    return client.get(f"/admin/frontdesk/stay/{stay.pk}/folio/").content.decode()


def test_a_staff_change_to_a_reservation_shows_who_when_before_and_after(clerk_client, clerk, seed_stay):
    with set_actor(clerk):  # what the middleware does for a request
        r = Reservation.objects.get(pk=seed_stay.pk)
        r.special_requests = "Quiet room, away from the lift"
        r.adults = 1
        r.save()
    entry = next(h for h in stay_history(seed_stay) if h.what == "Reservation changed")
    assert entry.who == "maria"
    changes = {c.field: (c.before, c.after) for c in entry.changes}
    assert changes["special requests"] == ("—", "Quiet room, away from the lift")
    assert changes["adults"] == ("2", "1")
    page = folio_page(clerk_client, seed_stay)
    history = page[page.index('id="history"'):]
    assert "maria" in history and "Reservation changed" in history
    assert "<strong>adults</strong>: 2 → 1" in history
    assert "<strong>special requests</strong>: — → Quiet room, away from the lift" in history


def test_desk_work_through_the_console_is_kept_with_the_clerk(clerk_client, seed_stay, next_friday):
    room = Room.objects.filter(hotel=seed_stay.hotel, room_type=seed_stay.room_type, status="AVAILABLE") \
        .order_by("number").first()
    with at(next_friday, 16):
        clerk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/",
                          {"rooms": [room.number], "key_cards_per_room": 2})
        clerk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/charge/",
                          {"type": "MINIBAR", "amount": "12.50", "currency": "USD", "description": "Minibar"})
    history = stay_history(seed_stay)
    mine = [(h.who, h.what) for h in history if h.who == "maria"]
    assert ("maria", "Room assigned") in mine
    assert ("maria", "Folio line posted") in mine
    assert ("maria", "Status") in mine
    posted = next(h for h in history if h.what == "Folio line posted" and "MINIBAR" in h.summary)
    assert "12.50" in posted.summary
    checked_in = next(h for h in history if h.what == "Reservation changed" and h.who == "maria")
    when = {c.field: (c.before, c.after) for c in checked_in.changes}["checked in at"]
    assert when == ("—", f"{next_friday:%b %d, %Y} 16:00")  # the hotel's time, as the clerk saw the clock
    status = next(h for h in history if h.what == "Status" and h.who == "maria")
    assert [(c.before, c.after) for c in status.changes] == [("CONFIRMED", "CHECKED_IN")]


def test_a_room_move_shows_the_rooms_by_number(clerk, seed_stay, next_friday):
    from frontdesk.models import RoomAssignment
    rooms = list(Room.objects.filter(hotel=seed_stay.hotel, room_type=seed_stay.room_type, status="AVAILABLE")
                 .order_by("number")[:2])
    with at(next_friday, 16), set_actor(clerk):
        assignment = RoomAssignment.objects.create(reservation=seed_stay, room=rooms[0], start_date=next_friday,
                                                   end_date=seed_stay.check_out, actor="maria")
        assignment.room = rooms[1]
        assignment.save()
    moved = next(h for h in stay_history(seed_stay) if h.what == "Room assignment changed")
    assert moved.who == "maria"
    assert [(c.field, c.before, c.after) for c in moved.changes] == [
        ("room", f"room {rooms[0].number}", f"room {rooms[1].number}")]


def test_the_admins_history_button_shows_the_trail(manager_client, manager, seed_stay):
    with set_actor(manager):
        r = Reservation.objects.get(pk=seed_stay.pk)
        r.guest_last_name = "Smythe"
        r.save()
    page = manager_client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/history/").content.decode()
    assert "olivia" in page and "Smith → Smythe" in page


def test_the_history_reads_in_a_fixed_number_of_queries(clerk, clerk_client, seed_stay, next_friday,
                                                         django_assert_num_queries):
    room = Room.objects.filter(hotel=seed_stay.hotel, room_type=seed_stay.room_type, status="AVAILABLE") \
        .order_by("number").first()
    with at(next_friday, 16):
        clerk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/",
                          {"rooms": [room.number], "key_cards_per_room": 2})
        for amount in ("1.00", "2.00", "3.00"):
            clerk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/charge/",
                              {"type": "OTHER", "amount": amount, "currency": "USD", "description": "Bar"})
    stay_history(seed_stay)  # content types cached
    with django_assert_num_queries(4):  # log entries, the rooms they name, status changes, folio moves
        history = stay_history(seed_stay)
    assert len([h for h in history if h.what == "Folio line posted"]) == 3


def test_the_audit_adds_the_same_few_queries_to_a_booking_whatever_its_length(book, next_friday):
    """No N+1 on the hot booking path: one log row per save, whatever the nights."""
    book(next_friday + timedelta(days=28))  # warm the caches (content types, plans)

    def queries(check_in, nights, audited=True):
        with CaptureQueriesContext(connection) as seen:
            if audited:
                book(check_in, nights=nights)
            else:
                with disable_auditlog():
                    book(check_in, nights=nights)
        return len(seen)

    short = queries(next_friday, 1) - queries(next_friday + timedelta(days=7), 1, audited=False)
    long = queries(next_friday + timedelta(days=14), 5) - queries(next_friday + timedelta(days=21), 5, audited=False)
    assert short == long <= 6
