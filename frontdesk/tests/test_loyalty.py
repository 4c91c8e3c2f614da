from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.events import RESERVATION_CANCELLED, event_deliver, event_record
from bookings.models import OutboxEvent, Status
from bookings.payments import TestGateway
from bookings.services import transition
from frontdesk import handlers
from frontdesk.models import FolioLine, LoyaltyEntry, LoyaltyRule
from frontdesk.services import loyalty_balance, stay_check_in, stay_check_out

from .conftest import at

pytestmark = pytest.mark.django_db


def test_booking_points_for_a_loyalty_member_once_per_event(book, next_friday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = book(next_friday, loyalty_number="GH123456")
    entry = LoyaltyEntry.objects.get()
    assert (entry.kind, entry.points, entry.loyalty_number, entry.reservation) == ("BOOKING", 100, "GH123456", r)
    event = OutboxEvent.objects.get(name="ReservationConfirmed")
    assert event.delivered_at is not None
    handlers.award_booking_points(event)  # delivered again
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    assert event_deliver(event.pk)
    assert LoyaltyEntry.objects.count() == 1 and loyalty_balance(r.guest) == 100


def test_no_points_without_a_loyalty_number(book, next_friday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book(next_friday)
    assert not LoyaltyEntry.objects.exists()


def test_stay_points_follow_the_rule_per_currency_unit(book, next_friday):
    LoyaltyRule.objects.create(currency="USD", points_per_unit="2.5", booking_points=50)
    r = book(next_friday, loyalty_number="GH999")
    handlers.award_booking_points(OutboxEvent.objects.get(name="ReservationConfirmed"))
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1201"])
    with at(next_friday + timedelta(days=3), 9):
        result = stay_check_out(confirmation_number=r.confirmation_number, gateway=TestGateway())
    assert result.loyalty_points_earned == 1660  # floor(664.14 x 2.5)
    assert [(e.kind, e.points) for e in LoyaltyEntry.objects.all()] == [("BOOKING", 50), ("STAY", 1660)]
    assert loyalty_balance(r.guest) == 1710


def test_cancelled_booking_gives_its_bonus_back_and_its_penalty_goes_on_the_folio(book, next_friday):
    r = book(next_friday, loyalty_number="GH777")
    handlers.award_booking_points(OutboxEvent.objects.get(name="ReservationConfirmed"))
    transition(r, "cancel", reason="Plans changed", penalty=Decimal("207.78"))
    r.save()
    event = event_record(RESERVATION_CANCELLED, reservation=r)
    for _ in range(2):  # delivered twice
        handlers.withdraw_booking_points(event)
        handlers.post_cancellation_penalty(event)
    assert r.status == Status.CANCELLED
    assert [(e.kind, e.points) for e in LoyaltyEntry.objects.all()] == [("BOOKING", 100), ("BOOKING_REVERSAL", -100)]
    assert loyalty_balance(r.guest) == 0
    assert [(x.kind, x.amount) for x in FolioLine.objects.filter(reservation=r)] == [("PENALTY", Decimal("207.78"))]
