"""A real Celery worker sends the confirmation email of a booking (run by .ci/run).

.ci/run starts `celery -A hotelbooking worker` on Redis with DATABASE_URL pointing at pytest's test database
(test_<name>) and the file-based email backend writing into $CELERY_WORKER_EMAIL_DIR, then runs pytest with
CELERY_BROKER_URL set. Without CELERY_WORKER_EMAIL_DIR (a plain `make test`) this test is skipped.
"""

import os
import time
import uuid
from datetime import timedelta
from email import message_from_string
from email.policy import default
from pathlib import Path

import pytest
from django.db import connection

from bookings.models import OutboxEvent
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create

EMAIL_DIR = os.environ.get("CELERY_WORKER_EMAIL_DIR", "")
WAIT_SECONDS = 60

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(not EMAIL_DIR or not os.environ.get("CELERY_BROKER_URL"),
                       reason="needs a running worker: set CELERY_BROKER_URL and CELERY_WORKER_EMAIL_DIR (.ci/run)"),
]


@pytest.fixture
def real_broker():
    """Publish to the broker even if another test module made this process eager."""
    from hotelbooking.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = before


def _emails_mentioning(*texts: str) -> list[Path]:
    found = []
    for p in Path(EMAIL_DIR).glob("*"):
        content = p.read_text(errors="replace") if p.is_file() else ""
        if all(text in content for text in texts):
            found.append(p)
    return found


@pytest.mark.django_db(transaction=True)  # committed, so the worker's own connection sees the booking
def test_the_worker_sends_the_confirmation_email(real_broker, nyc, next_friday):
    assert not real_broker.conf.task_always_eager and real_broker.conf.broker_url.startswith("redis")
    # Test databases are flushed between tests, so confirmation numbers repeat: the address makes it ours.
    email = f"wanda.{uuid.uuid4().hex[:12]}@example.com"
    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Wanda", "Worker", email),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123")), gateway=TestGateway())

    deadline = time.monotonic() + WAIT_SECONDS
    found: list[Path] = []
    while time.monotonic() < deadline and not found:
        found = _emails_mentioning(r.confirmation_number, email)
        if not found:
            time.sleep(0.5)

    assert found, f"no email to {email} ({r.confirmation_number}) in {EMAIL_DIR} after {WAIT_SECONDS} s " \
        f"(test database {connection.settings_dict['NAME']})"
    message = message_from_string(found[0].read_text(errors="replace").split("\n" + "-" * 79)[0], policy=default)
    assert message["Subject"] == f"Your reservation at Grand Hotel NYC is confirmed: {r.confirmation_number}"
    assert message["To"] == email
    text = message.get_body(("plain",)).get_content()
    assert "Total               664.14" in text and message.get_body(("html",)) is not None
    event = OutboxEvent.objects.get(reservation=r, name="ReservationConfirmed")
    for _ in range(20):  # the worker marks the event after sending
        if event.delivered_at is not None:
            break
        time.sleep(0.25)
        event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 1
