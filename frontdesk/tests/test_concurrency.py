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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_night_audit_triggered_twice_at_once_runs_once(nyc, book, next_friday):
    """Two workers audit the same hotel and day at the same moment: one run, one no-show, one penalty."""
    from bookings.models import Status
    from bookings.payments import TestGateway
    from frontdesk.models import FolioLine, NightAuditRun
    from frontdesk.services import night_audit_run
    from pricing.models import CancellationPolicy

    CancellationPolicy.objects.filter(hotel=nyc).update(no_show_penalty_nights=1)
    guest = book(next_friday)
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(night_audit_run(hotel=nyc, business_date=next_friday, gateway=TestGateway()))
        finally:
            connection.close()

    with at(next_friday, 23):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert len(outcomes) == 2 and sum(run is not None for run in outcomes) == 1
    run = NightAuditRun.objects.get(hotel=nyc, business_date=next_friday)
    assert run.finished_at is not None and run.no_shows == 1
    guest.refresh_from_db()
    assert guest.status == Status.NO_SHOW
    assert FolioLine.objects.filter(reservation=guest, kind="PENALTY").count() == 1
