"""The guest's emails carry the stay as a calendar event (stay.ics): the confirmation adds it, a change moves
it (same UID, higher SEQUENCE) and a cancellation removes it (METHOD:CANCEL), at the hotel's check-in and
check-out times in New York, with the confirmation number, the hotel's address and phone and the manage link."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from bookings.cancellations import reservation_cancel
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway

from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db

FRIDAY = date(2027, 3, 26)  # New York is on daylight time (UTC-4) since March 14


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2027-03-02T15:00:00Z", tick=False):
        yield


def _event(message):
    (attachment,) = [a for a in message.attachments if a[0] == "stay.ics"]
    assert attachment[2] == "text/calendar"
    calendar = Calendar.from_ical(attachment[1])
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_the_stay_goes_into_the_guests_calendar_and_follows_the_booking(nyc, django_capture_on_commit_callbacks):
    nyc.phone = "+1 212 555 0100"
    nyc.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        r = book(FRIDAY)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(), actor="test",
                           request=ModificationRequest(check_in=FRIDAY, check_out=date(2027, 3, 28),
                                                       adults=2, children=0))
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="Plans changed",
                           gateway=TestGateway(), actor="test")
    assert len(mail.outbox) == 3
    (confirmed, first), (changed, second), (cancelled, third) = (_event(m) for m in mail.outbox)

    assert str(confirmed["method"]) == "PUBLISH" and str(first["status"]) == "CONFIRMED"
    assert first.decoded("dtstart") == datetime(2027, 3, 26, 19, 0, tzinfo=UTC)   # 3:00 PM in New York
    assert first.decoded("dtend") == datetime(2027, 3, 29, 15, 0, tzinfo=UTC)     # 11:00 AM, three nights on
    assert str(first["summary"]) == f"Stay at Grand Hotel NYC ({r.confirmation_number})"
    assert str(first["location"]) == nyc.address
    description = str(first["description"])
    assert f"Confirmation number: {r.confirmation_number}" in description
    assert "Hotel phone: +1 212 555 0100" in description
    assert "/manage/link/" in description and str(first["url"]) in description

    # The change moves the same event to the new check-out; calendars replace it by its higher SEQUENCE.
    assert str(second["uid"]) == str(first["uid"]) == str(third["uid"])
    assert second.decoded("dtend") == datetime(2027, 3, 28, 15, 0, tzinfo=UTC)
    assert second.decoded("dtstart") == first.decoded("dtstart")
    assert int(first["sequence"]) < int(second["sequence"]) < int(third["sequence"])

    assert str(cancelled["method"]) == "CANCEL" and str(third["status"]) == "CANCELLED"
    assert str(changed["method"]) == "PUBLISH"
