"""Property: whatever a guest changes, then cancels, they pay at least what cancelling before the first change
would have cost (issue 9, item 4). The clock is pinned; each example runs in a savepoint rolled back after it.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bookings.cancellations import cancellation_quote, reservation_cancel
from bookings.models import Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway
from bookings.services import amount_paid
from hotelbooking.errors import DomainError

from .test_cancel import TIERED
from .test_manage_support import _fresh_cache, book, check_in_at  # noqa: F401

pytestmark = pytest.mark.django_db

MONDAY_NOON = datetime(2026, 3, 9, 12, tzinfo=UTC)  # booked on Monday for Friday, March 13, 2026
ROOM_TYPES = ["DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"]
RATE_PLANS = ["AAA", "BAR"]

changes = st.one_of(
    st.tuples(st.just("shorten"), st.integers(1, 2)),
    st.tuples(st.just("extend"), st.integers(1, 3)),
    st.tuples(st.just("move"), st.integers(-3, 28)),
    st.tuples(st.just("room_type"), st.sampled_from(ROOM_TYPES)),
    st.tuples(st.just("rate_plan"), st.sampled_from(RATE_PLANS)),
)
# Hours before the booked check-in: free, 25%, first night, full penalty (with TIERED), close to arrival.
moments = st.lists(st.sampled_from([100, 60, 36, 20, 12, 2]), min_size=2, max_size=5).map(
    lambda hours: sorted(hours, reverse=True))  # time only moves forward


def _request(r: Reservation, change) -> ModificationRequest:
    kind, value = change
    if kind == "shorten":
        return ModificationRequest(check_out=max(r.check_in + timedelta(days=1), r.check_out - timedelta(days=value)))
    if kind == "extend":
        return ModificationRequest(check_out=r.check_out + timedelta(days=value))
    if kind == "move":
        return ModificationRequest(check_in=r.check_in + timedelta(days=value),
                                   check_out=r.check_out + timedelta(days=value))
    if kind == "room_type":
        return ModificationRequest(room_type_code=value)
    return ModificationRequest(rate_plan_code=value)


class _Rollback(Exception):
    pass


@pytest.fixture(autouse=True)
def _booked_on_monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tiered=st.booleans(), plan=st.lists(changes, min_size=1, max_size=4), hours=moments)
def test_no_sequence_of_changes_makes_cancelling_cheaper_than_it_was(nyc, next_friday, tiered, plan, hours):
    try:
        with transaction.atomic():
            _scenario(next_friday, tiered, plan, hours)
            raise _Rollback
    except _Rollback:
        pass


def _scenario(friday, tiered, plan, hours):
    r = book(friday)
    assert r.grand_total == Decimal("664.14")  # the seed's figure
    if tiered:
        Reservation.objects.filter(pk=r.pk).update(cancellation_policy=TIERED)
    arrival = check_in_at(r)
    moments = [arrival - timedelta(hours=h) for h in hours]
    first, cancel_at = moments[0], moments[-1]
    step_moments = [moments[min(i, len(moments) - 2)] for i in range(len(plan))]  # never backwards

    with time_machine.travel(first, tick=False):
        owed_before = cancellation_quote(confirmation_number=r.confirmation_number).penalty
    for change, moment in zip(plan, step_moments, strict=True):
        r = Reservation.objects.get(pk=r.pk)
        with time_machine.travel(moment, tick=False):
            try:
                result = reservation_modify(confirmation_number=r.confirmation_number,
                                            request=_request(r, change), gateway=TestGateway())
            except DomainError:
                continue  # refused (sold out, invalid dates, ...): nothing changed
        if not result.plan.changes:
            continue  # the booking already had those details: nothing written
        r = Reservation.objects.get(pk=r.pk)
        assert r.retained_amount >= owed_before
        assert amount_paid(r) >= r.retained_amount, "a change refunded below what is retained"
    with time_machine.travel(cancel_at, tick=False):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="property", gateway=TestGateway())
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CANCELLED
    assert amount_paid(r) >= owed_before, (plan, hours, amount_paid(r), owed_before)
