"""Check-out and no-shows move money as a saga: the balance is charged with nothing locked before the stay is
closed, lost answers are asked again with the same key, a credit's refused refund never blocks the check-out,
and the money our ledger records equals the money the provider moved (664.14 booked, 92.50 spent: 756.64)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from bookings.models import OutboxEvent, Payment, PaymentAttempt, Reservation, Status
from bookings.payments.attempts import attempts_settle_due
from bookings.services import booking_create
from bookings.tests.booking_setup import seed_request
from bookings.tests.faulty_gateway import Crash, FaultyGateway
from frontdesk.models import FolioLine
from frontdesk.selectors import folio_get
from frontdesk.services import charge_post, night_audit_run, stay_check_in, stay_check_out
from frontdesk.services.common import guest_folio
from hotelbooking.errors import OutstandingBalance

from .conftest import at

D = Decimal
SPENT = D("756.64")


@pytest.fixture
def faulty():
    return FaultyGateway()


@pytest.fixture
def in_house(nyc, next_friday, faulty):
    """The seed's stay paid through the faulty gateway, checked in, with 92.50 of minibar and spa."""
    r = booking_create(request=seed_request(next_friday), gateway=faulty)
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1204"])
        charge_post(confirmation_number=r.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
        charge_post(confirmation_number=r.confirmation_number, kind="SPA", amount="80.00", currency="USD")
    return r


def _ledger(reservation) -> Decimal:
    """What our books say the provider moved (money paid at the desk never went through it)."""
    rows = Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED).exclude(gateway="desk")
    return sum((p.amount if p.kind == Payment.Kind.CHARGE else -p.amount for p in rows), D(0))


def _keys(faulty, operation):
    return [key for op, key in faulty.calls if op == operation]


def _departure(next_friday):
    return at(next_friday + timedelta(days=3), 10, 30)


def _check_out(r, faulty, **kw):
    return stay_check_out(confirmation_number=r.confirmation_number, gateway=faulty, **kw)


def _lines(r):
    return list(FolioLine.objects.filter(reservation=r).order_by("id").values_list("kind", "amount"))


# --- the balance: charged first, then the stay is closed --------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_balance_is_charged_with_no_transaction_open_then_the_stay_closes(in_house, faulty, next_friday):
    with _departure(next_friday):
        result = _check_out(in_house, faulty)
    assert faulty.inside_transaction == []
    assert result.reservation.status == Status.CHECKED_OUT and result.folio.totals.balance == D("0.00")
    charge = PaymentAttempt.objects.get(reservation=in_house, operation="CHARGE_SAVED")
    assert (charge.step, charge.amount, charge.state, charge.payment.purpose) == (
        "CHECK_OUT", D("92.50"), "SUCCEEDED", "CHECK_OUT")
    assert _keys(faulty, "charge_saved") == [charge.idempotency_key]
    assert _ledger(in_house) == faulty.total_moved == SPENT


@pytest.mark.django_db
def test_a_lost_answer_to_the_balance_charge_is_asked_again_with_the_same_key(in_house, faulty, next_friday):
    faulty.fail_next("charge_saved", "timeout_after")
    with _departure(next_friday):
        assert _check_out(in_house, faulty).reservation.status == Status.CHECKED_OUT
    first, again = _keys(faulty, "charge_saved")
    assert first == again
    assert Payment.objects.filter(reservation=in_house, purpose="CHECK_OUT").count() == 1
    assert _ledger(in_house) == faulty.total_moved == SPENT


@pytest.mark.django_db
def test_an_answer_lost_twice_changes_nothing_and_the_next_try_sends_the_same_charge(in_house, faulty, next_friday):
    faulty.fail_next("charge_saved", "timeout_after", "timeout_before")
    lines = _lines(in_house)
    with _departure(next_friday):
        with pytest.raises(OutstandingBalance) as exc:
            _check_out(in_house, faulty)
        assert exc.value.details["decline_code"] == "payment_pending" and exc.value.retryable
        assert exc.value.details["balance"] == "92.50"
        assert Reservation.objects.get(pk=in_house.pk).status == Status.CHECKED_IN and _lines(in_house) == lines
        result = _check_out(in_house, faulty)  # the desk tries again a moment later
    assert result.reservation.status == Status.CHECKED_OUT
    assert len(_keys(faulty, "charge_saved")) == 3 and len(set(_keys(faulty, "charge_saved"))) == 1
    assert PaymentAttempt.objects.filter(reservation=in_house, operation="CHARGE_SAVED").count() == 1
    assert _ledger(in_house) == faulty.total_moved == SPENT


