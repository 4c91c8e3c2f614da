"""POST /api/v1/bookings and GET /api/v1/bookings/{confirmation_number}, as a partner would use them."""

import json
import logging
import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connections
from rest_framework.test import APIClient

from bookings.models import IdempotencyRecord, Payment, Reservation
from bookings.services import booking_create
from inventory.models import InventoryDay
from tests.factories import HotelFactory, api_key_for

from .booking_setup import DECLINED_CARD, NO_FUNDS_CARD, seed_body, seed_request

URL = "/api/v1/bookings"


def _sold(nyc, friday):
    return list(InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="DELUXE-KING",
                                            date__gte=friday, date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _post(client, body, **headers):
    # json.dumps escapes what is not ASCII, so even a lone surrogate reaches the server as the client sent it.
    return client.generic("POST", URL, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.django_db
def test_booking_the_seed_stay_answers_the_full_confirmation(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, expected_total="664.14"))

    assert response.status_code == 201, response.content
    body = response.json()
    number = body["confirmation_number"]
    assert number.startswith(f"GH-NYC-{next_friday:%Y%m%d}") and len(number) == len("GH-NYC-2024031501234")
    saturday, sunday = next_friday + timedelta(days=1), next_friday + timedelta(days=2)
    free_until = (next_friday - timedelta(days=1)).isoformat() + "T15:00:00"
    assert body["cancellation_policy"]["free_until"].startswith(free_until)
    assert body["cancellation_policy"]["free_until"][-6:] in ("-04:00", "-05:00")  # New York time
    body["cancellation_policy"]["free_until"] = None
    assert body == {
        "confirmation_number": number, "status": "CONFIRMED", "guest_name": "John Smith",
        "hotel": {"code": "NYC", "name": "Grand Hotel NYC", "address": "123 Main St, New York, NY 10001"},
        "check_in": next_friday.isoformat(), "check_out": (next_friday + timedelta(days=3)).isoformat(),
        "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"},
        "rate_plan": {"code": "AAA", "name": "AAA Member Rate"},
        "guests": {"adults": 2, "children": 0},
        "special_requests": "High floor, please", "billing_address": "",
        "pricing": {"currency": "USD",
                    "nightly_rates": [{"date": next_friday.isoformat(), "rate": "189.00"},
                                      {"date": saturday.isoformat(), "rate": "219.00"},
                                      {"date": sunday.isoformat(), "rate": "199.00"}],
                    "subtotal": "607.00", "rate_plan_discount": "-60.70", "promotion_discount": "0.00",
                    "discount": "-60.70",
                    "discounts": [{"kind": "RATE_PLAN", "code": "AAA", "name": "AAA Member Rate", "amount": "-60.70"}],
                    "room_total": "546.30", "taxes": "72.84",
                    "tax_lines": [{"name": "NYC Hotel Room Tax", "amount": "72.84"}], "fees": "45.00",
                    "extras": "0.00",  # new: no extra chosen
                    "grand_total": "664.14",
                    "total": "664.14"},
        "cancellation_policy": {"name": "Flexible 24-Hour",
                                "description": "Free cancellation until 24 hours before check-in",
                                "free_until": None},
        "payment": {"status": "COMPLETED", "last_four": "4242", "amount": "664.14", "currency": "USD"},
        "payment_terms": {"guarantee": "PREPAY", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
                          "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"},
        "extras": [],  # new: the booking's extras
        # Added beside the single-room fields (multi-room bookings): the one room, as booked.
        "rooms": [{"room": 1, "number": number, "status": "CONFIRMED",
                   "room_type": {"code": "DELUXE-KING", "name": "Deluxe King Room"}, "room_count": 1,
                   "adults": 2, "children": 0, "child_ages": [],
                   "nights": [{"date": next_friday.isoformat(), "rate": "189.00"},
                              {"date": saturday.isoformat(), "rate": "219.00"},
                              {"date": sunday.isoformat(), "rate": "199.00"}],
                   "totals": {"subtotal": "607.00", "discount": "-60.70", "room_total": "546.30", "taxes": "72.84",
                              "fees": "45.00", "grand_total": "664.14", "currency": "USD"}}],
    }
    r = Reservation.objects.get(confirmation_number=number)
    assert r.channel == "DIRECT" and r.source == "Test partner"
    assert r.special_requests == "High floor, please"
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db
def test_a_booking_reads_back_with_its_status_history(partner_client, nyc, next_friday):
    created = _post(partner_client, seed_body(next_friday)).json()

    response = partner_client.get(f"{URL}/{created['confirmation_number']}")

    assert response.status_code == 200
    body = response.json()
    history = body.pop("status_history")
    assert body == created
    assert [(h["from"], h["to"]) for h in history] == [(None, "PENDING"), ("PENDING", "CONFIRMED")]
    assert [h["by"] for h in history] == ["you", "you"]  # the caller itself; never a key's name or prefix
    assert history[1]["note"] == "Paid 664.14 USD by visa ending 4242"
    assert list(history[0]) == ["from", "to", "at", "by", "note"]


