"""The partner API's multi-room form: `rooms` in the booking body, `rooms` in every booking answer, a room cancelled
by itself. The booking: a Deluxe King for two adults (664.14) and a Standard Queen for one adult and a child of 7
(541.74), Friday to Monday at the AAA rate."""

import json
from datetime import timedelta

import pytest

from bookings.models import Payment, Reservation, Status

from .booking_setup import seed_body

URL = "/api/v1/bookings"
ROOMS = [{"room_type": "DELUXE-KING", "adults": 2},
         {"room_type": "STANDARD-QUEEN", "adults": 1, "children": 1, "child_ages": [7]}]


def _rooms_body(friday, **overrides) -> dict:
    body = seed_body(friday, rooms=ROOMS, **overrides)
    for name in ("room_type", "adults", "children", "child_ages", "room_count"):
        body.pop(name)
    return body


def _post(client, body, **headers):
    return client.generic("POST", URL, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_a_rooms_body_books_every_room_and_answers_the_whole_booking(partner_client, nyc, next_friday):
    response = _post(partner_client, _rooms_body(next_friday, expected_total="1205.88"))

    assert response.status_code == 201, response.content
    body = response.json()
    number = body["confirmation_number"]
    assert response["Location"] == f"/api/v1/bookings/{number}"
    assert body["status"] == "CONFIRMED"
    assert body["room_type"]["code"] == "DELUXE-KING" and body["guests"] == {"adults": 2, "children": 0}
    assert {k: body["pricing"][k] for k in ("room_total", "taxes", "fees", "grand_total")} == {
        "room_total": "984.60", "taxes": "131.28", "fees": "90.00", "grand_total": "1205.88"}
    assert body["payment"] == {"status": "COMPLETED", "last_four": "4242", "amount": "1205.88", "currency": "USD"}
    assert (body["payment_terms"]["due_now"], body["payment_terms"]["due_later"]) == ("1205.88", "0.00")
    assert [(r["room"], r["number"], r["status"], r["room_type"]["code"], r["adults"], r["children"],
             r["child_ages"], r["totals"]["grand_total"]) for r in body["rooms"]] == [
        (1, number, "CONFIRMED", "DELUXE-KING", 2, 0, [], "664.14"),
        (2, f"{number}-2", "CONFIRMED", "STANDARD-QUEEN", 1, 1, [7], "541.74")]
    assert [n["rate"] for n in body["rooms"][1]["nights"]] == ["149.00", "179.00", "159.00"]
    assert Reservation.objects.count() == 2 and Payment.objects.count() == 2

    whole = partner_client.get(f"{URL}/{number}").json()
    assert whole["pricing"]["grand_total"] == "1205.88" and len(whole["rooms"]) == 2
    assert [s["to"] for s in whole["status_history"]] == ["PENDING", "CONFIRMED"]
    room = partner_client.get(f"{URL}/{number}-2").json()
    assert room["confirmation_number"] == f"{number}-2" and room["pricing"]["grand_total"] == "541.74"
    assert room["payment"]["amount"] == "541.74" and [r["room"] for r in room["rooms"]] == [2]


@pytest.mark.django_db
def test_a_single_room_body_still_answers_one_room(partner_client, nyc, next_friday):
    body = _post(partner_client, seed_body(next_friday)).json()

    assert body["pricing"]["grand_total"] == "664.14" and body["room_type"]["code"] == "DELUXE-KING"
    assert [(r["room"], r["number"], r["totals"]["grand_total"]) for r in body["rooms"]] == [
        (1, body["confirmation_number"], "664.14")]


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [{"room_type": "DELUXE-KING"}, {"adults": 2}, {"room_count": 1}])
def test_both_forms_in_one_body_are_refused(partner_client, nyc, next_friday, extra):
    response = _post(partner_client, {**_rooms_body(next_friday), **extra})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and "not both" in error["message"]
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_body_with_neither_form_needs_a_room_type(partner_client, nyc, next_friday):
    body = seed_body(next_friday)
    body.pop("room_type")

    response = _post(partner_client, body)

    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["fields"]["room_type"]


