"""Modifications and cancellations move money as a saga: no gateway call inside a transaction, lost answers asked
again with the same key, refused refunds queued or left to a person, and the money our ledger records equal to the
money the provider moved, to the cent (the seed: 664.14 booked, 207.78 more for a fourth night, 871.92)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.cancellations import reservation_cancel
from bookings.models import OutboxEvent, Payment, PaymentAttempt, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments.attempts import attempts_settle_due
from bookings.services import booking_create
from hotelbooking.errors import ConcurrentModification, ModificationNotAllowed, PaymentFailed, SoldOut
from inventory.models import InventoryDay

from .booking_setup import seed_request
from .faulty_gateway import Crash, FaultyGateway
from .test_manage_support import check_in_at, sold, state

D = Decimal
H = timedelta(hours=1)
SEED, FOURTH_NIGHT, EXTENDED = D("664.14"), D("207.78"), D("871.92")


@pytest.fixture
def faulty():
    return FaultyGateway()


@pytest.fixture
def booked(nyc, next_friday, faulty):
    """The seed's stay, booked and paid through the faulty gateway (664.14)."""
    return booking_create(request=seed_request(next_friday), gateway=faulty)


def _ledger(reservation) -> Decimal:
    """Money our books say moved for this reservation: charges minus refunds."""
    rows = Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED)
    return sum((p.amount if p.kind == Payment.Kind.CHARGE else -p.amount for p in rows), D(0))


def _settle_later(faulty, minutes=5, *, since=None) -> int:
    """The settle task's run `minutes` after `since` (now by default)."""
    with time_machine.travel((since or timezone.now()) + timedelta(minutes=minutes)):
        return attempts_settle_due(gateway=faulty)


def _extend(r, faulty):
    return reservation_modify(confirmation_number=r.confirmation_number, gateway=faulty,
                              request=ModificationRequest(check_out=r.check_out + timedelta(days=1)))


def _cancel(r, faulty):
    return reservation_cancel(confirmation_number=r.confirmation_number, reason="plans changed", gateway=faulty)


def _keys(faulty, operation):
    return [key for op, key in faulty.calls if op == operation]


# --- modifications that cost more: charged first, then applied ----------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_an_extension_is_charged_with_no_transaction_open_then_applied(booked, faulty, next_friday):
    result = _extend(booked, faulty)
    assert faulty.inside_transaction == []
    assert result.payment == {"action": "CHARGED", "amount": "207.78", "card_brand": "visa", "last_four": "4242"}
    attempt = PaymentAttempt.objects.get(reservation=booked, operation="CHARGE_SAVED")
    assert (attempt.step, attempt.state, attempt.amount) == ("MODIFICATION:1", "SUCCEEDED", FOURTH_NIGHT)
    assert _keys(faulty, "charge_saved") == [attempt.idempotency_key]
    r = Reservation.objects.get(pk=booked.pk)
    assert (r.check_out, r.grand_total) == (next_friday + timedelta(days=4), EXTENDED)
    assert sold(r.room_type, next_friday, 5) == [1, 1, 1, 1, 0]
    assert _ledger(r) == faulty.total_moved == EXTENDED


@pytest.mark.django_db
def test_a_lost_answer_to_the_extension_charge_is_asked_again_with_the_same_key(booked, faulty):
    faulty.fail_next("charge_saved", "timeout_after")
    result = _extend(booked, faulty)
    assert result.payment["action"] == "CHARGED" and result.payment["amount"] == "207.78"
    first, again = _keys(faulty, "charge_saved")
    assert first == again  # the provider replays its first answer: charged once
    assert Reservation.objects.get(pk=booked.pk).grand_total == EXTENDED
    assert Payment.objects.filter(reservation=booked, purpose="MODIFICATION").count() == 1
    assert _ledger(booked) == faulty.total_moved == EXTENDED


