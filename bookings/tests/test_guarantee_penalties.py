"""Card guarantee and deposit bookings: a late cancellation or a no-show charges what the policy keeps beyond what
was paid to the card on file, through a payment attempt sent with nothing locked; a declined penalty leaves the
cancellation or no-show standing and the penalty owed on the folio, flagged for the desk."""

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
from frontdesk.selectors import folio_get
from frontdesk.services import cancellation_penalty_post, night_audit_run, reservation_no_show
from frontdesk.tests.conftest import at
from hotelbooking.money import round_money
from pricing.guarantee import PaymentTerms

from .booking_setup import seed_request
from .faulty_gateway import Crash, FaultyGateway
from .test_manage_support import check_in_at

D = Decimal
H = timedelta(hours=1)
SEED = D("664.14")


def _terms(guarantee, first_night_deposit=False):
    def terms_for_quote(quote, *, booked_on):
        total, c = round_money(quote.total, quote.currency), quote.currency
        if first_night_deposit:
            now = round_money(quote.nightly_totals[0], c)
            return PaymentTerms(guarantee=guarantee, due_now=now, due_later=total - now, balance_due_on=None,
                                balance_when="AT_CHECK_IN", card_required=True, save_card=True, currency=c)
        return PaymentTerms(guarantee=guarantee, due_now=round_money(D(0), c), due_later=total, balance_due_on=None,
                            balance_when="AT_HOTEL", card_required=True, save_card=True, currency=c)
    return terms_for_quote


@pytest.fixture
def faulty():
    return FaultyGateway()


@pytest.fixture
def guaranteed(nyc, next_friday, faulty, monkeypatch):
    """The seed's stay on a card guarantee: nothing charged, the card saved."""
    from bookings.services import create

    monkeypatch.setattr(create, "terms_for_quote", _terms("CARD_GUARANTEE"))
    r = booking_create(request=seed_request(next_friday), gateway=faulty)
    assert r.status == Status.CONFIRMED and r.payment_terms["guarantee"] == "CARD_GUARANTEE"
    assert [op for op, _ in faulty.calls] == ["save_card"] and not Payment.objects.filter(reservation=r).exists()
    return r


def _ledger(reservation) -> Decimal:
    rows = Payment.objects.filter(reservation=reservation, result=Payment.Result.SUCCEEDED)
    return sum((p.amount if p.kind == Payment.Kind.CHARGE else -p.amount for p in rows), D(0))


def _cancel_late(r, gateway):
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False):
        result = reservation_cancel(confirmation_number=r.confirmation_number, reason="plans changed",
                                    gateway=gateway)
        cancellation_penalty_post(reservation=result.reservation)  # what the ReservationCancelled handler does
    return result


def _decline_the_saved_card(r):
    PaymentAttempt.objects.filter(reservation=r, operation="SAVE_CARD").update(token="tok_decline_saved")


# --- cancellations ----------------------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_a_late_cancellation_charges_the_penalty_to_the_saved_card(guaranteed, faulty):
    result = _cancel_late(guaranteed, faulty)
    assert faulty.inside_transaction == []
    financial = result.as_dict()["financial"]
    assert (financial["amount_paid"], financial["penalty_amount"], financial["refund_amount"],
            financial["refund_status"]) == ("0.00", "664.14", "0.00", "NOT_APPLICABLE")
    charge = PaymentAttempt.objects.get(reservation=guaranteed, operation="CHARGE_SAVED")
    assert (charge.step, charge.state, charge.amount) == ("CANCELLATION", "SUCCEEDED", SEED)
    assert (charge.payment.purpose, charge.payment.last_four, charge.payment.card_brand) == (
        "CANCELLATION", "4242", "visa")
    assert [op for op, _ in faulty.calls] == ["save_card", "charge_saved"]
    assert _ledger(guaranteed) == faulty.total_moved == SEED
    folio = folio_get(Reservation.objects.get(pk=guaranteed.pk))
    assert (folio.totals.penalties, folio.totals.paid, folio.totals.balance) == (SEED, SEED, D("0.00"))


@pytest.mark.django_db
def test_a_declined_penalty_leaves_the_cancellation_standing_and_the_penalty_owed(guaranteed, faulty):
    _decline_the_saved_card(guaranteed)
    result = _cancel_late(guaranteed, faulty)
    assert result.reservation.status == Status.CANCELLED
    assert result.penalty_charge.state == "FAILED"
    assert PaymentAttempt.objects.get(reservation=guaranteed, operation="CHARGE_SAVED").needs_attention
    r = Reservation.objects.get(pk=guaranteed.pk)
    assert r.status == Status.CANCELLED and r.cancellation_penalty == SEED
    folio = folio_get(r)
    assert [(line.kind, line.amount) for line in folio.lines] == [("PENALTY", SEED)]
    assert folio.totals.balance == SEED  # owed, in plain sight on the folio
    assert _ledger(r) == faulty.total_moved == D("0.00")


@pytest.mark.django_db
def test_a_penalty_charge_whose_answer_was_lost_is_settled_with_the_same_key(guaranteed, faulty):
    faulty.fail_next("charge_saved", "timeout_after")
    result = _cancel_late(guaranteed, faulty)
    assert result.reservation.status == Status.CANCELLED and result.penalty_charge.state == "UNKNOWN"
    with time_machine.travel(check_in_at(guaranteed) - 12 * H + timedelta(minutes=5)):
        assert attempts_settle_due(gateway=faulty) == 1
    keys = [k for op, k in faulty.calls if op == "charge_saved"]
    assert len(keys) == 2 and len(set(keys)) == 1
    assert _ledger(guaranteed) == faulty.total_moved == SEED


