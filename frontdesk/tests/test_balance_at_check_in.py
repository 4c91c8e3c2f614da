"""A deposit booking whose balance is due at check-in: checking the guest in charges it, once."""

from decimal import Decimal

import pytest

from bookings.models import Payment
from frontdesk.services import stay_check_in
from pricing.models import RatePlan

from .conftest import at

pytestmark = pytest.mark.django_db


def test_checking_in_charges_the_balance_of_a_deposit_booking(nyc, book, next_friday,
                                                              django_capture_on_commit_callbacks):
    RatePlan.objects.filter(hotel=nyc, code="DEP").update(balance_due_days=None)  # balance at check-in
    stay = book(next_friday, rate_plan="DEP")
    charges = lambda: [p.amount for p in Payment.objects.filter(reservation=stay, kind="CHARGE").order_by("id")]  # noqa: E731
    assert charges() == [Decimal("225.69")]
    with at(next_friday), django_capture_on_commit_callbacks(execute=True):
        stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=["1204"])
    assert charges() == [Decimal("225.69"), Decimal("499.15")]


def test_checking_in_a_prepaid_booking_charges_nothing_more(nyc, seed_stay, next_friday,
                                                             django_capture_on_commit_callbacks):
    with at(next_friday), django_capture_on_commit_callbacks(execute=True):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
    assert [p.amount for p in Payment.objects.filter(reservation=seed_stay)] == [Decimal("664.14")]