@pytest.mark.django_db
def test_an_answer_lost_for_now_changes_nothing_and_money_taken_comes_back(booked, faulty, next_friday):
    faulty.fail_next("charge_saved", "timeout_after", "timeout_before")
    before = state(booked)
    with pytest.raises(PaymentFailed) as exc:
        _extend(booked, faulty)
    assert exc.value.details["decline_code"] == "payment_pending" and exc.value.retryable
    assert state(booked) == before  # not changed: the payment is not known to have gone through
    attempt = PaymentAttempt.objects.get(reservation=booked, operation="CHARGE_SAVED")
    assert attempt.state == "UNKNOWN"
    assert faulty.total_moved == EXTENDED  # the provider did take it
    with pytest.raises(ConcurrentModification):  # no second charge while the first is unsettled
        _extend(booked, faulty)
    assert len(set(_keys(faulty, "charge_saved"))) == 1

    assert _settle_later(faulty) == 1  # the same key again: the charge is found, and given back
    assert _settle_later(faulty, minutes=10) == 1
    assert len(set(_keys(faulty, "charge_saved"))) == 1
    refund = PaymentAttempt.objects.get(reservation=booked, operation="REFUND")
    assert (refund.step, refund.state, refund.amount) == (f"COMPENSATE:{attempt.pk}", "SUCCEEDED", FOURTH_NIGHT)
    r = Reservation.objects.get(pk=booked.pk)
    assert (r.grand_total, r.check_out) == (SEED, next_friday + timedelta(days=3))
    assert _ledger(r) == faulty.total_moved == SEED
    assert sold(r.room_type, next_friday, 4) == [1, 1, 1, 0]


@pytest.mark.django_db
def test_a_crash_between_the_extension_charge_and_its_record_is_settled_and_given_back(booked, faulty,
                                                                                         next_friday):
    faulty.fail_next("charge_saved", "crash_after")
    before = state(booked)
    with pytest.raises(Crash):
        _extend(booked, faulty)
    attempt = PaymentAttempt.objects.get(reservation=booked, operation="CHARGE_SAVED")
    assert attempt.state == "RECORDED" and state(booked) == before
    assert _settle_later(faulty, minutes=1) == 0  # within the grace period the caller may still answer
    assert _settle_later(faulty, minutes=3) == 1
    assert _settle_later(faulty, minutes=6) == 1  # the refund, recorded by the finisher, goes out
    assert _ledger(booked) == faulty.total_moved == SEED
    assert Reservation.objects.get(pk=booked.pk).grand_total == SEED
    # Asked again, the same extension is a new step with a new key, and applies.
    result = _extend(Reservation.objects.get(pk=booked.pk), faulty)
    assert result.payment["amount"] == "207.78"
    assert PaymentAttempt.objects.filter(reservation=booked, operation="CHARGE_SAVED").count() == 2
    assert _ledger(booked) == faulty.total_moved == EXTENDED


@pytest.mark.django_db
def test_a_charge_that_lost_its_caller_after_the_answer_is_given_back_by_the_next_change(booked, faulty):
    """The process died after the charge's answer was recorded and before the change was applied (the finisher
    left the charge to its caller). The next change of the booking finds it and gives it back."""
    from django.db import transaction

    from bookings.services.ledger import attempts_send, charge_on_file_open, claimed

    with transaction.atomic():
        lost = charge_on_file_open(reservation=booked, step="MODIFICATION:1", amount=FOURTH_NIGHT, gateway=faulty)
    with claimed(lost):
        assert attempts_send([lost], faulty)[0].state == "SUCCEEDED"  # ...and here the process died
    with pytest.raises(ConcurrentModification):  # within moments the caller may still be applying it
        _extend(booked, faulty)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        result = _extend(booked, faulty)
    assert result.payment["amount"] == "207.78"
    refund = PaymentAttempt.objects.get(reservation=booked, step=f"COMPENSATE:{lost.pk}")
    assert (refund.amount, refund.state) == (FOURTH_NIGHT, "SUCCEEDED")
    assert _ledger(booked) == faulty.total_moved == EXTENDED
    assert Reservation.objects.get(pk=booked.pk).grand_total == EXTENDED


