"""ReservationConfirmed through the outbox: the confirmation email, re-delivery, handlers that run once."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from bookings import events
from bookings.models import HandledEvent, OutboxEvent
from bookings.services import GuestDetails, booking_create
from bookings.tasks import deliver_event, redeliver_outbox

from .booking_setup import seed_request

CONFIRMED = events.RESERVATION_CONFIRMED
EMAIL_HANDLER = "bookings.notifications.send_confirmation"


def _book(friday, gateway, capture, **overrides):
    with capture(execute=True):
        return booking_create(request=seed_request(friday, **overrides), gateway=gateway)


@pytest.mark.django_db
def test_the_confirmation_email_has_everything_the_guest_needs(
        nyc, next_friday, gateway, django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks,
              special_requests="Quiet room away from the elevator")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == f"Your reservation at Grand Hotel NYC is confirmed: {r.confirmation_number}"
    assert message.to == ["john.smith@example.com"] and message.reply_to == ["frontdesk@grandhotel.example"]
    text = message.body
    monday = next_friday + timedelta(days=3)
    thursday = next_friday - timedelta(days=1)
    for expected in [
        r.confirmation_number,
        f"Check-in:  {next_friday:%A, %B} {next_friday.day}, {next_friday.year} from 3:00 PM",
        f"Check-out: {monday:%A, %B} {monday.day}, {monday.year} by 11:00 AM",
        "Room: Deluxe King Room", "Guests: 2 adults", "Rate: AAA Member Rate",
        "189.00", "219.00", "199.00",
        "Subtotal            607.00", "Rate discount       -60.70", "Room total          546.30",
        "Taxes               72.84", "Fees                45.00", "Total               664.14",
        "Paid: 664.14 USD by visa ending 4242",
        "Cancellation: Flexible 24-Hour. Free cancellation until 24 hours before check-in.",
        f"Free cancellation until {thursday:%B} {thursday.day}, {thursday.year} 3:00 PM (America/New_York)",
        "Your requests: Quiet room away from the elevator",
        "123 Main St, New York, NY 10001",
    ]:
        assert expected in text, expected
    assert "4242424242424242" not in text
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    for expected in [r.confirmation_number, "Deluxe King Room", "189.00", "219.00", "199.00", "546.30",
                     "664.14", "Flexible 24-Hour", "3:00 PM"]:
        assert expected in html, expected


@pytest.mark.django_db
def test_nothing_is_sent_before_the_booking_commits(nyc, next_friday, gateway, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        booking_create(request=seed_request(next_friday), gateway=gateway)
        assert mail.outbox == []
    assert len(callbacks) == 2  # PaymentSucceeded and ReservationConfirmed, each queued after its own commit


@pytest.mark.django_db
def test_a_failed_handler_is_delivered_later_by_the_periodic_task_and_emails_once(
        nyc, next_friday, gateway, django_capture_on_commit_callbacks, monkeypatch):
    real_send = EmailMultiAlternatives.send
    smtp_down = True

    def send(message, *args, **kwargs):
        if smtp_down:
            raise SMTPException("mail server unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(reservation=r, name=CONFIRMED)
    assert event.delivered_at is None and event.attempts >= 1 and "mail server unavailable" in event.last_error
    assert not HandledEvent.objects.filter(event_id=event.pk, handler=EMAIL_HANDLER).exists()
    assert mail.outbox == []

    smtp_down = False
    assert redeliver_outbox(older_than_seconds=0) == 1
    assert redeliver_outbox(older_than_seconds=0) == 0
    deliver_event.delay(str(event.pk))  # a late duplicate from the broker

    assert len(mail.outbox) == 1 and r.confirmation_number in mail.outbox[0].subject
    event.refresh_from_db()
    assert event.delivered_at is not None and event.last_error == ""
    assert HandledEvent.objects.filter(event_id=event.pk, handler=EMAIL_HANDLER).count() == 1


@pytest.mark.django_db
def test_an_event_the_broker_never_got_is_delivered_by_the_periodic_task(
        nyc, next_friday, gateway, django_capture_on_commit_callbacks, monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(deliver_event, "delay", broker_down)
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks)  # the booking itself succeeds
    assert mail.outbox == [] and OutboxEvent.objects.get(reservation=r, name=CONFIRMED).delivered_at is None

    assert redeliver_outbox(older_than_seconds=30) == 0  # too fresh: its own delivery may still be on the way
    assert redeliver_outbox(older_than_seconds=0) == 2  # the confirmation and the payment (PaymentSucceeded)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_delivering_one_event_twice_sends_one_email(nyc, next_friday, gateway, django_capture_on_commit_callbacks):
    r = _book(next_friday, gateway, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get(reservation=r, name=CONFIRMED)
    # The handler ran but the worker died before marking the event delivered: it comes round again.
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)

    assert events.event_deliver(event.pk) is True
    assert events.event_deliver(event.pk) is True
    assert len(mail.outbox) == 1
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is not None


@pytest.mark.django_db
def test_other_apps_subscribe_and_only_the_failed_handler_runs_again(
        nyc, next_friday, gateway, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    failing = {"on": True}

    def channel_sync(event):  # what the channel manager will subscribe
        calls.append(event.payload["confirmation_number"])
        if failing["on"]:
            raise RuntimeError("OTA unreachable")

    monkeypatch.setattr("bookings.tests.test_booking_events.channel_sync", channel_sync, raising=False)
    monkeypatch.setitem(events._subscribers, CONFIRMED,
                        [EMAIL_HANDLER, "bookings.tests.test_booking_events.channel_sync"])

    r = _book(next_friday, gateway, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and calls and set(calls) == {r.confirmation_number}
    tries = len(calls)

    failing["on"] = False
    redeliver_outbox(older_than_seconds=0)
    assert len(calls) == tries + 1 and len(mail.outbox) == 1
    assert OutboxEvent.objects.get(reservation=r, name=CONFIRMED).delivered_at is not None


@pytest.mark.django_db
def test_an_event_whose_reservation_is_gone_is_not_retried_forever(nyc):
    event = OutboxEvent.objects.create(name=CONFIRMED, reservation=None, payload={})
    assert events.event_deliver(event.pk) is True and mail.outbox == []


@pytest.mark.django_db
def test_an_event_failing_again_and_again_waits_for_a_person(nyc, caplog):
    event = OutboxEvent.objects.create(name="NobodyListens", payload={}, attempts=20,
                                       created_at=timezone.now() - timedelta(hours=1))
    assert redeliver_outbox(older_than_seconds=0) == 0
    assert OutboxEvent.objects.get(pk=event.pk).delivered_at is None
    assert "manual re-delivery" in caplog.text


@pytest.mark.django_db
def test_the_event_carries_what_subscribers_need(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday, guest=GuestDetails("Ann", "Lee", "ann@example.com",
                                                                            loyalty_number="GH-77")),
                       gateway=gateway)
    payload = OutboxEvent.objects.get(reservation=r, name=CONFIRMED).payload
    assert payload == {
        "confirmation_number": r.confirmation_number, "hotel": "NYC", "room_type": "DELUXE-KING",
        "room_type_id": r.room_type_id, "check_in": next_friday.isoformat(),
        "check_out": (next_friday + timedelta(days=3)).isoformat(), "guest_email": "ann@example.com",
        "loyalty_number": "GH-77", "grand_total": "664.14", "currency": "USD", "room_count": 1,
    }
