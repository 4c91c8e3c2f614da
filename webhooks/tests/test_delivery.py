"""Real HTTP deliveries to a local receiver: signed, with the event's id and type, the booking as the partner
reads it, in the order things happened to the booking, and never with a transaction open."""

import time
from datetime import timedelta

import pytest
from django.db import connection

from bookings.tests.booking_setup import seed_body
from webhooks.models import WebhookAttempt, WebhookDelivery

from .conftest import body_of, book, received, verify

pytestmark = pytest.mark.django_db


def test_a_booking_is_posted_signed_with_the_booking_as_the_partner_reads_it(partner, stay_friday, settle,
                                                                            endpoint_of, httpserver):
    key, client = partner
    httpserver.expect_request("/hooks", method="POST").respond_with_data("thanks")
    endpoint = endpoint_of(client, ["reservation.created"])
    assert endpoint["secret"].startswith("whsec_") and len(endpoint["secret"]) > 40

    before = int(time.time())
    number = book(client, stay_friday, settle)

    [request] = received(httpserver)
    assert verify(request, endpoint["secret"])
    assert not verify(request, "whsec_someone-else")
    t = int(dict(p.split("=", 1) for p in request.headers["Hotel-Signature"].split(","))["t"])
    assert before <= t <= int(time.time()) + 1
    body = body_of(request)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Hotel-Event-Type"] == body["type"] == "reservation.created"
    assert request.headers["Hotel-Event-Id"] == body["id"]
    assert body["api_version"] == "v1"
    booking = body["data"]["booking"]
    read_back = client.get(f"/api/v1/bookings/{number}").json()
    assert booking == read_back  # the same document GET answers this key, history and all
    assert booking["confirmation_number"] == number and booking["status"] == "CONFIRMED"
    assert booking["pricing"]["grand_total"] == "664.14" and booking["pricing"]["room_total"] == "546.30"
    assert booking["payment"] == {
        "status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"}
    assert [h["by"] for h in booking["status_history"]] == ["you", "you"]

    delivery = WebhookDelivery.objects.get()
    assert str(delivery.event_id) == body["id"] and delivery.state == WebhookDelivery.State.SUCCEEDED
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "thanks", "")


def test_an_endpoint_gets_only_the_types_it_asked_for(partner, stay_friday, settle, endpoint_of, httpserver):
    _, client = partner
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint_of(client, ["reservation.cancelled"])
    number = book(client, stay_friday, settle)
    assert received(httpserver) == []
    with settle():
        client.post(f"/api/v1/bookings/{number}/cancel", {"reason": "Plans changed"},
                    format="json")
    [request] = received(httpserver)
    body = body_of(request)
    assert body["type"] == "reservation.cancelled" and body["data"]["booking"]["status"] == "CANCELLED"
    assert body["data"]["cancellation"]["reason"] == "Plans changed"
    assert body["data"]["cancellation"]["refund"] == "664.14" and body["data"]["cancellation"]["penalty"] == "0.00"
    assert "guest_email" not in body["data"]["cancellation"]


def test_deliveries_of_one_booking_arrive_in_order_even_after_a_failure(partner, stay_friday, settle, endpoint_of,
                                                                       httpserver, time_machine):
    """created, modified, cancelled: the receiver is down for the first; the others wait for it."""
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)
    httpserver.expect_oneshot_request("/hooks").respond_with_data("down", status=503)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint_of(client, ["reservation.created", "reservation.modified", "reservation.cancelled"])
    number = book(client, stay_friday, settle)
    time_machine.shift(timedelta(seconds=5))
    with settle():
        changed = client.patch(f"/api/v1/bookings/{number}",
                               {"check_out": str(stay_friday + timedelta(days=4))}, format="json")
    assert changed.status_code == 200, changed.content
    time_machine.shift(timedelta(seconds=5))
    with settle():
        client.post(f"/api/v1/bookings/{number}/cancel", {"reason": "x"}, format="json")

    assert [body_of(r)["type"] for r in received(httpserver)] == ["reservation.created"]  # it failed: 503
    states = dict(WebhookDelivery.objects.values_list("type", "state"))
    assert set(states.values()) == {"PENDING"}

    from webhooks.tasks import send_due_deliveries

    time_machine.shift(timedelta(minutes=1))
    with settle():
        send_due_deliveries()
    types = [body_of(r)["type"] for r in received(httpserver)]
    assert types == ["reservation.created", "reservation.created", "reservation.modified", "reservation.cancelled"]
    modified = body_of(received(httpserver)[2])
    assert modified["data"]["modification"]["previous_check_out"] == str(stay_friday + timedelta(days=3))
    assert modified["data"]["booking"]["check_out"] == str(stay_friday + timedelta(days=4))
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"SUCCEEDED"}


@pytest.mark.django_db(transaction=True)
def test_the_post_is_made_with_no_transaction_open(partner, stay_friday, endpoint_of, httpserver, monkeypatch):
    import requests

    from webhooks import sending

    _, client = partner
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint_of(client, ["reservation.created"])
    seen = []
    real_post = requests.post

    def spying_post(*args, **kwargs):
        seen.append(connection.in_atomic_block)
        return real_post(*args, **kwargs)

    monkeypatch.setattr(sending.requests, "post", spying_post)
    response = client.post("/api/v1/bookings", seed_body(stay_friday), format="json")
    assert response.status_code == 201
    assert seen == [False] and len(received(httpserver)) == 1
    assert WebhookDelivery.objects.get().state == "SUCCEEDED"
