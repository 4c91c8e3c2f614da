"""A receiver that fails: retried with exponential backoff (1 min, 5 min, 30 min, 2 h, 5 h, then every 10 h) for 3
days, every attempt logged; an endpoint failing for a day is disabled and its contact emailed."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from werkzeug import Response

from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tasks import send_due_deliveries

from .conftest import body_of, book, received, verify

pytestmark = pytest.mark.django_db

M, H = timedelta(minutes=1), timedelta(hours=1)
# When the attempts of a receiver that never answers 2xx come, from the first one.
SCHEDULE = [timedelta(0), M, 6 * M, 36 * M, 2 * H + 36 * M, 7 * H + 36 * M, 17 * H + 36 * M, 27 * H + 36 * M,
            37 * H + 36 * M, 47 * H + 36 * M, 57 * H + 36 * M, 67 * H + 36 * M, 72 * H]


def _offsets(delivery) -> list[timedelta]:
    times = list(delivery.attempt_log.values_list("at", flat=True))
    return [t - times[0] for t in times]


def test_a_failed_delivery_is_retried_with_backoff_and_every_attempt_logged(partner, stay_friday, settle,
                                                                           endpoint_of, httpserver, time_machine):
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)
    start = timezone.now()
    httpserver.expect_oneshot_request("/hooks").respond_with_data("Internal error: database is down", status=500)
    httpserver.expect_oneshot_request("/hooks").respond_with_data("still down", status=500)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint = endpoint_of(client, ["reservation.created"])
    book(client, stay_friday, settle)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("PENDING", 1, start + M)
    assert WebhookEndpoint.objects.get().failing_since == start

    time_machine.shift(30)
    with settle():
        assert send_due_deliveries() == 0  # not due yet
    time_machine.move_to(start + M, tick=False)
    with settle():
        assert send_due_deliveries() == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, start + 6 * M)
    time_machine.move_to(start + 6 * M, tick=False)
    with settle():
        send_due_deliveries()

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.delivered_at) == ("SUCCEEDED", 3, start + 6 * M)
    assert WebhookEndpoint.objects.get().failing_since is None
    requests = received(httpserver)
    assert len(requests) == 3 and all(verify(r, endpoint["secret"]) for r in requests)
    assert len({r.headers["Hotel-Event-Id"] for r in requests}) == 1
    assert len({r.get_data() for r in requests}) == 1  # the body frozen at fan-out, sent again as it was

    detail = client.get(f"/api/v1/webhooks/deliveries/{delivery.pk}").json()
    assert [(a["status_code"], a["response_excerpt"], a["error"]) for a in detail["attempt_log"]] == [
        (500, "Internal error: database is down", "HTTP 500"), (500, "still down", "HTTP 500"), (200, "ok", "")]
    assert [a["at"] for a in detail["attempt_log"]] == [
        (start + d).isoformat().replace("+00:00", "Z") for d in (timedelta(0), M, 6 * M)]
    assert all(a["latency_ms"] >= 0 for a in detail["attempt_log"])
    assert detail["state"] == "SUCCEEDED" and detail["payload"] == body_of(requests[0])


def test_a_long_answer_is_logged_as_its_first_500_characters(partner, stay_friday, settle, endpoint_of, httpserver):
    _, client = partner
    httpserver.expect_request("/hooks").respond_with_data("x" * 5000, status=400)
    endpoint_of(client)
    book(client, stay_friday, settle)
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code == 400 and attempt.response_excerpt == "x" * 500


def test_a_delivery_is_given_up_three_days_after_its_first_attempt(partner, stay_friday, settle, endpoint_of,
                                                                  httpserver, time_machine):
    """The receiver refuses one kind of event but takes the others, so the endpoint stays enabled."""
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)

    def refuse_modifications(request):
        return Response("no", status=422) if body_of(request)["type"] == "reservation.modified" else Response("ok")

    httpserver.expect_request("/hooks").respond_with_handler(refuse_modifications)
    endpoint_of(client, ["reservation.created", "reservation.modified"])
    number = book(client, stay_friday, settle)
    with settle():
        client.patch(f"/api/v1/bookings/{number}", {"adults": 1}, format="json")
    modified = WebhookDelivery.objects.get(type="reservation.modified")

    guests = 0
    while modified.state == "PENDING":
        time_machine.move_to(modified.next_attempt_at, tick=False)
        failing_since = WebhookEndpoint.objects.get().failing_since
        if failing_since and timezone.now() - failing_since > 12 * H:  # another booking gets through meanwhile
            guests += 1
            book(client, stay_friday, settle, email=f"guest{guests}@example.com")
        with settle():
            send_due_deliveries()
        modified.refresh_from_db()

    assert modified.state == "FAILED" and modified.next_attempt_at is None
    assert _offsets(modified) == SCHEDULE
    assert guests >= 2  # what kept the endpoint from being disabled
    assert WebhookEndpoint.objects.get().active
    assert not [m for m in mail.outbox if "Webhook endpoint disabled" in m.subject]
    time_machine.shift(timedelta(days=1))
    with settle():
        send_due_deliveries()
    assert modified.attempt_log.count() == len(SCHEDULE)


def test_an_endpoint_failing_for_a_day_is_disabled_its_contact_told_and_it_can_be_enabled_again(
        partner, stay_friday, settle, endpoint_of, httpserver, time_machine):
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)
    start = timezone.now()
    answer = {"status": 503}
    httpserver.expect_request("/hooks").respond_with_handler(lambda request: Response("x", status=answer["status"]))
    endpoint = endpoint_of(client, ["reservation.created"])
    book(client, stay_friday, settle)
    delivery = WebhookDelivery.objects.get()
    mail.outbox.clear()

    while WebhookEndpoint.objects.get().active:
        time_machine.move_to(delivery.next_attempt_at, tick=False)
        with settle():
            send_due_deliveries()
        delivery.refresh_from_db()

    assert _offsets(delivery) == SCHEDULE[:8]  # the 8th attempt, 27 h 36 min after the first, was a day of failures
    stopped = WebhookEndpoint.objects.get()
    assert stopped.disabled_at == start + SCHEDULE[7] and "failed" in stopped.disabled_reason
    assert delivery.state == "PENDING"  # kept
    [notice] = mail.outbox
    assert notice.to == ["tech@partner.example"] and endpoint["url"] in notice.subject
    assert "1 event(s) are kept" in notice.body

    time_machine.shift(timedelta(days=1))
    with settle():
        assert send_due_deliveries() == 0
    assert delivery.attempt_log.count() == 8

    answer["status"] = 200
    with settle():
        response = client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}", {"active": True}, format="json")
    assert response.status_code == 200
    assert response.json()["active"] is True and response.json()["disabled_at"] is None
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("SUCCEEDED", 9)
    assert len(received(httpserver)) == 9