@pytest.mark.django_db
def test_a_declined_extension_leaves_everything_as_it_was(booked, faulty, next_friday):
    faulty.fail_next("charge_saved", "decline")
    before = state(booked)
    with pytest.raises(PaymentFailed) as exc:
        _extend(booked, faulty)
    assert exc.value.details["decline_code"] == "card_declined"
    assert state(booked) == before and sold(booked.room_type, next_friday, 4) == [1, 1, 1, 0]
    assert _ledger(booked) == faulty.total_moved == SEED


@pytest.mark.django_db
def test_a_night_sold_before_the_charge_is_refused_before_anything_is_charged(booked, faulty, next_friday):
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=booked.room_type, date=monday).update(sold=1, total=1)
    with pytest.raises(SoldOut):
        _extend(booked, faulty)
    assert _keys(faulty, "charge_saved") == [] and not PaymentAttempt.objects.filter(operation="CHARGE_SAVED")


class SellsTheNightWhileCharging(FaultyGateway):
    """Another guest takes the last Monday room while our charge is out (nothing is locked meanwhile)."""

    def __init__(self, night):
        super().__init__()
        self.night = night

    def charge_saved(self, **kwargs):
        InventoryDay.objects.filter(date=self.night, room_type__code="DELUXE-KING").update(total=1, sold=1)
        return super().charge_saved(**kwargs)


@pytest.mark.django_db
def test_a_night_sold_while_the_charge_was_out_gives_the_charge_back(nyc, next_friday):
    monday = next_friday + timedelta(days=3)
    gateway = SellsTheNightWhileCharging(monday)
    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    before = state(r)
    with pytest.raises(SoldOut):
        _extend(r, gateway)
    before["inventory"] = state(r)["inventory"]  # the other guest's Monday
    # Money moved and came back (a payment event each); the booking itself did not change.
    assert state(r) | {"payments": None, "events": None} == before | {"payments": None, "events": None}
    added = OutboxEvent.objects.filter(reservation=r).order_by("created_at")[before["events"]:]
    assert [e.name for e in added] == ["PaymentSucceeded", "PaymentRefunded"]
    assert [(p.kind, p.amount, p.purpose) for p in Payment.objects.filter(reservation=r)] == [
        ("CHARGE", SEED, "BOOKING"), ("CHARGE", FOURTH_NIGHT, "MODIFICATION"), ("REFUND", FOURTH_NIGHT, "COMPENSATE")]
    assert _ledger(r) == gateway.total_moved == SEED


# --- modifications that cost less: applied, then refunded --------------------------------------------------

def _shorten(r, faulty):
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):  # free to change: the difference comes back
        return reservation_modify(confirmation_number=r.confirmation_number, gateway=faulty,
                                  request=ModificationRequest(check_out=r.check_in + timedelta(days=2)))


@pytest.mark.django_db(transaction=True)
def test_a_shorter_stay_is_refunded_with_no_transaction_open(booked, faulty):
    result = _shorten(booked, faulty)
    assert faulty.inside_transaction == []
    assert result.payment == {"action": "REFUNDED", "amount": "217.98", "card_brand": "visa", "last_four": "4242"}
    assert _ledger(booked) == faulty.total_moved == D("446.16")


@pytest.mark.django_db
def test_a_shorter_stays_refund_refused_for_now_is_queued_and_retried_with_the_same_key(booked, faulty):
    faulty.fail_next("refund", "rate_limited")
    result = _shorten(booked, faulty)
    assert result.payment["action"] == "REFUND_PENDING" and result.payment["amount"] == "217.98"
    r = Reservation.objects.get(pk=booked.pk)
    assert r.grand_total == D("446.16") and r.nights.count() == 2  # the change stands
    refund = PaymentAttempt.objects.get(reservation=r, operation="REFUND")
    assert (refund.state, refund.step, refund.needs_attention) == ("RECORDED", "MODIFICATION:1", False)
    assert _ledger(r) == faulty.total_moved == SEED  # nothing went back yet, and nothing is recorded as if it had
    assert _settle_later(faulty, minutes=2, since=check_in_at(r) - 48 * H) == 1
    refund.refresh_from_db()
    assert refund.state == "SUCCEEDED" and _keys(faulty, "refund") == [refund.idempotency_key] * 2
    assert _ledger(r) == faulty.total_moved == D("446.16")


