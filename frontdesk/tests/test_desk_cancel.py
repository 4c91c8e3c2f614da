"""Cancel and no-show from the desk: the policy's figures shown before confirming, a manager's waiver."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.cancellations import reservation_cancel
from bookings.models import Payment, Status
from bookings.payments import TestGateway
from frontdesk.models import FolioLine
from hotelbooking.errors import WaiverNotPermitted

from .conftest import at

pytestmark = pytest.mark.django_db
D = Decimal
TIERED = {"name": "Tiered", "description": "25% from 72 hours, everything from 24",
          "tiers": [{"hours_before": 24, "penalty_percent": "100", "penalty_nights": None},
                    {"hours_before": 72, "penalty_percent": "25", "penalty_nights": None}],
          "no_show_penalty_percent": None, "no_show_penalty_nights": 1}


def hours_before(stay, hours):
    from bookings.tests.test_manage_support import check_in_at
    return time_machine.travel(check_in_at(stay) - timedelta(hours=hours), tick=False)


@pytest.fixture
def tiered_stay(seed_stay):
    seed_stay.cancellation_policy = TIERED
    seed_stay.save(update_fields=["cancellation_policy"])
    return seed_stay


def refunds(stay):
    return list(Payment.objects.filter(reservation=stay, kind="REFUND").values_list("amount", flat=True))


def test_the_cancel_page_shows_the_penalty_to_the_cent_then_cancels_with_the_refund(clerk_client, tiered_stay):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/cancel/"
    with hours_before(tiered_stay, 60):
        page = clerk_client.get(url).content.decode()
        assert 'id="paid">664.14 USD' in page
        assert 'id="penalty">166.04 USD' in page  # 25% of 664.14
        assert 'id="refund">498.10 USD' in page
        assert "Waive the penalty" not in page  # a clerk is not offered the waiver
        response = clerk_client.post(url, {"reason": "Guest called: flight moved", "expected_penalty": "166.04"},
                                     follow=True)
    assert response.redirect_chain[-1] == (f"/admin/frontdesk/stay/{tiered_stay.pk}/folio/", 302)
    assert "is cancelled: penalty 166.04 USD, refund 498.10 USD" in response.content.decode()
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CANCELLED and tiered_stay.cancellation_penalty == D("166.04")
    assert refunds(tiered_stay) == [D("498.10")]
    change = tiered_stay.status_changes.get(to_status=tiered_stay.status)
    assert change.changed_by.username == "maria" and "Guest called: flight moved" in change.note


def test_a_penalty_that_changed_since_it_was_shown_is_not_taken(clerk_client, tiered_stay):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/cancel/"
    with hours_before(tiered_stay, 12):  # the page was read at 60 hours; now everything is kept
        page = clerk_client.post(url, {"reason": "Plans changed", "expected_penalty": "166.04"}).content.decode()
    assert "The cancellation penalty has changed since it was shown" in page and 'id="penalty">664.14 USD' in page
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED


def test_a_managers_waiver_cancels_with_no_penalty_and_a_full_refund(manager_client, tiered_stay):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/cancel/"
    with hours_before(tiered_stay, 12):
        page = manager_client.get(url).content.decode()
        assert 'id="penalty">664.14 USD' in page and 'id="refund">0.00 USD' in page and "Waive the penalty" in page
        response = manager_client.post(url, {"reason": "Airline strike", "expected_penalty": "664.14",
                                             "waive": "on", "waive_reason": "Strike: goodwill"}, follow=True)
    assert "is cancelled (penalty waived): penalty 0.00 USD, refund 664.14 USD" in response.content.decode()
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CANCELLED and tiered_stay.cancellation_penalty == D("0.00")
    assert refunds(tiered_stay) == [D("664.14")]
    assert not FolioLine.objects.filter(reservation=tiered_stay, kind="PENALTY").exists()
    note = tiered_stay.status_changes.get(to_status=tiered_stay.status).note
    assert "Penalty of 664.14 USD waived by olivia: Strike: goodwill" in note
    folio = manager_client.get(f"/admin/frontdesk/stay/{tiered_stay.pk}/folio/").content.decode()
    assert "waived by olivia: Strike: goodwill" in folio  # the history on the stay's page


def test_a_waiver_needs_a_reason(manager_client, tiered_stay):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/cancel/"
    with hours_before(tiered_stay, 12):
        page = manager_client.post(url, {"reason": "Airline strike", "expected_penalty": "664.14",
                                         "waive": "on", "waive_reason": " "}).content.decode()
    assert "Give the reason for waiving the penalty." in page
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED


def test_a_clerks_forged_waiver_is_refused_and_nothing_is_cancelled(clerk_client, tiered_stay):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/cancel/"
    with hours_before(tiered_stay, 12):
        page = clerk_client.post(url, {"reason": "Plans changed", "expected_penalty": "664.14",
                                       "waive": "on", "waive_reason": "I said so"}).content.decode()
    assert "Only a front office manager may waive a penalty." in page
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED and refunds(tiered_stay) == []


def test_the_service_refuses_a_waiver_from_an_actor_without_the_permission(clerk, tiered_stay):
    with hours_before(tiered_stay, 12), pytest.raises(WaiverNotPermitted):
        reservation_cancel(confirmation_number=tiered_stay.confirmation_number, reason="x", gateway=TestGateway(),
                           actor=clerk, waive_reason="goodwill")
    with hours_before(tiered_stay, 12), pytest.raises(WaiverNotPermitted):
        reservation_cancel(confirmation_number=tiered_stay.confirmation_number, reason="x", gateway=TestGateway(),
                           waive_reason="goodwill")  # no actor at all (a task, an API key): no waiver
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED


def test_a_no_show_from_the_desk_keeps_the_first_night(clerk_client, tiered_stay, next_friday):
    url = f"/admin/frontdesk/stay/{tiered_stay.pk}/no-show/"
    with at(next_friday, 23):
        page = clerk_client.get(url).content.decode()
        assert 'id="penalty">207.78 USD' in page and 'id="paid">664.14 USD' in page
        assert 'id="refund">456.36 USD' in page
        response = clerk_client.post(url, {}, follow=True)
    assert "is marked a no-show." in response.content.decode()
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.NO_SHOW
    penalty = FolioLine.objects.get(reservation=tiered_stay, kind="PENALTY")
    assert penalty.amount == D("207.78")
    assert refunds(tiered_stay) == [D("456.36")]
    assert tiered_stay.status_changes.get(to_status=tiered_stay.status).changed_by.username == "maria"


def test_a_no_show_is_not_offered_before_the_arrival_day(clerk_client, tiered_stay, next_friday):
    with at(next_friday - timedelta(days=1), 12):
        response = clerk_client.post(f"/admin/frontdesk/stay/{tiered_stay.pk}/no-show/", {}, follow=True)
    assert "can be marked a no-show only once its arrival day has come" in response.content.decode()
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED


def test_a_managers_no_show_waiver_refunds_everything(manager_client, tiered_stay, next_friday):
    with at(next_friday, 23):
        manager_client.post(f"/admin/frontdesk/stay/{tiered_stay.pk}/no-show/",
                            {"waive": "on", "waive_reason": "Hospitalised, letter on file"})
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.NO_SHOW
    assert not FolioLine.objects.filter(reservation=tiered_stay, kind="PENALTY").exists()
    assert refunds(tiered_stay) == [D("664.14")]
    assert "Penalty of 207.78 USD waived by olivia: Hospitalised, letter on file" in \
        tiered_stay.status_changes.get(to_status=tiered_stay.status).note


def test_a_clerks_forged_no_show_waiver_is_refused(clerk_client, tiered_stay, next_friday):
    with at(next_friday, 23):
        page = clerk_client.post(f"/admin/frontdesk/stay/{tiered_stay.pk}/no-show/",
                                 {"waive": "on", "waive_reason": "x"}).content.decode()
    assert "Only a front office manager may waive a penalty." in page
    tiered_stay.refresh_from_db()
    assert tiered_stay.status == Status.CONFIRMED
