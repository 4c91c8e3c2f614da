"""The incidentals hold: 200.00 USD authorised on the card at check-in, captured against the incidentals at
check-out (up to the hold, the rest released) or released; a refused hold leaves the check-in standing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.events import event_deliver
from bookings.models import OutboxEvent, Payment, PaymentAttempt, Status
from bookings.payments import TestGateway
from bookings.payments.attempts import attempt_open, attempt_send, attempts_settle_due
from bookings.tests.faulty_gateway import FaultyGateway
from frontdesk import incidentals
from frontdesk.incidentals import incidentals_hold
from frontdesk.selectors import folio_get
from frontdesk.services import charge_post, charge_reverse, night_audits_run_due, stay_check_in, stay_check_out
from frontdesk.services import check_out as check_out_service

from .conftest import at

pytestmark = pytest.mark.django_db
HOLD = Decimal("200.00")


@pytest.fixture
def faulty(monkeypatch):
    gateway = FaultyGateway()
    monkeypatch.setattr(incidentals, "default_gateway", lambda: gateway)
    return gateway


@pytest.fixture
def hold_hotel(nyc):
    nyc.incidentals_hold = HOLD
    nyc.save(update_fields=["incidentals_hold"])
    return nyc


def _check_in(stay, day, commit):
    with at(day), commit(execute=True):
        stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=["1204"])


def _check_out(stay, day, gateway, **kw):
    with at(day + timedelta(days=3), 10, 30):
        return stay_check_out(confirmation_number=stay.confirmation_number, gateway=gateway, **kw)


def _spend(stay, day, *charges):
    with at(day):
        return [charge_post(confirmation_number=stay.confirmation_number, kind=kind, amount=amount, currency="USD")
                for kind, amount in charges]


def _payments(stay):
    return [(p.purpose, p.kind, p.amount) for p in folio_get(stay).payments]


def _hold_steps(stay):
    return [(a.operation, a.state, a.amount) for a in PaymentAttempt.objects.filter(reservation=stay,
                                                                                  step="INCIDENTALS").order_by("pk")]


def _provider(attempt: PaymentAttempt) -> dict:
    return TestGateway._payments[attempt.reference]


def test_check_in_holds_the_amount_on_the_card_on_file_and_moves_no_money(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)

    hold = PaymentAttempt.objects.get(reservation=seed_stay, step="INCIDENTALS")
    assert (hold.operation, hold.state, hold.amount, hold.currency) == ("AUTHORISE", "SUCCEEDED", HOLD, "USD")
    assert [op for op, _ in faulty.calls] == ["authorise"]
    assert _provider(hold)["status"] == "requires_capture" and _provider(hold)["amount"] == HOLD
    shown = incidentals_hold(seed_stay)
    assert (shown.state, shown.amount) == ("HELD", HOLD)
    assert shown.label == "Incidentals hold of 200.00 USD on visa ending 4242"
    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14"))]  # a hold is not a payment


def test_check_out_captures_the_incidentals_and_releases_the_rest(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"), ("SPA", "80.00"))

    result = _check_out(seed_stay, next_friday, faulty)

    assert result.reservation.status == Status.CHECKED_OUT
    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14")), ("INCIDENTALS", "CHARGE",
                                                                               Decimal("92.50"))]
    assert result.folio.totals.balance == 0 and result.folio.totals.paid == Decimal("756.64")
    assert _hold_steps(seed_stay) == [("AUTHORISE", "SUCCEEDED", HOLD), ("CAPTURE", "SUCCEEDED", Decimal("92.50"))]
    auth = PaymentAttempt.objects.get(reservation=seed_stay, operation="AUTHORISE")
    assert _provider(auth)["status"] == "succeeded" and _provider(auth)["amount"] == Decimal("92.50")
    assert "charge_saved" not in [op for op, _ in faulty.calls]  # nothing left for the card on file
    assert faulty.total_moved == Decimal("92.50")
    assert incidentals_hold(seed_stay).label == ("Incidentals hold of 200.00 USD on visa ending 4242: 92.50 USD "
                                                 "captured for the incidentals, the rest released")


def test_incidentals_beyond_the_hold_go_to_the_card_on_file(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    _spend(seed_stay, next_friday, ("SPA", "180.00"), ("RESTAURANT", "70.25"))

    result = _check_out(seed_stay, next_friday, faulty)

    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14")), ("INCIDENTALS", "CHARGE", HOLD),
                                    ("CHECK_OUT", "CHARGE", Decimal("50.25"))]
    assert result.folio.totals.balance == 0


def test_no_incidentals_releases_the_whole_hold(hold_hotel, seed_stay, next_friday, faulty,
                                                django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    [spa] = _spend(seed_stay, next_friday, ("SPA", "80.00"))
    with at(next_friday):
        charge_reverse(confirmation_number=seed_stay.confirmation_number, line_id=spa.pk, reason="Not taken")

    _check_out(seed_stay, next_friday, faulty)

    assert _hold_steps(seed_stay) == [("AUTHORISE", "SUCCEEDED", HOLD), ("RELEASE", "SUCCEEDED", None)]
    auth = PaymentAttempt.objects.get(reservation=seed_stay, operation="AUTHORISE")
    assert _provider(auth)["status"] == "canceled"
    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14"))] and faulty.total_moved == 0
    assert incidentals_hold(seed_stay).label == "Incidentals hold of 200.00 USD on visa ending 4242: released"


def test_a_refused_hold_leaves_the_check_in_standing_and_says_why(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    faulty.fail_next("authorise", "decline")
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)

    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_IN
    assert incidentals_hold(seed_stay).label == "No incidentals hold: Refused by the provider"
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"))
    _check_out(seed_stay, next_friday, faulty)
    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14")), ("CHECK_OUT", "CHARGE",
                                                                               Decimal("12.50"))]
    assert [op for op, _ in faulty.calls] == ["authorise", "charge_saved"]  # nothing to capture or release


def test_without_a_card_on_file_there_is_no_hold_and_no_call(hold_hotel, seed_stay, next_friday, faulty,
                                                            django_capture_on_commit_callbacks):
    Payment.objects.filter(reservation=seed_stay).update(card_token="")
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    assert incidentals_hold(seed_stay).label == "No incidentals hold: there is no card on file"
    assert faulty.calls == []


def test_a_hotel_without_a_hold_asks_for_nothing(nyc, seed_stay, next_friday, faulty,
                                                 django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"))
    _check_out(seed_stay, next_friday, faulty)
    assert incidentals_hold(seed_stay) is None and _hold_steps(seed_stay) == []
    assert [op for op, _ in faulty.calls] == ["charge_saved"]


def test_a_check_out_that_fails_after_the_capture_captures_once(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    from hotelbooking.errors import OutstandingBalance

    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    _spend(seed_stay, next_friday, ("SPA", "250.00"))
    Payment.objects.filter(reservation=seed_stay).update(card_token="tok_decline_card_on_file")
    with pytest.raises(OutstandingBalance) as refused:
        _check_out(seed_stay, next_friday, faulty)
    assert refused.value.details["balance"] == "50.00"  # the hold took 200.00 of the 250.00
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_IN

    _check_out(seed_stay, next_friday, faulty, paid_at_desk=True)
    assert _payments(seed_stay) == [("BOOKING", "CHARGE", Decimal("664.14")), ("INCIDENTALS", "CHARGE", HOLD),
                                    ("CHECK_OUT_AT_DESK", "CHARGE", Decimal("50.00"))]
    assert [op for op, _ in faulty.calls].count("capture") == 1


def test_a_hold_whose_answer_was_lost_is_tried_again_at_check_out(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    faulty.fail_next("authorise", "timeout_after")
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    assert incidentals_hold(seed_stay).label == ("Incidentals hold of 200.00 USD on visa ending 4242: being "
                                                 "confirmed with the card's bank")
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"))

    _check_out(seed_stay, next_friday, faulty)

    assert _payments(seed_stay)[1:] == [("INCIDENTALS", "CHARGE", Decimal("12.50"))]
    auth = PaymentAttempt.objects.get(reservation=seed_stay, operation="AUTHORISE")
    assert [key for op, key in faulty.calls if op == "authorise"] == [auth.idempotency_key] * 2  # the same key


def test_a_hold_confirmed_only_after_the_check_out_is_released(
        hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    faulty.fail_next("authorise", "timeout_after", "timeout_before")
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"))
    _check_out(seed_stay, next_friday, faulty)  # the hold's answer is still lost: the card on file pays it all
    assert _payments(seed_stay)[1:] == [("CHECK_OUT", "CHARGE", Decimal("12.50"))]

    with at(next_friday + timedelta(days=3), 11, 30), django_capture_on_commit_callbacks(execute=True):
        attempts_settle_due(gateway=faulty)  # the settle task, an hour later

    assert _hold_steps(seed_stay) == [("AUTHORISE", "SUCCEEDED", HOLD), ("RELEASE", "SUCCEEDED", None)]
    auth = PaymentAttempt.objects.get(reservation=seed_stay, operation="AUTHORISE")
    assert _provider(auth)["status"] == "canceled"
    assert faulty.total_moved == Decimal("12.50")


def test_a_check_out_that_skipped_the_hold_releases_it_by_its_event(
        hold_hotel, seed_stay, next_friday, faulty, monkeypatch, django_capture_on_commit_callbacks):
    _check_in(seed_stay, next_friday, django_capture_on_commit_callbacks)
    monkeypatch.setattr(check_out_service, "incidentals_settle", lambda **kw: Decimal(0))
    with django_capture_on_commit_callbacks(execute=True):
        _check_out(seed_stay, next_friday, faulty)
    assert _hold_steps(seed_stay)[-1] == ("RELEASE", "SUCCEEDED", None)


def _held_before_arrival(stay, gateway) -> PaymentAttempt:
    """A hold taken on a booking that has not arrived (none is today; the release must not depend on it)."""
    on_file = Payment.objects.get(reservation=stay)
    auth = attempt_open(reservation=stay, step="INCIDENTALS", operation="AUTHORISE", gateway=gateway,
                        amount=HOLD, currency="USD", payment_method=on_file.card_token)
    assert attempt_send(auth, gateway).state == "SUCCEEDED"
    return auth


def test_a_cancellation_releases_a_hold(hold_hotel, seed_stay, faulty, django_capture_on_commit_callbacks):
    from bookings.cancellations import reservation_cancel

    auth = _held_before_arrival(seed_stay, faulty)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(confirmation_number=seed_stay.confirmation_number, reason="Plans changed",
                           gateway=TestGateway())
    assert _hold_steps(seed_stay)[-1] == ("RELEASE", "SUCCEEDED", None)
    assert _provider(PaymentAttempt.objects.get(pk=auth.pk))["status"] == "canceled"


def test_a_no_show_releases_a_hold(hold_hotel, seed_stay, next_friday, faulty, django_capture_on_commit_callbacks):
    auth = _held_before_arrival(seed_stay, faulty)

    with at(next_friday + timedelta(days=1), 4), django_capture_on_commit_callbacks(execute=True):
        night_audits_run_due(gateway=TestGateway())

    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW
    assert _hold_steps(seed_stay) == [("AUTHORISE", "SUCCEEDED", HOLD), ("RELEASE", "SUCCEEDED", None)]
    assert _provider(PaymentAttempt.objects.get(pk=auth.pk))["status"] == "canceled"
    event = OutboxEvent.objects.get(name="ReservationNoShow")
    with django_capture_on_commit_callbacks(execute=True):
        assert event_deliver(event.pk) is True  # delivered again: nothing more
    assert PaymentAttempt.objects.filter(reservation=seed_stay, operation="RELEASE").count() == 1


@pytest.mark.django_db(transaction=True)  # the hold is asked for when the check-in commits, within the request
def test_the_console_shows_the_hold(hold_hotel, seed_stay, next_friday, faulty, admin_client):
    url = f"/admin/frontdesk/stay/{seed_stay.pk}"
    with at(next_friday, 15):
        checked_in = admin_client.post(f"{url}/check-in/", {"rooms": ["1204"], "key_cards_per_room": 2}, follow=True)
    assert "Incidentals hold of 200.00 USD on visa ending 4242." in checked_in.content.decode()
    assert [op for op, _ in faulty.calls] == ["authorise"] and faulty.inside_transaction == []
    _spend(seed_stay, next_friday, ("MINIBAR", "12.50"))
    with at(next_friday + timedelta(days=3), 10):
        folio = admin_client.get(f"{url}/folio/").content.decode()
        preview = admin_client.get(f"{url}/check-out/").content.decode()
        bill = admin_client.post(f"{url}/check-out/").content.decode()
    assert "Incidentals hold of 200.00 USD on visa ending 4242." in folio
    assert "12.50 of it is captured from the incidentals hold, the rest charged to the card on file" in preview
    assert "12.50 USD captured for the incidentals, the rest released." in bill


@pytest.mark.django_db(transaction=True)
def test_the_console_says_why_there_is_no_hold(hold_hotel, seed_stay, next_friday, faulty, admin_client):
    faulty.fail_next("authorise", "decline")
    with at(next_friday, 15):
        page = admin_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/",
                                 {"rooms": ["1204"], "key_cards_per_room": 2}, follow=True).content.decode()
    assert "is checked in to room 1204" in page and "No incidentals hold: Refused by the provider." in page


def test_the_hold_amount_is_set_in_the_hotel_admin(nyc, admin_client):
    from django.core.exceptions import ValidationError

    page = admin_client.get(f"/admin/inventory/hotel/{nyc.pk}/change/")
    assert 'name="incidentals_hold"' in page.content.decode() and nyc.incidentals_hold == 0  # off by default
    nyc.incidentals_hold = Decimal("150.005")
    with pytest.raises(ValidationError) as bad:
        nyc.full_clean()
    assert list(bad.value.message_dict) == ["incidentals_hold"]
    nyc.incidentals_hold = Decimal("150.00")
    nyc.full_clean()


def test_the_console_flags_a_disputed_booking(seed_stay, admin_client):
    from bookings.models import Reservation
    from frontdesk.models import Stay

    disputed = Reservation.objects.filter(pk=seed_stay.pk)
    disputed.update(disputed_at="2026-12-10T15:00:00Z", dispute_reason="fraudulent")
    folio = admin_client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/folio/").content.decode()
    assert "Disputed: the guest's bank opened a dispute on a card payment of this booking on Dec 10, 2026 " \
           "(fraudulent)." in folio
    listed = admin_client.get("/admin/frontdesk/stay/?disputed=yes")
    assert list(listed.context["cl"].result_list) == [Stay.objects.get(pk=seed_stay.pk)]
    disputed.update(disputed_at=None)
    assert list(admin_client.get("/admin/frontdesk/stay/?disputed=yes").context["cl"].result_list) == []