@pytest.mark.django_db
def test_the_confirmation_number_is_found_whatever_its_case(partner_client, nyc, next_friday):
    number = _post(partner_client, seed_body(next_friday)).json()["confirmation_number"]
    found = partner_client.get(f"{URL}/{number.lower()}")
    assert found.status_code == 200
    assert found.json()["confirmation_number"] == number
    assert found.json()["payment"]["amount"] == "664.14"


@pytest.mark.django_db
@pytest.mark.parametrize("card, decline_code, message", [
    (DECLINED_CARD, "card_declined", "The card was declined. Please use another card."),
    (NO_FUNDS_CARD, "insufficient_funds", "The card was declined for insufficient funds."),
    ("4242 4242 4242 4241", "invalid_number", "The card number is not valid. Please check it and try again."),
])
def test_a_declined_card_answers_402_and_books_nothing(partner_client, nyc, next_friday, card, decline_code,
                                                        message):
    response = _post(partner_client, seed_body(next_friday, card=card))

    assert response.status_code == 402
    assert response.json() == {"error": {"code": "PAYMENT_FAILED", "message": message, "retryable": True,
                                         "retry_action": "UPDATE_PAYMENT", "decline_code": decline_code}}
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0
    assert _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_a_stale_expected_total_answers_price_changed_with_the_new_quote(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday, expected_total="600.00"))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "PRICE_CHANGED" and error["retryable"] is True
    assert error["retry_action"] == "CONFIRM_NEW_PRICE"
    assert error["new_total"] == "664.14" and error["quote"]["total"] == "664.14"
    assert error["quote"]["room_total"] == "546.30"
    assert Reservation.objects.count() == 0 and _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_a_full_night_answers_sold_out_naming_it(partner_client, nyc, next_friday):
    sunday = next_friday + timedelta(days=2)
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=sunday).update(sold=5)

    response = _post(partner_client, seed_body(next_friday))

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "SOLD_OUT" and error["date"] == sunday.isoformat()
    assert f"{sunday:%B} {sunday.day}, {sunday.year}" in error["message"]
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, status, code", [
    ({"check_in": "2024-02-30"}, 400, "INVALID_DATES"),
    ({"check_in": None}, 400, "INVALID_DATES"),
    ({"check_out": "soon"}, 400, "INVALID_DATES"),
    ({"check_in": "1999-01-01", "check_out": "1999-01-02"}, 400, "INVALID_DATES"),
    ({"check_out": "9999-12-31"}, 400, "INVALID_DATES"),
    ({"adults": 0}, 400, "INVALID_PARTY"),
    ({"adults": "lots"}, 400, "INVALID_PARTY"),
    ({"adults": 10 ** 40}, 400, "INVALID_PARTY"),
    ({"adults": 2.5}, 400, "INVALID_PARTY"),
    ({"children": -1}, 400, "INVALID_PARTY"),
    ({"room_count": 99}, 400, "INVALID_PARTY"),
    ({"child_ages": ["x"]}, 400, "INVALID_PARTY"),
    ({"children": 1, "child_ages": [3, 4]}, 400, "INVALID_PARTY"),
    ({"rate_plan": "NOPE"}, 400, "UNKNOWN_RATE_PLAN"),
    ({"rate_plan": "N\u00d8PE\u2603"}, 400, "UNKNOWN_RATE_PLAN"),
    ({"room_type": "PENTHOUSE"}, 400, "UNKNOWN_ROOM_TYPE"),
    ({"promo_code": "FREE100"}, 400, "UNKNOWN_PROMO_CODE"),
    ({"hotel": "XXX"}, 404, "HOTEL_NOT_FOUND"),
    ({"hotel": "Zürich\u00e9"}, 404, "HOTEL_NOT_FOUND"),
    ({"hotel": ["NYC"]}, 400, "VALIDATION_ERROR"),
    ({"hotel": "N\x00YC"}, 400, "VALIDATION_ERROR"),
    ({"guest": {"first_name": "John"}}, 400, "VALIDATION_ERROR"),
    ({"guest": "John"}, 400, "VALIDATION_ERROR"),
    ({"guest": {"first_name": "Jo\ud800", "last_name": "S", "email": "j@example.com"}}, 400,
     "VALIDATION_ERROR"),
    ({"payment": {"card_number": "4242424242424242"}}, 400, "VALIDATION_ERROR"),
    ({"payment": {"card_number": "abcd", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}, 400,
     "VALIDATION_ERROR"),
    ({"payment": {"card_number": "4242424242424242", "exp_month": 13, "exp_year": 2030, "cvc": "123"}}, 400,
     "VALIDATION_ERROR"),
    ({"payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "12a"}}, 400,
     "VALIDATION_ERROR"),
    ({"expected_total": "1e400"}, 400, "VALIDATION_ERROR"),
    ({"expected_total": "NaN"}, 400, "VALIDATION_ERROR"),
    ({"special_requests": "x" * 2001}, 400, "VALIDATION_ERROR"),
    ({"channel": "PIGEON"}, 400, "VALIDATION_ERROR"),
])
def test_bad_input_answers_its_code_and_never_a_500(partner_client, nyc, next_friday, overrides, status, code):
    response = _post(partner_client, seed_body(next_friday, **overrides))

    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"] and error["retryable"] is False
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("raw, content_type", [
    (b"{not json", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b'"just a string"', "application/json"),
    (b"", "application/json"),
    (b'{"adults": 1' + b"0" * 5000 + b"}", "application/json"),
    ("{\"hotel\": \"NYC\", \"guest\": {\"first_name\": \"Zo\u00eb \U0001F600\"}}".encode(), "application/json"),
    (b"\xff\xfe\x00", "application/json"),
    (b"hotel=NYC&adults=2", "application/x-www-form-urlencoded"),
    (b"<booking/>", "application/xml"),
])
def test_malformed_bodies_answer_4xx_with_an_error_body(partner_client, nyc, raw, content_type):
    response = partner_client.generic("POST", URL, raw, content_type=content_type)

    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()["error"]) >= {"code", "message", "retryable"}


