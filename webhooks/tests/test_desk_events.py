"""The front desk's events: a front-desk key's endpoint (it reaches every booking of its hotel) is sent the
check-in, the payment taken at the desk and the check-out, in the order they happened."""

from datetime import timedelta

import pytest

from bookings.models import OutboxEvent
from frontdesk.tests.conftest import at
from frontdesk.tests.test_check_out import _ota_in_house

from .conftest import body_of, received

pytestmark = pytest.mark.django_db

WANTED = ["reservation.checked_in", "reservation.checked_out", "payment.succeeded"]


def test_a_stay_paid_at_the_desk(nyc, next_friday, frontdesk_client, settle, endpoint_of, httpserver):
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint_of(frontdesk_client, WANTED)
    with settle():
        r = _ota_in_house(nyc, next_friday)  # a channel's booking, checked in, a 12.50 minibar charge
    with at(next_friday + timedelta(days=3), 9), settle():
        response = frontdesk_client.post(f"/api/v1/reservations/{r.confirmation_number}/check-out",
                                         {"paid_at_desk": True}, format="json")
    assert response.status_code == 200, response.content

    bodies = [body_of(request) for request in received(httpserver)]
    # The balance is paid (a Payment row) before the stay is closed, in the check-out's transaction.
    assert [b["type"] for b in bodies] == ["reservation.checked_in", "payment.succeeded", "reservation.checked_out"]
    assert OutboxEvent.objects.filter(reservation=r, name="PaymentSucceeded").count() == 1
    paid = next(b for b in bodies if b["type"] == "payment.succeeded")
    assert (paid["data"]["payment"]["amount"], paid["data"]["payment"]["purpose"]) == ("12.50", "CHECK_OUT_AT_DESK")
    assert {b["data"]["booking"]["confirmation_number"] for b in bodies} == {r.confirmation_number}
    out = next(b for b in bodies if b["type"] == "reservation.checked_out")
    assert out["data"]["booking"]["status"] == "CHECKED_OUT"
