"""payment.succeeded and payment.refunded: the card charged at booking (sent after reservation.created, as the
booking is confirmed after its payment) and the refund of a free cancellation."""

from datetime import timedelta

import pytest

from bookings import events
from bookings.models import OutboxEvent, Payment
from bookings.tests.booking_setup import seed_body

from .conftest import body_of, received

pytestmark = pytest.mark.django_db

WANTED = ["reservation.created", "reservation.cancelled", "payment.succeeded", "payment.refunded"]


def test_a_card_booking_and_its_cancellation_refund(partner, stay_friday, settle, endpoint_of, httpserver,
                                                     time_machine):
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint_of(client, WANTED)
    with settle():
        booked = client.post("/api/v1/bookings", seed_body(stay_friday), format="json").json()
    number = booked["confirmation_number"]

    created, paid = [body_of(r) for r in received(httpserver)]
    assert (created["type"], paid["type"]) == ("reservation.created", "payment.succeeded")
    charge = Payment.objects.get(kind="CHARGE")
    assert paid["data"]["payment"] == {"id": charge.pk, "kind": "CHARGE", "amount": "664.14", "currency": "USD",
                                       "purpose": "BOOKING", "refund_of": None}
    assert paid["data"]["booking"]["confirmation_number"] == number
    assert paid["data"]["booking"]["payment"] == {
        "status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"}
    # Recorded with the payment, before the booking had its number: none is shown in the event.
    assert OutboxEvent.objects.get(name=events.PAYMENT_SUCCEEDED).payload["confirmation_number"] is None

    time_machine.shift(timedelta(days=2))
    with settle():
        cancelled = client.post(f"/api/v1/bookings/{number}/cancel", {"reason": "Plans changed"}, format="json")
    assert cancelled.json()["financial"]["refund_amount"] == "664.14"

    cancel, refund = [body_of(r) for r in received(httpserver)[2:]]
    assert (cancel["type"], refund["type"]) == ("reservation.cancelled", "payment.refunded")
    refund_row = Payment.objects.get(kind="REFUND")
    assert refund["data"]["payment"] == {"id": refund_row.pk, "kind": "REFUND", "amount": "664.14",
                                         "currency": "USD", "purpose": "CANCELLATION", "refund_of": charge.pk}
    assert refund["data"]["booking"]["status"] == "CANCELLED"
    assert refund["data"]["booking"]["payment"]["status"] == "REFUNDED"
    assert refund["data"]["booking"]["payment"]["amount"] == "0.00"
    assert OutboxEvent.objects.get(name=events.PAYMENT_REFUNDED).payload["confirmation_number"] == number


def test_a_declined_card_records_no_payment_event(partner, stay_friday, settle, endpoint_of, httpserver):
    from bookings.tests.booking_setup import DECLINED_CARD

    _, client = partner
    endpoint_of(client, WANTED)
    with settle():
        response = client.post("/api/v1/bookings", seed_body(stay_friday, card=DECLINED_CARD), format="json")
    assert response.status_code == 402
    assert not OutboxEvent.objects.filter(name__in=[events.PAYMENT_SUCCEEDED, events.PAYMENT_REFUNDED]).exists()
    assert received(httpserver) == []