@pytest.mark.django_db
def test_a_free_cancellation_of_a_card_guarantee_charges_nothing(guaranteed, faulty):
    with time_machine.travel(check_in_at(guaranteed) - 36 * H, tick=False):
        result = reservation_cancel(confirmation_number=guaranteed.confirmation_number, reason="plans",
                                    gateway=faulty)
    assert result.terms.penalty == D("0.00") and result.refund_status == "NOT_APPLICABLE"
    assert [op for op, _ in faulty.calls] == ["save_card"] and _ledger(guaranteed) == D("0.00")


@pytest.mark.django_db
def test_a_change_to_a_card_guarantee_moves_no_money_and_a_late_cancellation_charges_the_new_total(guaranteed,
                                                                                                  faulty):
    with time_machine.travel(check_in_at(guaranteed) - 48 * H, tick=False):
        result = reservation_modify(confirmation_number=guaranteed.confirmation_number, gateway=faulty,
                                    request=ModificationRequest(check_out=guaranteed.check_out + timedelta(days=1)))
    assert result.payment["action"] == "NONE"
    assert result.as_dict()["pricing_breakdown"]["amount_to_charge"] == "0.00"
    assert Reservation.objects.get(pk=guaranteed.pk).grand_total == D("871.92")
    assert [op for op, _ in faulty.calls] == ["save_card"]
    result = _cancel_late(Reservation.objects.get(pk=guaranteed.pk), faulty)
    assert result.penalty_charge.amount == D("871.92")
    assert _ledger(guaranteed) == faulty.total_moved == D("871.92")


@pytest.mark.django_db
def test_a_deposit_cancelled_late_is_charged_the_penalty_beyond_the_deposit(nyc, next_friday, faulty, monkeypatch):
    from bookings.services import create

    monkeypatch.setattr(create, "terms_for_quote", _terms("DEPOSIT", first_night_deposit=True))
    r = booking_create(request=seed_request(next_friday), gateway=faulty)
    assert _ledger(r) == D("206.79")  # the first night: 170.10 and its share of taxes and fees
    result = _cancel_late(r, faulty)
    financial = result.as_dict()["financial"]
    assert (financial["amount_paid"], financial["penalty_amount"], financial["refund_amount"]) == (
        "206.79", "664.14", "0.00")
    assert (result.penalty_charge.amount, result.penalty_charge.state) == (D("457.35"), "SUCCEEDED")
    assert _ledger(r) == faulty.total_moved == SEED
    assert folio_get(Reservation.objects.get(pk=r.pk)).totals.balance == D("0.00")


# --- no-shows ---------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_no_show_charges_the_penalty_to_the_saved_card(guaranteed, faulty, next_friday):
    with at(next_friday + timedelta(days=1), 4):
        night_audit_run(hotel=guaranteed.hotel, business_date=next_friday, gateway=faulty)
    r = Reservation.objects.get(pk=guaranteed.pk)
    assert r.status == Status.NO_SHOW
    charge = PaymentAttempt.objects.get(reservation=r, operation="CHARGE_SAVED")
    assert (charge.step, charge.state, charge.amount) == (f"NO_SHOW:{next_friday.isoformat()}", "SUCCEEDED", SEED)
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert (event.payload["penalty"], event.payload["collected"], event.payload["outstanding"]) == (
        "664.14", "664.14", "0")
    assert folio_get(r).totals.balance == D("0.00")
    assert _ledger(r) == faulty.total_moved == SEED


@pytest.mark.django_db
def test_a_declined_no_show_penalty_stays_owed_on_the_folio(guaranteed, faulty, next_friday):
    _decline_the_saved_card(guaranteed)
    with at(next_friday + timedelta(days=1), 4):
        run = night_audit_run(hotel=guaranteed.hotel, business_date=next_friday, gateway=faulty)
    assert run.no_shows == 1 and run.errors == ""
    r = Reservation.objects.get(pk=guaranteed.pk)
    assert r.status == Status.NO_SHOW and folio_get(r).totals.balance == SEED
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert (event.payload["collected"], event.payload["outstanding"]) == ("0", "664.14")
    assert PaymentAttempt.objects.get(reservation=r, operation="CHARGE_SAVED").needs_attention
    assert _ledger(r) == faulty.total_moved == D("0.00")


@pytest.mark.django_db
def test_a_crash_after_the_no_show_charge_is_settled_and_its_event_follows(guaranteed, faulty, next_friday):
    faulty.fail_next("charge_saved", "crash_after")
    with at(next_friday + timedelta(days=1), 4):
        with pytest.raises(Crash):
            reservation_no_show(reservation_id=guaranteed.pk, gateway=faulty, business_date=next_friday)
        r = Reservation.objects.get(pk=guaranteed.pk)
        assert r.status == Status.NO_SHOW  # decided and committed before the gateway was called
        assert not OutboxEvent.objects.filter(reservation=r, name="ReservationNoShow").exists()
        assert faulty.total_moved == SEED and _ledger(r) == D("0.00")
        with time_machine.travel(timezone.now() + timedelta(minutes=3)):
            assert attempts_settle_due(gateway=faulty) == 1
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert (event.payload["collected"], event.payload["pending"]) == ("664.14", "0")
    assert _ledger(r) == faulty.total_moved == SEED
