"""Two desks giving the same room to two guests at the same moment: exactly one wins (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from frontdesk.models import RoomAssignment
from frontdesk.services import stay_check_in
from hotelbooking.errors import DomainError
from inventory.models import Room

from .conftest import at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_desks_one_room(book, next_friday):
    guests = [book(next_friday, email=f"guest{i}@example.com") for i in range(2)]
    barrier = threading.Barrier(2)
    outcomes = []

    def desk(reservation):
        try:
            barrier.wait()
            stay_check_in(confirmation_number=reservation.confirmation_number, room_numbers=["1201"])
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    with at(next_friday):
        threads = [threading.Thread(target=desk, args=(g,)) for g in guests]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert sorted(outcomes) == ["ROOM_NOT_AVAILABLE", "ok"]
    assert RoomAssignment.objects.filter(room__number="1201").count() == 1
    assert Room.objects.get(number="1201").status == Room.Status.OCCUPIED