@pytest.mark.django_db
def test_a_shorter_stays_refund_refused_outright_waits_for_a_person(booked, faulty):
    faulty.fail_next("refund", "decline")
    assert _shorten(booked, faulty).payment["action"] == "REFUND_PENDING"
    refund = PaymentAttempt.objects.get(reservation=booked, operation="REFUND")
    assert (refund.state, refund.needs_attention) == ("FAILED", True)
    assert _settle_later(faulty, minutes=60, since=check_in_at(booked) - 48 * H) == 0
    assert _ledger(booked) == faulty.total_moved == SEED
    # A later cancellation does not promise the refused 217.98 a second time: 446.16 is what is left to give.
    with time_machine.travel(check_in_at(booked) - 48 * H, tick=False):
        result = _cancel(booked, faulty)
    assert result.as_dict()["financial"]["amount_paid"] == "446.16"
    assert result.refund_amount == D("446.16") and _ledger(booked) == faulty.total_moved == D("217.98")


# --- cancellations: the cancellation stands, the refund follows ----------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_free_cancellation_refunds_with_no_transaction_open(booked, faulty, next_friday):
    with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
        result = _cancel(booked, faulty)
    assert faulty.inside_transaction == []
    financial = result.as_dict()["financial"]
    assert (financial["refund_amount"], financial["refund_status"]) == ("664.14", "REFUNDED")
    assert _ledger(booked) == faulty.total_moved == D("0.00")
    assert sold(booked.room_type, next_friday, 3) == [0, 0, 0]


@pytest.mark.django_db
def test_a_cancellations_refund_refused_for_now_is_pending_then_retried_with_the_same_key(booked, faulty,
                                                                                          hotel_partner_client):
    faulty.fail_next("refund", "rate_limited")
    with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
        result = _cancel(booked, faulty)
    financial = result.as_dict()["financial"]
    assert (financial["refund_amount"], financial["refund_status"]) == ("664.14", "PENDING")
    assert Reservation.objects.get(pk=booked.pk).status == Status.CANCELLED
    assert _ledger(booked) == faulty.total_moved == SEED
    assert _settle_later(faulty, minutes=2, since=check_in_at(booked) - 36 * H) == 1
    assert _keys(faulty, "refund")[0] == _keys(faulty, "refund")[1]
    assert _ledger(booked) == faulty.total_moved == D("0.00")