@pytest.mark.django_db
def test_a_sold_out_room_is_named_in_the_error(partner_client, nyc, next_friday):
    from inventory.models import InventoryDay

    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="STANDARD-QUEEN", date=next_friday)
    InventoryDay.objects.filter(pk=day.pk).update(sold=day.total)

    response = _post(partner_client, _rooms_body(next_friday))

    assert response.status_code == 409
    error = response.json()["error"]
    assert (error["code"], error["room"], error["date"]) == ("SOLD_OUT", 2, next_friday.isoformat())
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_the_same_idempotency_key_replays_the_multi_room_booking(partner_client, nyc, next_friday):
    first = _post(partner_client, _rooms_body(next_friday), HTTP_IDEMPOTENCY_KEY="multi-1")
    again = _post(partner_client, _rooms_body(next_friday), HTTP_IDEMPOTENCY_KEY="multi-1")

    assert (first.status_code, again.status_code) == (201, 201) and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json() and Reservation.objects.count() == 2 and Payment.objects.count() == 2


@pytest.mark.django_db
def test_one_room_is_cancelled_through_its_endpoint_and_the_rest_by_the_booking(partner_client, nyc, next_friday):
    number = _post(partner_client, _rooms_body(next_friday)).json()["confirmation_number"]

    one = partner_client.post(f"{URL}/{number}/rooms/2/cancel", {"reason": "One guest less"}, format="json")

    assert one.status_code == 200, one.content
    assert (one.json()["confirmation_number"], one.json()["status"]) == (f"{number}-2", "CANCELLED")
    assert one.json()["financial"]["refund_amount"] == "541.74"
    booking = partner_client.get(f"{URL}/{number}").json()
    assert booking["status"] == "CONFIRMED" and [r["status"] for r in booking["rooms"]] == ["CONFIRMED", "CANCELLED"]
    assert booking["payment"] == {
        "status": "PARTIALLY_REFUNDED", "last_four": "4242", "amount": "664.14", "currency": "USD"}
    assert partner_client.post(f"{URL}/{number}/rooms/3/cancel", {}, format="json").status_code == 404

    quote = partner_client.get(f"{URL}/{number}/cancellation-quote").json()
    assert quote["financial"]["refund_amount"] == "664.14" and [r["room"] for r in quote["rooms"]] == [1]
    rest = partner_client.post(f"{URL}/{number}/cancel", {"reason": "All off", "expected_penalty": "0.00"},
                               format="json")
    assert rest.status_code == 200, rest.content
    assert rest.json()["financial"]["refund_amount"] == "664.14" and rest.json()["status"] == "CANCELLED"
    assert [(r["room"], r["refund_amount"]) for r in rest.json()["rooms"]] == [(1, "664.14")]
    assert set(Reservation.objects.values_list("status", flat=True)) == {Status.CANCELLED}
    again = partner_client.post(f"{URL}/{number}/cancel", {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "CANCELLATION_NOT_ALLOWED"


@pytest.mark.django_db
def test_a_companion_room_is_changed_by_its_own_number(partner_client, nyc, next_friday):
    number = _post(partner_client, _rooms_body(next_friday)).json()["confirmation_number"]

    response = partner_client.patch(f"{URL}/{number}-2", {"check_out": (next_friday + timedelta(days=4)).isoformat()},
                                    format="json")

    assert response.status_code == 200, response.content
    rooms = partner_client.get(f"{URL}/{number}").json()["rooms"]
    assert [len(r["nights"]) for r in rooms] == [3, 4] and rooms[0]["totals"]["grand_total"] == "664.14"


@pytest.mark.django_db
def test_a_multi_room_booking_waiting_for_3d_secure_answers_202_without_numbers(partner_client, nyc, next_friday):
    body = _rooms_body(next_friday)
    body["payment"] = {"payment_method": "pm_card_authenticationRequired"}

    response = _post(partner_client, body)

    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["confirmation_number"] is None and answer["status"] == "PENDING"
    assert [(r["number"], r["status"]) for r in answer["rooms"]] == [(None, "PENDING"), (None, "PENDING")]
    assert answer["payment"]["status"] == "REQUIRES_ACTION" and answer["pricing"]["grand_total"] == "1205.88"
