"""Each guarantee rule through a booking: what the gateway is asked at booking, what is left for later."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.models import Payment, PaymentAttempt, Status
from bookings.services import balances_charge_due, booking_create, card_on_file, payment_summary
from hotelbooking.errors import PaymentFailed

from .booking_setup import seed_request
from .faulty_gateway import FaultyGateway

# A Friday four to five weeks ahead of the hotel's today (whatever today is), so that a deposit's balance falls
# a week before arrival, well after the booking. The seed's Friday-to-Monday prices hold on every such Friday.


@pytest.fixture
def arrival(nyc):
    ahead = timezone.localdate(timezone=nyc.tz) + timedelta(days=28)
    return ahead + timedelta(days=(4 - ahead.weekday()) % 7)


def _charges(reservation):
    return [p.amount for p in Payment.objects.filter(reservation=reservation, kind="CHARGE").order_by("id")]


@pytest.mark.django_db
def test_a_deposit_plan_takes_the_first_night_now_and_the_balance_a_week_before_arrival(nyc, arrival):
    gateway = FaultyGateway()
    reservation = booking_create(request=seed_request(arrival, rate_plan_code="DEP"), gateway=gateway)
    assert reservation.status == Status.CONFIRMED and reservation.grand_total == Decimal("724.84")
    assert _charges(reservation) == [Decimal("225.69")]
    terms = reservation.payment_terms
    balance_day = arrival - timedelta(days=7)
    assert (terms["guarantee"], terms["due_now"], terms["due_later"], terms["balance_due_on"]) == (
        "DEPOSIT", "225.69", "499.15", balance_day.isoformat())
    with time_machine.travel(datetime.combine(balance_day, time(0, 30), tzinfo=nyc.tz), tick=False):
        assert balances_charge_due(gateway=gateway) == 1
    assert _charges(reservation) == [Decimal("225.69"), Decimal("499.15")]
    assert gateway.total_moved == Decimal("724.84") and payment_summary(reservation)["amount"] == Decimal("724.84")


@pytest.mark.django_db
def test_a_card_guarantee_plan_charges_nothing_and_keeps_the_card(nyc, arrival):
    gateway = FaultyGateway()
    reservation = booking_create(request=seed_request(arrival, rate_plan_code="FLEX"), gateway=gateway)
    assert reservation.status == Status.CONFIRMED and _charges(reservation) == [] and gateway.total_moved == 0
    saved = PaymentAttempt.objects.get(reservation=reservation)
    assert (saved.operation, saved.state, saved.amount) == ("SAVE_CARD", "SUCCEEDED", None)
    on_file = card_on_file(reservation)
    assert (on_file.last_four, on_file.card_brand) == ("4242", "visa") and on_file.card_token.startswith("tok_")
    assert payment_summary(reservation)["status"] == "NOT_COLLECTED"
    assert "Card visa ending 4242 kept as the guarantee" in reservation.status_changes.last().note


@pytest.mark.django_db
def test_a_card_guarantee_with_a_declined_card_is_not_booked(nyc, arrival):
    with pytest.raises(PaymentFailed):
        booking_create(request=seed_request(arrival, rate_plan_code="FLEX", card="4000000000000002"),
                       gateway=FaultyGateway())


@pytest.mark.django_db
def test_a_pay_at_hotel_plan_books_without_a_card(nyc, arrival):
    gateway = FaultyGateway()
    request = replace(seed_request(arrival, rate_plan_code="HOTEL"), card=None)
    reservation = booking_create(request=request, gateway=gateway)
    assert reservation.status == Status.CONFIRMED and not reservation.confirmation_number.startswith("TMP-")
    assert gateway.calls == [] and not PaymentAttempt.objects.exists()
    assert reservation.payment_terms["balance_when"] == "AT_HOTEL"
    assert reservation.status_changes.last().note == "Pay at the hotel: no card taken"


@pytest.mark.django_db
def test_the_seed_plans_still_charge_everything_at_booking(nyc, arrival):
    reservation = booking_create(request=seed_request(arrival), gateway=FaultyGateway())
    assert _charges(reservation) == [Decimal("664.14")] and reservation.payment_terms["guarantee"] == "PREPAY"


@pytest.mark.django_db
def test_a_deposit_whose_balance_is_due_at_check_in_is_charged_when_the_guest_checks_in(
        nyc, arrival, django_capture_on_commit_callbacks):
    from bookings.services import balance_at_check_in

    RatePlan = nyc.rate_plans.model
    RatePlan.objects.filter(hotel=nyc, code="DEP").update(balance_due_days=None)
    gateway = FaultyGateway()
    reservation = booking_create(request=seed_request(arrival, rate_plan_code="DEP"), gateway=gateway)
    assert reservation.payment_terms["balance_when"] == "AT_CHECK_IN" and _charges(reservation) == [Decimal("225.69")]
    assert balances_charge_due(gateway=gateway) == 0  # no day of its own: the beat job leaves it alone
    attempt = balance_at_check_in(reservation_id=reservation.pk, gateway=gateway)
    assert attempt.state == "SUCCEEDED" and _charges(reservation) == [Decimal("225.69"), Decimal("499.15")]
    assert balance_at_check_in(reservation_id=reservation.pk, gateway=gateway) is None  # once only
    assert gateway.total_moved == Decimal("724.84")