@pytest.mark.django_db
def test_a_cancellation_whose_refund_is_refused_outright_is_answered_pending_not_500(booked, faulty,
                                                                                     hotel_partner_client,
                                                                                     settings):
    settings.PAYMENT_GATEWAY = "bookings.tests.test_flow_money_saga.RefusesRefunds"
    with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
        response = hotel_partner_client.post(f"/api/v1/bookings/{booked.confirmation_number}/cancel",
                                             {"reason": "plans changed"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "CANCELLED"
    assert (body["financial"]["refund_amount"], body["financial"]["refund_status"]) == ("664.14", "PENDING")
    refund = PaymentAttempt.objects.get(reservation=booked, operation="REFUND")
    assert (refund.state, refund.needs_attention) == ("FAILED", True)
    assert _ledger(booked) == faulty.total_moved == SEED  # the guest's money is still with the hotel, owed back


class RefusesRefunds(FaultyGateway):
    def refund(self, **kwargs):
        self.fail_next("refund", "decline")
        return super().refund(**kwargs)


@pytest.mark.django_db
def test_a_lost_refund_answer_is_settled_once(booked, faulty):
    faulty.fail_next("refund", "timeout_after")
    with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
        assert _cancel(booked, faulty).refund_status == "PENDING"
    assert faulty.total_moved == D("0.00") and _ledger(booked) == SEED  # gone back, not yet known to us
    assert _settle_later(faulty, since=check_in_at(booked) - 36 * H) == 1
    assert _ledger(booked) == faulty.total_moved == D("0.00")
    assert Payment.objects.filter(reservation=booked, kind="REFUND").count() == 1


@pytest.mark.django_db
def test_extend_then_cancel_late_keeps_the_whole_stay(booked, faulty):
    """The seed: 664.14 booked, a fourth night for 207.78 more (871.92), cancelled 12 hours before arrival:
    the 24-hour tier keeps 100%, so nothing goes back."""
    with time_machine.travel(check_in_at(booked) - 30 * H, tick=False):
        assert _extend(booked, faulty).payment["amount"] == "207.78"
    with time_machine.travel(check_in_at(booked) - 12 * H, tick=False):
        body = _cancel(Reservation.objects.get(pk=booked.pk), faulty).as_dict()
    assert body["cancellation_policy"]["tier_applied"] == "Within 24 hours"
    shown = {k: body["financial"][k] for k in ("original_total", "amount_paid", "penalty_amount", "refund_amount",
                                               "refund_status")}
    assert shown == {"original_total": "871.92", "amount_paid": "871.92", "penalty_amount": "871.92",
                     "refund_amount": "0.00", "refund_status": "NOT_APPLICABLE"}
    assert _keys(faulty, "refund") == [] and _keys(faulty, "charge_saved") != []
    assert _ledger(booked) == faulty.total_moved == EXTENDED


@pytest.mark.django_db
def test_a_cancellation_while_an_extension_charge_is_out_gives_that_charge_back(booked, faulty, next_friday):
    """Nothing is locked while the extension's charge is out: the guest cancels meanwhile. The cancellation
    refunds what was paid; the extension, back from the gateway, finds the booking cancelled and gives its
    charge back. Every cent is accounted for."""
    class CancelsWhileCharging(FaultyGateway):
        def charge_saved(self, **kwargs):
            result = super().charge_saved(**kwargs)
            with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
                reservation_cancel(confirmation_number=booked.confirmation_number, reason="changed my mind",
                                   gateway=self)
            return result

    gateway = CancelsWhileCharging()
    with pytest.raises(ModificationNotAllowed):
        _extend(booked, gateway)
    r = Reservation.objects.get(pk=booked.pk)
    assert r.status == Status.CANCELLED and r.grand_total == SEED and r.nights.count() == 3
    assert _ledger(r) == faulty.total_moved + gateway.total_moved == D("0.00")  # the booking went through `faulty`
    assert sorted((p.kind, p.amount) for p in Payment.objects.filter(reservation=r, purpose__in=[
        "MODIFICATION", "COMPENSATE", "CANCELLATION"])) == [
        ("CHARGE", FOURTH_NIGHT), ("REFUND", FOURTH_NIGHT), ("REFUND", SEED)]
    assert sold(r.room_type, next_friday, 4) == [0, 0, 0, 0]


@pytest.mark.django_db
def test_a_cancellation_between_the_charges_answer_and_the_change_gives_the_charge_back_once(booked, faulty,
                                                                                             monkeypatch):
    """The extension's charge is recorded as taken; before the change is applied the guest cancels (free). The
    cancellation refunds the booking's 664.14 and gives the unapplied 207.78 back whole, once: the extension,
    finding the booking cancelled, does not refund it a second time."""
    from bookings.payments import attempts

    finish = attempts.FINISHERS["MODIFICATION"]
    cancelled = {}

    def cancel_right_after_the_answer(attempt):
        finish(attempt)
        if attempt.operation == "CHARGE_SAVED" and not cancelled:
            with time_machine.travel(check_in_at(booked) - 36 * H, tick=False):
                cancelled["result"] = _cancel(booked, faulty)

    monkeypatch.setitem(attempts.FINISHERS, "MODIFICATION", cancel_right_after_the_answer)
    with pytest.raises(ModificationNotAllowed):
        _extend(booked, faulty)
    financial = cancelled["result"].as_dict()["financial"]
    assert (financial["amount_paid"], financial["refund_amount"], financial["refund_status"]) == (
        "664.14", "664.14", "REFUNDED")
    refunds = sorted((p.amount, p.purpose) for p in Payment.objects.filter(reservation=booked, kind="REFUND"))
    assert refunds == [(FOURTH_NIGHT, "COMPENSATE"), (SEED, "CANCELLATION")]
    assert _ledger(booked) == faulty.total_moved == D("0.00")
