"""Twenty partners' requests on one booking at the same moment (PostgreSQL, real row locks, one connection each).

Every request gets the answer it would get alone, one after the other: 200, or the domain error the state left
by the others calls for (MODIFICATION_NOT_ALLOWED / CANCELLATION_NOT_ALLOWED once it is cancelled), or
CONCURRENT_MODIFICATION (retryable). Never RESERVATION_NOT_FOUND for a booking that exists. Afterwards the
inventory holds equal the sold counts and the money recorded matches the booking's total: what the answers
say was charged and refunded, plus only whole give-backs of a change charged while the booking was cancelled
(a change is charged before it is applied, with nothing locked across the gateway call).
"""

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connections
from django.db.models import Sum
from rest_framework.test import APIClient

from bookings.models import Payment, Reservation, Status
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, amount_paid, booking_create
from inventory.models import InventoryDay, InventoryHold
from tests.factories import api_key_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

N = 20
D = Decimal
SEED_TOTAL = D("664.14")


@pytest.fixture(autouse=True)
def _monday_noon():
    """Monday, four days before the Friday arrival: every change and cancellation is free of penalty."""
    with time_machine.travel(datetime(2026, 3, 9, 12, tzinfo=UTC), tick=True):
        yield


@pytest.fixture
def booking(nyc, next_friday) -> Reservation:
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", "john@example.com"),
        card=Card(TestGateway.SUCCEEDS, 12, 2030, "123")), gateway=TestGateway())


@pytest.fixture
def key(nyc) -> str:
    """A hotel-wide partner key: the booking was made by the service, not through this key."""
    api_key, raw = api_key_for(nyc, scope="partner")
    api_key.hotel_wide = True
    api_key.save(update_fields=["hotel_wide"])
    return raw


def _all_at_once(key: str, calls) -> list:
    """Send calls[i](client) from len(calls) threads released together; returns each (status, body)."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        try:
            barrier.wait()
            response = calls[i](client)
            answers[i] = (response.status_code, response.json())
        except BaseException as exc:  # every answer is inspected by the test
            answers[i] = (None, repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return answers


def _patch(number, body):
    return lambda c: c.patch(f"/api/v1/bookings/{number}", body, format="json")


def _delete(number):
    return lambda c: c.delete(f"/api/v1/bookings/{number}?reason=race")


def _code(answer) -> str:
    status, body = answer
    return str(status) if status == 200 else f"{status} {body['error']['code'] if isinstance(body, dict) else body}"


def _assert_inventory_matches_holds():
    held = Counter()
    for hold in InventoryHold.objects.all():
        held[(hold.room_type_id, hold.date)] += hold.rooms
    sold = {(d.room_type_id, d.date): d.sold for d in InventoryDay.objects.filter(sold__gt=0)}
    assert sold == dict(held)
    assert all(d.sold <= d.total - d.out_of_order for d in InventoryDay.objects.all())


def _paid_by_kind(r) -> tuple[Decimal, Decimal]:
    rows = Payment.objects.filter(reservation=r, result=Payment.Result.SUCCEEDED)
    # A change is charged before it is applied, with nothing locked meanwhile; one that finds the booking
    # cancelled when its charge comes back gives the charge back whole. Such a pair nets to zero and no answer
    # reports it (the change answered 409): leave it out, having checked it is whole.
    given_back = rows.filter(kind=Payment.Kind.REFUND, purpose="COMPENSATE").select_related("refund_of")
    assert all(refund.amount == refund.refund_of.amount for refund in given_back)
    rows = rows.exclude(pk__in=[refund.pk for refund in given_back]).exclude(
        pk__in=[refund.refund_of_id for refund in given_back])
    charged = rows.filter(kind=Payment.Kind.CHARGE).aggregate(s=Sum("amount"))["s"] or D(0)
    refunded = rows.filter(kind=Payment.Kind.REFUND).aggregate(s=Sum("amount"))["s"] or D(0)
    return charged, refunded


def _assert_money_matches_answers(r, answers, *, start=SEED_TOTAL):
    """Each 200 says what it charged or refunded; together they are exactly the ledger's movements."""
    charged, refunded = _paid_by_kind(r)
    said_charged = sum((D(b["payment"]["amount"]) for s, b in answers
                        if s == 200 and "payment" in b and b["payment"]["action"] == "CHARGED"), D(0))
    said_refunded = sum((D(b["payment"]["amount"]) for s, b in answers
                         if s == 200 and "payment" in b and b["payment"]["action"] == "REFUNDED"), D(0))
    said_refunded += sum((D(b["financial"]["refund_amount"]) for s, b in answers if s == 200 and "financial" in b),
                         D(0))
    assert (charged, refunded) == (start + said_charged, said_refunded)