@pytest.mark.django_db
def test_an_unexpected_error_answers_system_error_and_logs_the_input_without_the_card(
        partner_client, nyc, next_friday, caplog):
    with mock.patch("bookings.services.create.inventory_reserve", side_effect=RuntimeError("db on fire at 10.0.0.3")), \
            caplog.at_level(logging.ERROR, logger="hotelbooking.api"):
        response = _post(partner_client, seed_body(next_friday))

    assert response.status_code == 500
    assert response.json() == {"error": {"code": "SYSTEM_ERROR",
                                         "message": "An unexpected error occurred. Please try again.",
                                         "retryable": True}}
    record = next(r for r in caplog.records if r.name == "hotelbooking.api")
    assert record.body["hotel"] == "NYC" and record.body["room_type"] == "DELUXE-KING"
    logged = json.dumps(record.body, default=str) + caplog.text
    assert "4242424242424242" not in logged and "10.0.0.3" not in response.content.decode()


# --- API keys --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_no_key_answers_401(nyc, next_friday):
    response = _post(APIClient(), seed_body(next_friday))
    assert response.status_code == 401 and response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
    assert APIClient().get(f"{URL}/GH-NYC-2024031500001").status_code == 401


@pytest.mark.django_db
def test_a_key_for_another_hotel_cannot_book_here_nor_read_bookings_here(nyc, next_friday, partner_client):
    number = _post(partner_client, seed_body(next_friday)).json()["confirmation_number"]
    _, key = api_key_for(HotelFactory(code="LAX"))
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")

    booking = _post(other, seed_body(next_friday))
    reading = other.get(f"{URL}/{number}")

    assert booking.status_code == 404 and booking.json()["error"]["code"] == "HOTEL_NOT_FOUND"
    assert reading.status_code == 404 and reading.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
    assert Reservation.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_confirmation_number_answers_404(partner_client):
    for number in ("GH-NYC-2099010100001", "%00", "x" * 300):
        response = partner_client.get(f"{URL}/{number}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"


# --- Idempotency-Key -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_same_key_and_body_replay_the_first_answer_and_charge_once(partner_client, nyc, next_friday):
    body = seed_body(next_friday)
    first = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="order-42")
    second = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="order-42")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert second["Location"] == first["Location"] == f"{URL}/{first.json()['confirmation_number']}"
    assert Reservation.objects.count() == 1 and Payment.objects.count() == 1
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db
def test_the_same_key_with_another_body_answers_422(partner_client, nyc, next_friday):
    _post(partner_client, seed_body(next_friday), HTTP_IDEMPOTENCY_KEY="order-42")
    response = _post(partner_client, seed_body(next_friday, adults=1), HTTP_IDEMPOTENCY_KEY="order-42")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert Reservation.objects.count() == 1 and Payment.objects.count() == 1


