"""Cancelling a booking: the seed's "cancel 12 hours before check-in", every tier, the boundary minute, DST."""

from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from bookings.cancellations import cancellation_quote, reservation_cancel
from bookings.models import HandledEvent, OutboxEvent, Payment, PaymentAttempt, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway
from bookings.services import amount_paid, transition
from hotelbooking.errors import CancellationNotAllowed, PriceChanged
from inventory.models import InventoryHold, RoomType
from pricing.models import RatePlan
from tests.factories import ReservationFactory, ReservationNightFactory

from .test_manage_support import _fresh_cache, book, check_in_at, local, sold  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
H = timedelta(hours=1)
TIERED = {"name": "Tiered", "description": "25% from 72 hours, the first night from 48, everything from 24",
          "tiers": [{"hours_before": 24, "penalty_percent": "100", "penalty_nights": None},
                    {"hours_before": 48, "penalty_percent": None, "penalty_nights": 1},
                    {"hours_before": 72, "penalty_percent": "25", "penalty_nights": None}],
          "no_show_penalty_percent": "100", "no_show_penalty_nights": None}


def cancel(r, reason="Change of travel plans", **kw):
    return reservation_cancel(confirmation_number=r.confirmation_number, reason=reason, gateway=TestGateway(), **kw)


def penalty_at(r, moment) -> tuple[str, str, str]:
    with time_machine.travel(moment, tick=False):
        terms = cancellation_quote(confirmation_number=r.confirmation_number)
    return str(terms.penalty), str(terms.refund), terms.penalty_quote.tier_applied


def test_seed_cancel_12_hours_before_costs_everything(nyc, next_friday, hotel_partner_client,
                                                      django_capture_on_commit_callbacks):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        response = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/cancel",
                                       {"reason": "Change of travel plans"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmation_number"] == r.confirmation_number and body["status"] == "CANCELLED"
    assert body["reason"] == "Change of travel plans"
    assert body["cancellation_policy"] == {"name": "Flexible 24-Hour", "tier_applied": "Within 24 hours",
                                           "penalty": "100% of booking"}
    assert body["financial"] == {"currency": "USD", "original_total": "664.14", "amount_paid": "664.14",
                                 "penalty_amount": "664.14", "refund_amount": "0.00",
                                 "refund_status": "NOT_APPLICABLE", "policy_penalty_amount": "664.14",
                                 "retained_amount": "0.00", "retained_applies": False}
    assert body["inventory_released"] is True and body["room_nights_released"] == 3
    assert body["cancelled_at"].startswith((check_in_at(r) - 12 * H).astimezone(UTC).strftime("%Y-%m-%dT%H:%M"))
    r.refresh_from_db()
    assert r.status == Status.CANCELLED and r.cancellation_penalty == D("664.14")
    assert r.cancellation_reason == "Change of travel plans"
    assert sold(r.room_type, next_friday, 3) == [0, 0, 0]
    assert not InventoryHold.objects.filter(holder=r.holder).exists()
    assert not Payment.objects.filter(reservation=r, kind="REFUND").exists()
    change = r.status_changes.last()
    assert (change.from_status, change.to_status) == ("CONFIRMED", "CANCELLED")
    assert "Change of travel plans" in change.note and "664.14" in change.note
    event = OutboxEvent.objects.get(reservation=r, name="ReservationCancelled")
    assert event.payload["penalty"] == "664.14" and event.payload["refund"] == "0.00"
    assert HandledEvent.objects.filter(event_id=event.pk, handler="bookings.notifications_manage.send_cancelled")
    email = mail.outbox[-1]
    assert "cancelled" in email.subject and r.confirmation_number in email.subject
    assert "664.14" in email.body and "Refund:               0.00 USD" in email.body
    assert f"{next_friday:%B} {next_friday.day}, {next_friday.year} 3:00 AM (America/New_York)" in email.body
    assert "Change of travel plans" in email.alternatives[0][0]


def test_seed_cancel_36_hours_before_refunds_everything(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 36 * H, tick=False):
        body = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/cancel",
                                   {"reason": "Change of travel plans"}, format="json").json()
    assert body["cancellation_policy"] == {"name": "Flexible 24-Hour", "tier_applied": "Free cancellation",
                                           "penalty": "No penalty"}
    assert body["financial"]["penalty_amount"] == "0.00" and body["financial"]["refund_amount"] == "664.14"
    assert body["financial"]["refund_status"] == "REFUNDED"
    refund = Payment.objects.get(reservation__pk=r.pk, kind="REFUND")
    assert (refund.amount, refund.purpose, refund.last_four) == (D("664.14"), "CANCELLATION", "4242")
    assert amount_paid(Reservation.objects.get(pk=r.pk)) == D("0.00")


