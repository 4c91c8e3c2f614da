"""A deposit booking: the deposit at booking, the balance charged to the saved card on its day, in the hotel's
time zone, once."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.models import Payment, PaymentAttempt
from bookings.services import balances_charge_due, booking_create
from bookings.services import create as create_module
from pricing.guarantee import PaymentTerms

from .booking_setup import seed_request
from .faulty_gateway import FaultyGateway

DEPOSIT = Decimal("221.38")  # the deposit the terms ask for (pricing.guarantee computes it; given here)
TOTAL = Decimal("664.14")


@pytest.fixture
def deposit_terms(monkeypatch, next_friday):
    def terms(quote, *, booked_on):
        return PaymentTerms(guarantee="DEPOSIT", due_now=DEPOSIT, due_later=TOTAL - DEPOSIT,
                            balance_due_on=quote.check_in - timedelta(days=2), balance_when="BEFORE_ARRIVAL",
                            card_required=True, save_card=True, currency=quote.currency)
    monkeypatch.setattr(create_module, "terms_for_quote", terms)


def _charges(reservation):
    return [p.amount for p in Payment.objects.filter(reservation=reservation, kind="CHARGE").order_by("id")]


def _hotel_time(hotel, day, hour):
    return datetime.combine(day, time(hour), tzinfo=hotel.tz)


@pytest.mark.django_db
def test_the_balance_is_charged_on_its_day_in_the_hotels_time_zone_and_only_once(nyc, next_friday, deposit_terms):
    gateway = FaultyGateway()
    reservation = booking_create(request=seed_request(next_friday), gateway=gateway)
    assert reservation.payment_terms["guarantee"] == "DEPOSIT" and _charges(reservation) == [DEPOSIT]
    day = next_friday - timedelta(days=2)
    # 23:30 the evening before, hotel time (already the balance day in UTC): not yet.
    with time_machine.travel(_hotel_time(nyc, day - timedelta(days=1), 23) + timedelta(minutes=30), tick=False):
        assert balances_charge_due(gateway=gateway) == 0
    with time_machine.travel(_hotel_time(nyc, day, 0) + timedelta(minutes=5), tick=False):
        assert balances_charge_due(gateway=gateway) == 1
        assert balances_charge_due(gateway=gateway) == 0  # a second run charges nothing more
    assert _charges(reservation) == [DEPOSIT, TOTAL - DEPOSIT] and gateway.total_moved == TOTAL
    balance = PaymentAttempt.objects.get(reservation=reservation, step="BALANCE")
    assert (balance.operation, balance.state, balance.amount) == ("CHARGE_SAVED", "SUCCEEDED", TOTAL - DEPOSIT)


@pytest.mark.django_db
def test_a_declined_balance_stays_owed_and_waits_for_the_desk(nyc, next_friday, deposit_terms):
    gateway = FaultyGateway()
    reservation = booking_create(request=seed_request(next_friday), gateway=gateway)
    gateway.fail_next("charge_saved", "decline")
    with time_machine.travel(_hotel_time(nyc, next_friday - timedelta(days=1), 9), tick=False):
        assert balances_charge_due(gateway=gateway) == 0
    balance = PaymentAttempt.objects.get(reservation=reservation, step="BALANCE")
    assert (balance.state, balance.needs_attention) == ("FAILED", True)
    assert _charges(reservation) == [DEPOSIT] and gateway.total_moved == DEPOSIT