@pytest.mark.django_db
def test_a_crash_between_the_balance_charge_and_its_record(in_house, faulty, next_friday):
    faulty.fail_next("charge_saved", "crash_after")
    with _departure(next_friday):
        with pytest.raises(Crash):
            _check_out(in_house, faulty)
        assert Reservation.objects.get(pk=in_house.pk).status == Status.CHECKED_IN
        assert PaymentAttempt.objects.get(reservation=in_house, operation="CHARGE_SAVED").state == "RECORDED"
        assert faulty.total_moved == SPENT and _ledger(in_house) == D("664.14")
        result = _check_out(in_house, faulty)
    assert result.reservation.status == Status.CHECKED_OUT and result.folio.totals.balance == D("0.00")
    assert len(set(_keys(faulty, "charge_saved"))) == 1
    assert _ledger(in_house) == faulty.total_moved == SPENT


@pytest.mark.django_db
def test_paid_at_the_desk_while_the_card_charge_was_unknown_refunds_the_card_once_it_turns_up(in_house, faulty,
                                                                                                 next_friday):
    faulty.fail_next("charge_saved", "timeout_after", "timeout_before", "timeout_before")
    with _departure(next_friday):
        with pytest.raises(OutstandingBalance):
            _check_out(in_house, faulty)
        result = _check_out(in_house, faulty, paid_at_desk=True)  # the guest pays cash and leaves
        assert result.reservation.status == Status.CHECKED_OUT
        assert Payment.objects.get(reservation=in_house, gateway="desk").amount == D("92.50")
        for minutes in (10, 20):  # the card charge turns up; what it paid twice goes back
            with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
                attempts_settle_due(gateway=faulty)
    refund = PaymentAttempt.objects.get(reservation=in_house, operation="REFUND")
    assert (refund.amount, refund.state) == (D("92.50"), "SUCCEEDED")
    assert _ledger(in_house) == faulty.total_moved == D("664.14")
    assert folio_get(Reservation.objects.get(pk=in_house.pk)).totals.balance == D("0.00")


@pytest.mark.django_db
def test_a_declined_balance_changes_nothing(in_house, faulty, next_friday):
    faulty.fail_next("charge_saved", "decline")
    lines = _lines(in_house)
    with _departure(next_friday):
        with pytest.raises(OutstandingBalance) as exc:
            _check_out(in_house, faulty)
    assert exc.value.details["decline_code"] == "card_declined" and exc.value.details["balance"] == "92.50"
    assert Reservation.objects.get(pk=in_house.pk).status == Status.CHECKED_IN and _lines(in_house) == lines
    assert _ledger(in_house) == faulty.total_moved == D("664.14")


# --- a credit: the stay closes, the refund follows ---------------------------------------------------------

def _goodwill(r, next_friday, amount="142.50"):
    """A 142.50 goodwill correction: with the 92.50 spent, the guest leaves 50.00 in credit."""
    FolioLine.objects.create(reservation=r, folio=guest_folio(r), kind=FolioLine.Kind.CORRECTION,
                             description="Goodwill",
                             amount=-D(amount), currency="USD", business_date=next_friday)


@pytest.mark.django_db(transaction=True)
def test_a_credit_is_refunded_after_the_check_out_with_no_transaction_open(in_house, faulty, next_friday):
    _goodwill(in_house, next_friday)
    with _departure(next_friday):
        result = _check_out(in_house, faulty)
    assert faulty.inside_transaction == []
    assert result.reservation.status == Status.CHECKED_OUT and result.folio.totals.balance == D("0.00")
    refund = PaymentAttempt.objects.get(reservation=in_house, operation="REFUND")
    assert (refund.step, refund.amount, refund.state) == ("CHECK_OUT", D("50.00"), "SUCCEEDED")
    assert _ledger(in_house) == faulty.total_moved == D("614.14")