def test_the_boundary_minute(nyc, next_friday):
    r = book(next_friday)
    assert penalty_at(r, check_in_at(r) - 24 * H) == ("0.00", "664.14", "Free cancellation")
    assert penalty_at(r, check_in_at(r) - 24 * H + timedelta(minutes=1)) == ("664.14", "0.00", "Within 24 hours")
    assert penalty_at(r, check_in_at(r) - 24 * H + timedelta(seconds=1))[0] == "664.14"


def test_each_tier_of_a_tiered_policy(nyc, next_friday):
    r = book(next_friday)
    Reservation.objects.filter(pk=r.pk).update(cancellation_policy=TIERED)
    at = check_in_at(r)
    assert penalty_at(r, at - 100 * H) == ("0.00", "664.14", "Free cancellation")
    assert penalty_at(r, at - 72 * H) == ("0.00", "664.14", "Free cancellation")
    assert penalty_at(r, at - 60 * H) == ("166.04", "498.10", "Within 72 hours")  # 25% of 664.14, half up
    # The first night: 170.10 of room and its share of taxes and fees (117.84 x 170.10 / 546.30 = 36.69).
    assert penalty_at(r, at - 36 * H) == ("206.79", "457.35", "Within 48 hours")
    assert penalty_at(r, at - 12 * H) == ("664.14", "0.00", "Within 24 hours")
    with time_machine.travel(at - 36 * H, tick=False):
        body = cancel(r).as_dict()
    assert body["cancellation_policy"] == {"name": "Tiered", "tier_applied": "Within 48 hours",
                                           "penalty": "First 1 night"}
    assert (body["financial"]["penalty_amount"], body["financial"]["refund_amount"]) == ("206.79", "457.35")


def test_first_n_nights_tier(nyc, next_friday):
    r = book(next_friday)
    policy = {**TIERED, "tiers": [{"hours_before": 48, "penalty_percent": None, "penalty_nights": 2}]}
    Reservation.objects.filter(pk=r.pk).update(cancellation_policy=policy)
    # Friday 206.79 + Saturday 197.10 and its 42.52 of taxes and fees; Sunday's 217.73 comes back.
    assert penalty_at(r, check_in_at(r) - 10 * H) == ("446.41", "217.73", "Within 48 hours")


# --- daylight saving in the hotel's zone -----------------------------------------------------------------

def _paid_reservation(hotel, check_in: date) -> Reservation:
    """A confirmed 2-night reservation paid 400.00, at a fixed date (no inventory needed to cancel)."""
    r = ReservationFactory(hotel=hotel, room_type=RoomType.objects.get(hotel=hotel, code="DELUXE-KING"),
                           rate_plan=RatePlan.objects.get(hotel=hotel, code="AAA"), check_in=check_in,
                           check_out=check_in + timedelta(days=2), status=Status.CONFIRMED,
                           subtotal=D("340.00"), room_total=D("340.00"), taxes=D("30.00"), fees=D("30.00"),
                           grand_total=D("400.00"))
    for i in range(2):
        ReservationNightFactory(reservation=r, date=check_in + timedelta(days=i), rate=D("170.00"))
    Payment.objects.create(reservation=r, amount=D("400.00"), currency="USD", gateway="test",
                           gateway_reference="ch_test", card_token="tok_test", card_brand="visa", last_four="4242",
                           purpose="BOOKING")
    return r


@pytest.mark.parametrize("check_in,free_until_local,paying_local,real_hours", [
    # Check-in on the spring-forward Sunday: the night before has 23 hours, so the 24-hour deadline falls at
    # 14:00 local the day before (15:00 local would be only 23 real hours before check-in).
    (date(2027, 3, 14), (13, 14, 0), (13, 14, 1), "23.00"),
    # Check-in on the fall-back Sunday: 25-hour night, the deadline is 16:00 local the day before.
    (date(2027, 11, 7), (6, 16, 0), (6, 16, 1), "25.00"),
    # Check-in the day after a switch: the switch (2 a.m.) is before the deadline, 15:00 local the day before.
    (date(2027, 3, 15), (14, 15, 0), (14, 15, 1), "24.00"),
    (date(2027, 11, 8), (7, 15, 0), (7, 15, 1), "24.00"),
])
def test_dst_weeks_count_real_hours_in_new_york(nyc, check_in, free_until_local, paying_local, real_hours):
    r = _paid_reservation(nyc, check_in)
    day, hour, minute = free_until_local
    deadline = local(check_in.replace(day=day), hour, minute)
    assert penalty_at(r, deadline) == ("0.00", "400.00", "Free cancellation")
    day, hour, minute = paying_local
    assert penalty_at(r, local(check_in.replace(day=day), hour, minute)) == ("400.00", "0.00", "Within 24 hours")
    # What a guest reading the wall clock would think: 15:00 the day before.
    wall_clock = local(check_in - timedelta(days=1), 15, 0)
    with time_machine.travel(wall_clock, tick=False):
        terms = cancellation_quote(confirmation_number=r.confirmation_number)
    assert str(terms.penalty_quote.hours_until_check_in) == real_hours
    with time_machine.travel(deadline, tick=False):
        result = cancel(r)
    assert (result.terms.penalty, result.refunded, result.refund_status) == (D("0.00"), D("400.00"), "REFUNDED")


