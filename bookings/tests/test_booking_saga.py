"""Booking money as a saga: the gateway is called with nothing locked, lost answers are settled, never lost,
and the money our ledger records equals the money the provider moved."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.payments.attempts import attempts_settle_due
from bookings.services import booking_create, reservations_expire_pending
from hotelbooking.errors import BookingNotCompleted, PaymentFailed
from inventory.models import InventoryDay

from .booking_setup import DECLINED_CARD, seed_request
from .faulty_gateway import Crash, FaultyGateway

SEED_TOTAL = Decimal("664.14")


@pytest.fixture
def faulty():
    return FaultyGateway()


def _sold(hotel, friday):
    return list(InventoryDay.objects.filter(room_type__hotel=hotel, room_type__code="DELUXE-KING",
                                            date__gte=friday, date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _ledger(reservation=None) -> Decimal:
    qs = Payment.objects.filter(result=Payment.Result.SUCCEEDED)
    if reservation is not None:
        qs = qs.filter(reservation=reservation)
    return sum((p.amount if p.kind == Payment.Kind.CHARGE else -p.amount for p in qs), Decimal(0))


def _settle_later(faulty, minutes=5):
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
        return attempts_settle_due(gateway=faulty)


@pytest.mark.django_db(transaction=True)
def test_the_gateway_is_called_with_no_transaction_open(nyc, next_friday, faulty):
    reservation = booking_create(request=seed_request(next_friday), gateway=faulty)
    assert reservation.status == Status.CONFIRMED and faulty.calls and faulty.inside_transaction == []
    attempt = PaymentAttempt.objects.get(reservation=reservation)
    assert (attempt.step, attempt.operation, attempt.state, attempt.amount) == ("BOOKING", "CHARGE", "SUCCEEDED",
                                                                                SEED_TOTAL)
    assert attempt.payment.amount == SEED_TOTAL and attempt.payment.last_four == "4242"
    assert faulty.calls == [("charge", attempt.idempotency_key)]


@pytest.mark.django_db
def test_a_timeout_after_the_charge_keeps_the_rooms_and_is_settled_with_the_same_key(nyc, next_friday, faulty):
    faulty.fail_next("charge", "timeout_after")
    pending = booking_create(request=seed_request(next_friday), gateway=faulty)
    assert pending.status == Status.PENDING and _sold(nyc, next_friday) == [1, 1, 1]
    attempt = PaymentAttempt.objects.get(reservation=pending)
    assert attempt.state == "UNKNOWN" and not Payment.objects.exists()  # money may have moved: not a decline
    assert faulty.total_moved == SEED_TOTAL

    # The hold runs out while the answer is unknown: the rooms are not given away.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert reservations_expire_pending() == 0
    assert Reservation.objects.get(pk=pending.pk).status == Status.PENDING

    assert _settle_later(faulty) == 1
    confirmed = Reservation.objects.get(pk=pending.pk)
    assert confirmed.status == Status.CONFIRMED and not confirmed.confirmation_number.startswith("TMP-")
    assert [key for op, key in faulty.calls] == [attempt.idempotency_key] * 2  # the same key both times
    assert _ledger(confirmed) == faulty.total_moved == SEED_TOTAL  # charged once, recorded once
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db
def test_a_timeout_before_the_charge_reached_the_gateway_releases_the_rooms(nyc, next_friday, faulty):
    faulty.fail_next("charge", "timeout_before")
    pending = booking_create(request=seed_request(next_friday), gateway=faulty)
    assert pending.status == Status.PENDING
    _settle_later(faulty)
    assert not Reservation.objects.filter(pk=pending.pk).exists()  # nothing moved: no booking, no trace
    assert _sold(nyc, next_friday) == [0, 0, 0] and faulty.total_moved == 0 and _ledger() == 0


@pytest.mark.django_db
def test_a_crash_between_the_charge_and_its_record_is_settled_by_the_task(nyc, next_friday, faulty):
    faulty.fail_next("charge", "crash_after")
    with pytest.raises(Crash):
        booking_create(request=seed_request(next_friday), gateway=faulty)
    attempt = PaymentAttempt.objects.get()
    assert attempt.state == "RECORDED" and attempt.reservation.status == Status.PENDING
    assert _settle_later(faulty, minutes=1) == 0  # not before the grace period: the caller may still answer
    assert _settle_later(faulty, minutes=3) == 1
    reservation = Reservation.objects.get()
    assert reservation.status == Status.CONFIRMED and _ledger(reservation) == faulty.total_moved == SEED_TOTAL


@pytest.mark.django_db
def test_a_decline_leaves_no_reservation_no_rooms_and_no_money(nyc, next_friday, faulty):
    with pytest.raises(PaymentFailed) as exc:
        booking_create(request=seed_request(next_friday, card=DECLINED_CARD), gateway=faulty)
    assert exc.value.details["decline_code"] == "card_declined"
    assert not Reservation.objects.exists() and not PaymentAttempt.objects.exists()
    assert _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_a_refund_the_provider_refuses_for_now_is_queued_and_retried(nyc, next_friday, faulty, monkeypatch):
    from bookings import events

    record = events.event_record

    def confirm_fails(name, **kwargs):
        if name == events.RESERVATION_CONFIRMED:
            raise RuntimeError("outbox unavailable")
        return record(name, **kwargs)

    monkeypatch.setattr(events, "event_record", confirm_fails)
    faulty.fail_next("refund", "rate_limited")
    with pytest.raises(BookingNotCompleted):
        booking_create(request=seed_request(next_friday), gateway=faulty)
    refund = PaymentAttempt.objects.get(operation="REFUND")
    assert refund.state == "RECORDED" and refund.next_try_at is not None and not refund.needs_attention
    assert faulty.total_moved == SEED_TOTAL and _ledger() == SEED_TOTAL  # the guest's money is still out
    assert _settle_later(faulty, minutes=10) == 1
    refund.refresh_from_db()
    assert refund.state == "SUCCEEDED" and refund.payment.amount == SEED_TOTAL
    assert faulty.total_moved == 0 and _ledger() == 0
    assert Reservation.objects.get().status == Status.EXPIRED and _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_a_refund_the_provider_refuses_outright_waits_for_a_person(nyc, next_friday, faulty, monkeypatch):
    from bookings import events

    record = events.event_record
    monkeypatch.setattr(events, "event_record", lambda name, **kw: (_ for _ in ()).throw(RuntimeError())
                        if name == events.RESERVATION_CONFIRMED else record(name, **kw))
    faulty.fail_next("refund", "decline")
    with pytest.raises(BookingNotCompleted):
        booking_create(request=seed_request(next_friday), gateway=faulty)
    refund = PaymentAttempt.objects.get(operation="REFUND")
    assert (refund.state, refund.needs_attention, refund.error_code) == ("FAILED", True, "refund_failed")
    assert _settle_later(faulty, minutes=60) == 0  # not retried blindly: a person settles it
    assert faulty.total_moved == _ledger() == SEED_TOTAL  # recorded money still equals money moved


@pytest.mark.django_db
def test_an_answer_lost_for_good_is_flagged_for_a_person(nyc, next_friday, faulty):
    faulty.fail_next("charge", *["timeout_before"] * 20)
    pending = booking_create(request=seed_request(next_friday), gateway=faulty)
    now = timezone.now()
    for hour in range(1, 30):
        with time_machine.travel(now + timedelta(hours=hour)):
            attempts_settle_due(gateway=faulty)
    attempt = PaymentAttempt.objects.get(reservation=pending)
    # Twelve tries, then a person decides: the money may have moved, so the rooms stay held meanwhile.
    assert (attempt.state, attempt.tries, attempt.needs_attention) == ("UNKNOWN", 12, True)
    assert Reservation.objects.get(pk=pending.pk).status == Status.PENDING
    assert len(faulty.calls) == 12 and _sold(nyc, next_friday) == [1, 1, 1]