@pytest.mark.django_db
def test_a_declined_attempt_is_replayed_too_and_another_key_may_retry(partner_client, nyc, next_friday):
    declined = seed_body(next_friday, card=DECLINED_CARD)
    first = _post(partner_client, declined, HTTP_IDEMPOTENCY_KEY="k1")
    again = _post(partner_client, declined, HTTP_IDEMPOTENCY_KEY="k1")
    other_card = _post(partner_client, seed_body(next_friday), HTTP_IDEMPOTENCY_KEY="k2")

    assert first.status_code == again.status_code == 402 and again.json() == first.json()
    assert other_card.status_code == 201 and Payment.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_caller(partner_client, nyc, next_friday):
    _, key = api_key_for(nyc, name="Second partner")
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = seed_body(next_friday)

    a = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="same")
    b = _post(second, body, HTTP_IDEMPOTENCY_KEY="same")

    assert a.status_code == b.status_code == 201
    assert a.json()["confirmation_number"] != b.json()["confirmation_number"]


@pytest.mark.django_db
def test_a_request_still_running_with_the_key_answers_in_progress(partner_client, nyc, next_friday):
    body = seed_body(next_friday)
    _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="slow")
    IdempotencyRecord.objects.filter(key="slow").update(response_status=None, response_body=None)

    response = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="slow")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert response.json()["error"]["retryable"] is True
    assert Reservation.objects.count() == 1


@pytest.mark.django_db
def test_an_unexpected_failure_lets_go_of_the_key(partner_client, nyc, next_friday):
    body = seed_body(next_friday)
    with mock.patch("bookings.services.create.inventory_reserve", side_effect=RuntimeError("boom")):
        assert _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="retry-me").status_code == 500
    # Nothing was booked, charged or held, and the key is free again.
    assert (Reservation.objects.count(), Payment.objects.count()) == (0, 0)
    assert _sold(nyc, next_friday) == [0, 0, 0]
    assert not IdempotencyRecord.objects.filter(key="retry-me", response_status__isnull=False).exists()

    retried = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert retried.status_code == 201 and retried.json()["payment"]["amount"] == "664.14"
    assert _sold(nyc, next_friday) == [1, 1, 1]
    replay = _post(partner_client, body, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert replay.json()["confirmation_number"] == retried.json()["confirmation_number"]
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("664.14")]


@pytest.mark.django_db
def test_keys_are_forgotten_after_a_day(partner_client, nyc, next_friday):
    import time_machine
    from django.utils import timezone

    from bookings.tasks import purge_idempotency_records

    _post(partner_client, seed_body(next_friday), HTTP_IDEMPOTENCY_KEY="old")
    assert purge_idempotency_records() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert purge_idempotency_records() == 1
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_an_unusable_key_answers_400(partner_client, nyc, next_friday):
    response = _post(partner_client, seed_body(next_friday), HTTP_IDEMPOTENCY_KEY="k" * 201)
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert Reservation.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_book_once(nyc, next_friday):
    from tests.factories import api_key_for as make_key

    _, key = make_key(nyc)
    body = seed_body(next_friday)
    barrier = threading.Barrier(8)
    statuses = []

    def call():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
            barrier.wait()
            statuses.append(_post(client, body, HTTP_IDEMPOTENCY_KEY="together").status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert set(statuses) <= {201, 409} and 201 in statuses
    assert Reservation.objects.count() == 1 and Payment.objects.count() == 1


# --- the service and the API agree -----------------------------------------------------------------------

@pytest.mark.django_db
def test_a_booking_made_elsewhere_reads_the_same_through_the_api(hotel_partner_client, nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    body = hotel_partner_client.get(f"{URL}/{r.confirmation_number}").json()
    assert body["pricing"]["grand_total"] == "664.14" and body["payment"]["last_four"] == "4242"
    assert body["status_history"][-1]["by"] == "system"