# --- refusals --------------------------------------------------------------------------------------------

def test_cancel_twice_is_refused_and_refunds_once(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    url = f"/api/v1/bookings/{r.confirmation_number}/cancel"
    assert hotel_partner_client.post(url, {"reason": "first"}, format="json").status_code == 200
    response = hotel_partner_client.post(url, {"reason": "second"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "CANCELLATION_NOT_ALLOWED" and error["state"] == "CANCELLED"
    assert "already cancelled" in error["message"]
    assert Payment.objects.filter(reservation__pk=r.pk, kind="REFUND").count() == 1
    assert Reservation.objects.get(pk=r.pk).cancellation_reason == "first"


def test_a_checked_in_guest_is_sent_to_the_front_desk(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    transition(r, "check_in_guest")
    r.save()
    response = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/cancel", {"reason": "x"},
                                   format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "CANCELLATION_NOT_ALLOWED" and error["state"] == "CHECKED_IN"
    assert "Please contact the front desk for early departure" in error["message"]
    assert hotel_partner_client.get(f"/api/v1/bookings/{r.confirmation_number}/cancellation-quote").status_code == 409
    assert sold(r.room_type, next_friday, 3) == [1, 1, 1]


def test_a_pending_reservation_cancels_without_penalty(nyc, next_friday):
    r = book(next_friday)
    Reservation.objects.filter(pk=r.pk).update(status=Status.PENDING)
    PaymentAttempt.objects.filter(reservation__pk=r.pk).delete()
    Payment.objects.filter(reservation__pk=r.pk).delete()
    with time_machine.travel(check_in_at(r) - 2 * H, tick=False):
        result = cancel(r)
    assert (result.terms.penalty, result.refunded, result.refund_status) == (D("0.00"), D("0.00"), "NOT_APPLICABLE")
    assert sold(r.room_type, next_friday, 3) == [0, 0, 0]


def test_expected_penalty_guards_the_boundary(nyc, next_friday):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 24 * H + timedelta(minutes=1), tick=False), \
            pytest.raises(PriceChanged) as exc:
        cancel(r, expected_penalty=D("0.00"))
    assert exc.value.details["penalty"] == "664.14"
    assert Reservation.objects.get(pk=r.pk).status == Status.CONFIRMED


def test_cancel_after_an_extension_refunds_both_charges(nyc, next_friday):
    r = book(next_friday)
    reservation_modify(confirmation_number=r.confirmation_number, gateway=TestGateway(),
                       request=ModificationRequest(check_out=next_friday + timedelta(days=4)))
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        result = cancel(r)
    assert result.refunded == D("871.92")
    assert sorted(p.amount for p in result.refunds) == [D("207.78"), D("664.14")]
    assert sold(r.room_type, next_friday, 4) == [0, 0, 0, 0]


def test_cancellation_not_allowed_for_a_service_caller_too(nyc, next_friday):
    r = book(next_friday)
    cancel(r)
    with pytest.raises(CancellationNotAllowed):
        cancel(r)


# --- API -------------------------------------------------------------------------------------------------

def test_delete_cancels_with_the_reason_in_the_body_or_the_query(nyc, next_friday, hotel_partner_client):
    first = book(next_friday)
    second = book(next_friday, email="jane@example.com", last_name="Doe")
    response = hotel_partner_client.delete(f"/api/v1/bookings/{first.confirmation_number}",
                                     {"reason": "Flight cancelled"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reason"] == "Flight cancelled" and response.json()["status"] == "CANCELLED"
    response = hotel_partner_client.delete(f"/api/v1/bookings/{second.confirmation_number}?reason=Illness")
    assert response.status_code == 200 and response.json()["reason"] == "Illness"


def test_cancellation_quote_shows_terms_and_changes_nothing(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False):
        response = hotel_partner_client.get(f"/api/v1/bookings/{r.confirmation_number}/cancellation-quote")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["hours_until_check_in"] == "12.00"
    assert body["check_in_at"] == check_in_at(r).isoformat()
    assert body["cancellation_policy"]["tier_applied"] == "Within 24 hours"
    assert body["financial"] == {"currency": "USD", "original_total": "664.14", "amount_paid": "664.14",
                                 "penalty_amount": "664.14", "refund_amount": "0.00",
                                 "policy_penalty_amount": "664.14", "retained_amount": "0.00",
                                 "retained_applies": False}
    assert Reservation.objects.get(pk=r.pk).status == Status.CONFIRMED


def test_cancel_of_an_unknown_booking_is_404(nyc, hotel_partner_client):
    response = hotel_partner_client.post("/api/v1/bookings/GH-NYC-2099010100001/cancel", {"reason": "x"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