@pytest.mark.django_db
def test_a_credits_refund_refused_for_now_is_queued_and_the_guest_leaves(in_house, faulty, next_friday):
    _goodwill(in_house, next_friday)
    faulty.fail_next("refund", "rate_limited")
    with _departure(next_friday):
        result = _check_out(in_house, faulty)
        assert result.reservation.status == Status.CHECKED_OUT
        assert result.folio.totals.balance == D("-50.00")  # still owed to the guest, on the folio
        assert _ledger(in_house) == faulty.total_moved == D("664.14")
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert attempts_settle_due(gateway=faulty) == 1
    assert len(set(_keys(faulty, "refund"))) == 1 and len(_keys(faulty, "refund")) == 2
    assert _ledger(in_house) == faulty.total_moved == D("614.14")
    assert folio_get(Reservation.objects.get(pk=in_house.pk)).totals.balance == D("0.00")


@pytest.mark.django_db
def test_a_credits_refund_refused_outright_waits_for_a_person_and_the_guest_leaves(in_house, faulty, next_friday):
    _goodwill(in_house, next_friday)
    faulty.fail_next("refund", "decline")
    with _departure(next_friday):
        result = _check_out(in_house, faulty)
    assert result.reservation.status == Status.CHECKED_OUT and result.folio.totals.balance == D("-50.00")
    refund = PaymentAttempt.objects.get(reservation=in_house, operation="REFUND")
    assert (refund.state, refund.needs_attention) == ("FAILED", True)
    assert _ledger(in_house) == faulty.total_moved == D("664.14")


# --- no-shows ---------------------------------------------------------------------------------------------

@pytest.fixture
def first_night_kept(nyc, next_friday, faulty):
    """The seed's stay, paid through the faulty gateway, on a policy that keeps the first night of a no-show."""
    r = booking_create(request=seed_request(next_friday), gateway=faulty)
    Reservation.objects.filter(pk=r.pk).update(
        cancellation_policy={**r.cancellation_policy, "no_show_penalty_nights": 1})
    return r


def _audit(r, faulty, next_friday):
    with at(next_friday + timedelta(days=1), 4):
        return night_audit_run(hotel=r.hotel, business_date=next_friday, gateway=faulty)


@pytest.mark.django_db(transaction=True)
def test_a_no_shows_refund_goes_out_with_no_transaction_open(first_night_kept, faulty, next_friday):
    run = _audit(first_night_kept, faulty, next_friday)
    assert run.no_shows == 1 and faulty.inside_transaction == []
    refund = PaymentAttempt.objects.get(reservation=first_night_kept, operation="REFUND")
    assert (refund.step, refund.amount, refund.state) == (f"NO_SHOW:{next_friday}", D("456.36"), "SUCCEEDED")
    event = OutboxEvent.objects.get(reservation=first_night_kept, name="ReservationNoShow")
    assert (event.payload["penalty"], event.payload["refunded"], event.payload["pending"]) == (
        "207.78", "456.36", "0")
    assert _ledger(first_night_kept) == faulty.total_moved == D("207.78")


@pytest.mark.django_db
def test_a_no_shows_refund_refused_for_now_is_queued_and_the_no_show_stands(first_night_kept, faulty, next_friday):
    faulty.fail_next("refund", "rate_limited")
    run = _audit(first_night_kept, faulty, next_friday)
    assert run.no_shows == 1 and run.errors == ""
    r = Reservation.objects.get(pk=first_night_kept.pk)
    assert r.status == Status.NO_SHOW
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert (event.payload["refunded"], event.payload["pending"]) == ("0", "456.36")
    assert _ledger(r) == faulty.total_moved == D("664.14")
    with at(next_friday + timedelta(days=1), 4, 5):
        assert attempts_settle_due(gateway=faulty) == 1
    assert len(_keys(faulty, "refund")) == 2 and len(set(_keys(faulty, "refund"))) == 1
    assert _ledger(r) == faulty.total_moved == D("207.78")
    assert OutboxEvent.objects.filter(reservation=r, name="ReservationNoShow").count() == 1


@pytest.mark.django_db
def test_a_crash_after_the_no_show_refund_is_settled_and_its_event_follows(first_night_kept, faulty, next_friday):
    faulty.fail_next("refund", "crash_after")
    with pytest.raises(Crash):
        _audit(first_night_kept, faulty, next_friday)
    r = Reservation.objects.get(pk=first_night_kept.pk)
    assert r.status == Status.NO_SHOW and not OutboxEvent.objects.filter(reservation=r, name="ReservationNoShow")
    with at(next_friday + timedelta(days=1), 4, 5):
        assert attempts_settle_due(gateway=faulty) == 1
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert event.payload["refunded"] == "456.36"
    assert _ledger(r) == faulty.total_moved == D("207.78")
