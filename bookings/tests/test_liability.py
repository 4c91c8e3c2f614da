"""A change never lowers the penalty a guest is already liable for (issue 9, item 4).

The seed's booking (664.14, Flexible 24-Hour: everything from 24 hours before check-in), booked on a Monday
for Friday. Twelve hours before check-in cancelling costs 664.14. Shortening the stay to one night (207.78)
or moving it three weeks later must not turn that into 207.78 or 0.00: the reservation retains 664.14.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.cancellations import cancellation_quote, reservation_cancel
from bookings.models import Payment, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.payments import TestGateway
from bookings.services import amount_paid
from frontdesk.models import FolioLine
from frontdesk.selectors import folio_get
from frontdesk.services import night_audit_run, stay_check_in, stay_check_out

from .test_cancel import TIERED
from .test_manage_support import _fresh_cache, book, check_in_at  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
H = timedelta(hours=1)
MONDAY_NOON = datetime(2026, 3, 9, 12, tzinfo=UTC)  # the Friday after is March 13, 2026


@pytest.fixture(autouse=True)
def _booked_on_monday():
    with time_machine.travel(MONDAY_NOON, tick=False):
        yield


@pytest.fixture
def seed(nyc, next_friday) -> Reservation:
    r = book(next_friday)
    assert (r.grand_total, r.check_in.isoformat()) == (D("664.14"), "2026-03-13")
    return r


def at(r, hours_before):
    return time_machine.travel(check_in_at(r) - hours_before * H, tick=False)


def modify(r, **change):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**change),
                              gateway=TestGateway())


def cancel(r):
    return reservation_cancel(confirmation_number=r.confirmation_number, reason="Plans changed",
                              gateway=TestGateway())


def shorter(r):
    return {"check_out": r.check_in + timedelta(days=1)}


def three_weeks_later(r):
    return {"check_in": r.check_in + timedelta(days=21), "check_out": r.check_out + timedelta(days=21)}


# --- the two loopholes, at service level ---------------------------------------------------------------

def test_shortening_inside_the_full_penalty_window_refunds_nothing_and_cancelling_still_costs_everything(seed):
    r = seed
    with at(r, 12):
        assert cancellation_quote(confirmation_number=r.confirmation_number).penalty == D("664.14")
        result = modify(r, **shorter(r))
        assert result.plan.new_total == D("207.78")
        assert result.payment == {"action": "NONE", "amount": "0.00", "card_brand": "", "last_four": ""}
        r.refresh_from_db()
        assert (r.retained_amount, amount_paid(r)) == (D("664.140"), D("664.14"))
        terms = cancellation_quote(confirmation_number=r.confirmation_number)
        assert (terms.penalty, terms.refund, terms.penalty_quote.policy_penalty) == (
            D("664.14"), D("0.00"), D("207.78"))
        cancelled = cancel(r)
    assert cancelled.as_dict()["financial"]["penalty_amount"] == "664.14"
    assert cancelled.refunds == []
    fresh = Reservation.objects.get(pk=r.pk)
    assert (fresh.status, fresh.cancellation_penalty, amount_paid(fresh)) == (
        Status.CANCELLED, D("664.140"), D("664.14"))
    assert "non-refundable since a change" in fresh.status_changes.last().note


def test_moving_the_dates_three_weeks_later_does_not_make_cancelling_free(seed):
    r = seed
    with at(r, 12):
        result = modify(r, **three_weeks_later(r))
        assert result.plan.new_total == D("664.14") and result.payment["action"] == "NONE"
        r.refresh_from_db()
        assert r.retained_amount == D("664.14")
        body = cancel(r).as_dict()
    assert body["financial"]["penalty_amount"] == "664.14" and body["financial"]["refund_amount"] == "0.00"
    assert body["financial"]["retained_amount"] == "664.14"
    assert body["financial"]["policy_penalty_amount"] == "0.00"  # the new arrival is weeks away
    assert not Payment.objects.filter(reservation=r, kind="REFUND").exists()


def test_a_guest_who_moves_inside_the_window_and_then_stays_pays_only_the_new_stay(seed):
    """Retained is a floor, not a fee: coming on the new dates costs the new total and nothing more."""
    r = seed
    with at(r, 12):
        modify(r, **three_weeks_later(r))
    r.refresh_from_db()
    assert amount_paid(r) == r.grand_total == D("664.14")


def test_outside_any_paying_window_a_change_retains_nothing(seed):
    r = seed
    with at(r, 36):
        result = modify(r, **shorter(r))
        assert result.payment["action"] == "REFUNDED" and result.payment["amount"] == "456.36"
        r.refresh_from_db()
        assert r.retained_amount == D("0")
        body = cancel(r).as_dict()
    assert (body["financial"]["penalty_amount"], body["financial"]["refund_amount"]) == ("0.00", "207.78")
    assert amount_paid(Reservation.objects.get(pk=r.pk)) == D("0.00")


def test_a_quarter_penalty_window_keeps_a_quarter_and_refunds_the_rest(seed):
    r = seed
    Reservation.objects.filter(pk=r.pk).update(cancellation_policy=TIERED)
    with at(r, 60):  # 25% of 664.14 = 166.04
        result = modify(r, **shorter(r))
        assert result.payment["amount"] == "456.36"  # the new total 207.78 is more than what is retained
        r.refresh_from_db()
        assert r.retained_amount == D("166.04")
        body = cancel(r).as_dict()
    # 25% of the one night would be 51.95; the 166.04 reached before the change holds.
    assert body["financial"]["policy_penalty_amount"] == "51.95"
    assert (body["financial"]["penalty_amount"], body["financial"]["refund_amount"]) == ("166.04", "41.74")
    assert amount_paid(Reservation.objects.get(pk=r.pk)) == D("166.04")


def test_the_retained_amount_only_grows(seed):
    r = seed
    with at(r, 12):
        modify(r, **shorter(r))  # retains 664.14
        modify(r, check_out=r.check_in + timedelta(days=2))  # penalty now 446.16 < 664.14
    r.refresh_from_db()
    assert r.retained_amount == D("664.14")


def test_lengthening_again_after_a_kept_shortening_charges_only_beyond_what_was_kept(seed):
    r = seed
    with at(r, 12):
        modify(r, **shorter(r))
        back = modify(r, check_out=r.check_out)  # back to Friday-Monday: 664.14, already paid
        assert back.payment["action"] == "NONE"
        longer = modify(r, check_out=r.check_out + timedelta(days=1))  # Monday night at 207.78
        assert longer.payment == {"action": "CHARGED", "amount": "207.78", "card_brand": "visa",
                                  "last_four": "4242"}
    r.refresh_from_db()
    assert (r.grand_total, amount_paid(r)) == (D("871.92"), D("871.92"))


def test_quote_shows_what_the_change_keeps(seed, hotel_partner_client):
    r = seed
    with at(r, 12):
        body = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote",
                                   shorter(r), format="json").json()
    b = body["pricing_breakdown"]
    assert (b["new_total"], b["difference"], b["refund_due"]) == ("207.78", "-456.36", True)
    assert (b["amount_to_refund"], b["retained_amount"], b["refund_withheld"]) == ("0.00", "664.14", "456.36")


def test_api_shorten_then_cancel_answers_the_retained_penalty(seed, hotel_partner_client):
    r = seed
    with at(r, 12):
        before = hotel_partner_client.get(f"/api/v1/bookings/{r.confirmation_number}/cancellation-quote").json()
        patched = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}", shorter(r), format="json")
        after = hotel_partner_client.get(f"/api/v1/bookings/{r.confirmation_number}/cancellation-quote").json()
        cancelled = hotel_partner_client.delete(f"/api/v1/bookings/{r.confirmation_number}").json()
    assert before["financial"] == {"currency": "USD", "original_total": "664.14", "amount_paid": "664.14",
                                   "penalty_amount": "664.14", "refund_amount": "0.00",
                                   "policy_penalty_amount": "664.14", "retained_amount": "0.00",
                                   "retained_applies": False}
    assert patched.status_code == 200 and patched.json()["payment"]["action"] == "NONE"
    assert after["financial"] == {"currency": "USD", "original_total": "207.78", "amount_paid": "664.14",
                                  "penalty_amount": "664.14", "refund_amount": "0.00",
                                  "policy_penalty_amount": "207.78", "retained_amount": "664.14",
                                  "retained_applies": True}
    assert cancelled["financial"]["penalty_amount"] == "664.14"
    assert cancelled["financial"]["refund_status"] == "NOT_APPLICABLE"


def test_api_move_dates_then_cancel_is_not_free(seed, hotel_partner_client):
    r = seed
    with at(r, 12):
        quote = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote",
                                    three_weeks_later(r), format="json").json()
        hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}", three_weeks_later(r), format="json")
        body = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/cancel", {}, format="json").json()
    assert quote["pricing_breakdown"]["retained_amount"] == "664.14"
    assert body["financial"]["penalty_amount"] == "664.14" and body["financial"]["refund_amount"] == "0.00"


# --- the same floor at the night audit and at check-out -----------------------------------------------

def test_a_no_show_after_a_kept_shortening_refunds_nothing(seed):
    r = seed
    with at(r, 12):
        modify(r, **shorter(r))
    with time_machine.travel(check_in_at(r) + 24 * H, tick=False):
        run = night_audit_run(hotel=r.hotel, business_date=r.check_in, gateway=TestGateway())
    assert run.no_shows == 1
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.NO_SHOW and amount_paid(fresh) == D("664.14")
    assert FolioLine.objects.get(reservation=r, posting_key="no-show").amount == D("664.14")


def test_check_out_after_a_kept_shortening_keeps_the_retained_amount(seed):
    r = seed
    with at(r, 12):
        modify(r, **shorter(r))
    with time_machine.travel(check_in_at(r), tick=False):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1201"])
    with time_machine.travel(check_in_at(r) + 20 * H, tick=False):
        stay_check_out(confirmation_number=r.confirmation_number, gateway=TestGateway())
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CHECKED_OUT
    assert amount_paid(fresh) == D("664.14") and not Payment.objects.filter(reservation=r, kind="REFUND").exists()
    line = FolioLine.objects.get(reservation=r, posting_key="retained")
    assert line.amount == D("456.36") and folio_get(fresh).totals.balance == D("0.00")


# --- what the guest and the staff see ---------------------------------------------------------------------

def _guest_client(r):
    from django.test import Client

    client = Client()
    response = client.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"},
                           REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    return client


def test_guest_pages_shorten_then_cancel_keep_the_penalty(seed):
    r = seed
    client = _guest_client(r)
    form = {"check_in": str(r.check_in), "check_out": str(r.check_in + timedelta(days=1)), "adults": 2,
            "children": 0}
    with at(r, 12):
        quote = client.post("/manage/booking/change/", form).content.decode()
        assert "207.78" in quote and "Non-refundable" in quote and "664.14" in quote
        assert "456.36 of the lower price is not refunded" in quote
        client.post("/manage/booking/change/", {**form, "expected_total": "207.78", "confirm": "1"})
        assert Reservation.objects.get(pk=r.pk).check_out == r.check_in + timedelta(days=1)
        booking = client.get("/manage/booking/").content.decode()
        assert "664.14 USD is non-refundable" in booking
        page = client.get("/manage/booking/cancel/").content.decode()
        assert "Non-refundable since you changed your booking" in page
        assert "664.14 USD" in page and 'name="expected_penalty" value="664.14"' in page
        client.post("/manage/booking/cancel/", {"reason": "", "expected_penalty": "664.14", "confirm": "1"})
    fresh = Reservation.objects.get(pk=r.pk)
    assert fresh.status == Status.CANCELLED and amount_paid(fresh) == D("664.14")
    assert not Payment.objects.filter(reservation=r, kind="REFUND").exists()


def test_staff_pages_show_the_retained_amount(seed, admin_client):
    r = seed
    with at(r, 12):
        modify(r, **three_weeks_later(r))
        change_page = admin_client.get(f"/admin/bookings/reservation/{r.pk}/change/").content.decode()
        cancel_page = admin_client.get(f"/admin/bookings/reservation/{r.pk}/cancel/").content.decode()
    assert "Retained (non-refundable)" in change_page and "664.14 USD" in change_page
    assert "664.14 USD non-refundable since a change (policy alone: 0.00): it sets the penalty" in cancel_page
    assert 'name="expected_penalty" value="664.14"' in cancel_page