def test_twenty_room_type_changes_at_once_all_apply_one_after_the_other(booking, key):
    r = booking
    types = ["JUNIOR-SUITE", "DELUXE-KING"]
    answers = _all_at_once(key, [_patch(r.confirmation_number, {"room_type": types[i % 2]}) for i in range(N)])

    codes = Counter(_code(a) for a in answers)
    assert set(codes) <= {"200", "409 CONCURRENT_MODIFICATION"}, codes
    assert codes["200"] >= 1
    assert all(b["error"]["retryable"] is True for s, b in answers if s == 409)
    fresh = Reservation.objects.with_details().get(pk=r.pk)
    assert fresh.status == Status.CONFIRMED and fresh.room_type.code in types
    assert fresh.nights.count() == 3
    # The booking holds exactly its three nights, in the room type it ended with.
    holds = InventoryHold.objects.filter(holder=fresh.holder)
    assert sorted((h.room_type_id, h.date, h.rooms) for h in holds) == [
        (fresh.room_type_id, r.check_in + timedelta(days=i), 1) for i in range(3)]
    _assert_inventory_matches_holds()
    assert amount_paid(fresh) == fresh.grand_total
    _assert_money_matches_answers(fresh, answers)


def test_twenty_rate_plan_changes_at_once_all_apply_one_after_the_other(booking, key):
    r = booking
    plans = ["BAR", "AAA"]
    answers = _all_at_once(key, [_patch(r.confirmation_number, {"rate_plan": plans[i % 2]}) for i in range(N)])

    codes = Counter(_code(a) for a in answers)
    assert set(codes) <= {"200", "409 CONCURRENT_MODIFICATION"}, codes
    assert codes["200"] >= 1
    fresh = Reservation.objects.with_details().get(pk=r.pk)
    assert fresh.status == Status.CONFIRMED and fresh.rate_plan.code in plans
    # BAR is 724.84 for the seed's stay (607.00 + 72.84 tax + 45.00 fees), AAA 664.14: whichever plan won, the
    # total and the money agree.
    assert fresh.grand_total == {"BAR": D("724.84"), "AAA": D("664.14")}[fresh.rate_plan.code]
    assert amount_paid(fresh) == fresh.grand_total
    _assert_inventory_matches_holds()
    _assert_money_matches_answers(fresh, answers)


def test_twenty_deletes_at_once_one_cancels_the_others_are_told_it_is_cancelled(booking, key):
    r = booking
    answers = _all_at_once(key, [_delete(r.confirmation_number) for _ in range(N)])

    codes = Counter(_code(a) for a in answers)
    assert set(codes) <= {"200", "409 CANCELLATION_NOT_ALLOWED", "409 CONCURRENT_MODIFICATION"}, codes
    assert codes["200"] == 1
    assert all(b["error"].get("state") == "CANCELLED" for s, b in answers
               if s == 409 and b["error"]["code"] == "CANCELLATION_NOT_ALLOWED")
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CANCELLED
    assert not InventoryHold.objects.exists() and not InventoryDay.objects.filter(sold__gt=0).exists()
    assert Payment.objects.filter(reservation=r, kind=Payment.Kind.REFUND).count() == 1
    assert amount_paid(fresh) == D("0.00")  # free cancellation: everything back, once
    _assert_money_matches_answers(fresh, answers)


def test_changes_and_deletes_racing_leave_one_cancellation_and_nothing_held(booking, key):
    r = booking
    calls = [_patch(r.confirmation_number, {"room_type": ["JUNIOR-SUITE", "DELUXE-KING"][i % 2]})
             if i % 2 else _delete(r.confirmation_number) for i in range(N)]
    answers = _all_at_once(key, calls)

    patches = Counter(_code(a) for i, a in enumerate(answers) if i % 2)
    deletes = Counter(_code(a) for i, a in enumerate(answers) if not i % 2)
    assert set(patches) <= {"200", "409 MODIFICATION_NOT_ALLOWED", "409 CONCURRENT_MODIFICATION"}, patches
    assert set(deletes) <= {"200", "409 CANCELLATION_NOT_ALLOWED", "409 CONCURRENT_MODIFICATION"}, deletes
    assert deletes["200"] == 1
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CANCELLED
    assert not InventoryHold.objects.exists() and not InventoryDay.objects.filter(sold__gt=0).exists()
    assert amount_paid(fresh) == D("0.00")
    _assert_money_matches_answers(fresh, answers)


def test_a_delete_queued_behind_room_type_changes_cancels_the_booking(booking, key):
    """The partner's DELETE waits for the changes ahead of it, then cancels the booking they left."""
    r = booking

    def late_delete(client):
        time.sleep(0.3)  # behind the changes already holding or waiting for the row
        return client.delete(f"/api/v1/bookings/{r.confirmation_number}?reason=race")

    calls = [_patch(r.confirmation_number, {"room_type": ["JUNIOR-SUITE", "DELUXE-KING"][i % 2]})
             for i in range(N - 1)] + [late_delete]
    answers = _all_at_once(key, calls)

    assert _code(answers[-1]) == "200", answers[-1]
    patches = Counter(_code(a) for a in answers[:-1])
    assert set(patches) <= {"200", "409 MODIFICATION_NOT_ALLOWED", "409 CONCURRENT_MODIFICATION"}, patches
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CANCELLED
    assert not InventoryHold.objects.exists() and not InventoryDay.objects.filter(sold__gt=0).exists()
    assert amount_paid(fresh) == D("0.00")
    _assert_money_matches_answers(fresh, answers)
