"""Two desks moving two guests into the same room at the same moment, on PostgreSQL: exactly one wins."""

from datetime import timedelta

import pytest

from frontdesk.models import RoomAssignment
from frontdesk.moves import room_move
from frontdesk.services import stay_check_in
from hotelbooking.errors import RoomNotAvailable
from inventory.models import Room
from tests.concurrency import all_at_once

from .conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def test_two_moves_into_the_same_room_one_wins_the_other_is_told_it_is_taken(book, next_friday):
    stays = [book(next_friday, 3, email=f"guest{i}@example.com", last_name=f"Number{i}") for i in range(2)]
    with at(next_friday, 15):
        for stay, room in zip(stays, ["1203", "1204"], strict=True):
            stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=[room])
    with at(next_friday + timedelta(days=1), 10):
        outcomes = all_at_once(2, lambda i: room_move(
            confirmation_number=stays[i].confirmation_number, from_room=["1203", "1204"][i], to_room="1205",
            reprice=False, reason="Race"))
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and len(lost) == 1, outcomes
    assert isinstance(lost[0], RoomNotAvailable) and lost[0].code == "ROOM_NOT_AVAILABLE"
    assert RoomAssignment.objects.filter(room__number="1205").count() == 1
    loser = stays[outcomes.index(lost[0])]
    assert RoomAssignment.objects.filter(reservation=loser).count() == 1  # still where it was
    assert Room.objects.get(number="1205").status == Room.Status.OCCUPIED
    statuses = sorted(Room.objects.filter(number__in=["1203", "1204"]).values_list("status", flat=True))
    assert statuses == ["NEEDS_CLEANING", "OCCUPIED"]
