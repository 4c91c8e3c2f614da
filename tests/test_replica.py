"""Reads from a real PostgreSQL streaming replica (hotelbooking.replica), marked `replica`.

They need DATABASE_URL on PostgreSQL and DATABASE_REPLICA_URL at a streaming replica of that server
(`scripts/pg_replica.sh start`; the replica's copy of the test database is used, Django's TEST MIRROR), and are
skipped when no replica answers:

    scripts/pg_replica.sh start
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hb_x DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5433/hb_x \\
      .venv/bin/python -m pytest -m replica tests/test_replica.py

Committed data only (transaction=True): the replica sees what the primary committed, never a test's open
transaction. The last test stops the replica and starts it again.
"""

import logging
import os
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest.mock import ANY

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError, connections

from hotelbooking import replica as replica_reads

ROOT = Path(__file__).resolve().parent.parent
CONFIGURED = "replica" in django_settings.DATABASES
pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(not CONFIGURED, reason="no replica: set DATABASE_REPLICA_URL (scripts/pg_replica.sh start)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"] if CONFIGURED else ["default"]),
]


@pytest.fixture
def replica(settings):
    try:
        connections["replica"].ensure_connection()
    except OperationalError as error:
        pytest.skip(f"the replica does not answer: {error}")
    settings.REPLICA_READS = True
    settings.REPLICA_MAX_LAG_SECONDS = 30  # generous: a busy CI machine replays late; tests that lag set theirs
    settings.REPLICA_CHECK_SECONDS = 0  # check before every replica page, so each test sees the state it makes
    replica_reads.state.reset()
    yield connections["replica"]
    replica_reads.state.reset()
    resume_replay()


def on_replica(sql: str, params=()):
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def primary_lsn() -> str:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def wait_for_replay(timeout=30):
    """Until the replica has replayed everything the primary has written so far."""
    target = primary_lsn()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if on_replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
            return
        time.sleep(0.05)
    pytest.fail(f"the replica did not replay up to {target} within {timeout}s")


def pause_replay():
    on_replica("SELECT pg_wal_replay_pause()")


def resume_replay():
    try:
        on_replica("SELECT pg_wal_replay_resume()")
    except OperationalError:
        connections["replica"].close()


def search_params(friday):
    return {"check_in": friday.isoformat(), "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2}


@contextmanager
def statements(alias):
    """The SQL sent on a connection (Django's CaptureQueriesContext would connect, and the replica may be down)."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connections[alias].execute_wrapper(record):
        yield sent


def search(client, friday):
    with statements("default") as primary, statements("replica") as copy:
        response = client.get("/api/v1/hotels/NYC/availability", search_params(friday))
    assert response.status_code == 200, response.content[:500]
    searched = [sql for sql in copy if "pg_last_wal" not in sql]  # not the lag probe
    return response, primary, searched


def book(client, key, friday):
    body = {"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
            "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2,
            "guest": {"first_name": "Rita", "last_name": "Replica", "email": "rita@example.com"},
            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}}
    response = client.post("/api/v1/bookings", body, content_type="application/json", HTTP_X_API_KEY=key)
    assert response.status_code == 201, response.content[:500]
    return response.json()["confirmation_number"]


@pytest.fixture
def partner_key(nyc):
    from inventory.models import Hotel
    from tests.factories import api_key_for

    return api_key_for(Hotel.objects.get(code="NYC"))[1]


def test_a_search_is_served_by_the_replica(replica, nyc, next_friday, client):
    wait_for_replay()

    response, primary, searched = search(client, next_friday)

    assert {room["code"] for room in response.json()["room_types"]} == {"DELUXE-KING", "STANDARD-QUEEN",
                                                                        "JUNIOR-SUITE"}
    assert searched, "the search read the replica"
    health = client.get("/healthz").json()["checks"]["replica"]
    assert health["status"] == "ok" and health["detail"].startswith("reading from it, lag ")
    assert primary == [], "nothing of the search was read from the primary"


def test_a_booking_is_seen_at_once_by_its_own_confirmation_while_the_replica_lags(
        replica, nyc, partner_key, next_friday, client, settings):
    from bookings.models import Reservation

    wait_for_replay()
    pause_replay()  # from here the replica sees nothing new

    number = book(client, partner_key, next_friday)

    assert not Reservation.objects.using("replica").filter(confirmation_number=number).exists()
    with statements("replica") as copy:
        detail = client.get(f"/api/v1/bookings/{number}", HTTP_X_API_KEY=partner_key)
    assert detail.status_code == 200
    assert detail.json()["confirmation_number"] == number
    assert detail.json()["status"] == "CONFIRMED"
    assert copy == []  # a booking's own pages never read the replica


def test_a_lagging_replica_is_skipped_and_logged(replica, nyc, next_friday, client, settings, caplog):
    from inventory.models import Hotel

    settings.REPLICA_MAX_LAG_SECONDS = 0.5
    wait_for_replay()
    pause_replay()
    Hotel.objects.filter(code="NYC").update(phone="+1 212 555 0100")  # a commit the replica will not replay
    time.sleep(1.2)

    with caplog.at_level(logging.WARNING, logger="hotelbooking.replica"):
        response, primary, searched = search(client, next_friday)

    assert searched == []
    assert primary, "the search was read from the primary"
    assert any("lags" in record.getMessage() and "reading from the primary" in record.getMessage()
               for record in caplog.records)
    resume_replay()
    wait_for_replay()
    _, _, searched = search(client, next_friday)
    assert searched, "caught up again, searches go back to the replica"


def test_a_client_that_wrote_reads_from_the_primary_for_a_while(replica, nyc, next_friday, client):
    wait_for_replay()
    client.post("/search/", {})  # any non-GET request, whatever its answer

    assert client.cookies[replica_reads.PIN_COOKIE]["max-age"] == 10
    _, primary, searched = search(client, next_friday)
    assert searched == [] and primary


def replica_script(command: str):
    port = str(connections["replica"].settings_dict.get("PORT") or 5432)
    result = subprocess.run(["bash", str(ROOT / "scripts" / "pg_replica.sh"), command], cwd=ROOT,
                            env=dict(os.environ, REPLICA_PORT=port), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_stopped_replica_falls_back_to_the_primary_even_mid_request(replica, nyc, next_friday, client, settings,
                                                                       caplog):
    wait_for_replay()
    search(client, next_friday)  # the replica's connection is open, and the replica known to be fine
    settings.REPLICA_CHECK_SECONDS = 3600  # no check before the next page: its replica query itself fails
    replica_script("stop")
    try:
        with caplog.at_level(logging.WARNING, logger="hotelbooking.replica"):
            response, primary, _ = search(client, next_friday)
        assert len(response.json()["room_types"]) == 3
        assert primary, "answered again from the primary"
        assert any("down" in record.getMessage() for record in caplog.records)
        assert client.get("/healthz").json()["checks"]["replica"] == {
            "status": "ok", "detail": "skipped: down", "ms": ANY}  # web still serves: from the primary

        settings.REPLICA_CHECK_SECONDS = 0
        response, primary, _ = search(client, next_friday)  # and the next page goes straight to the primary
        assert response.status_code == 200 and primary
    finally:
        connections["replica"].close()
        replica_script("start")
