"""What the mutation run of bookings/cancellations.py found unwatched: the quote's free-until time in the hotel's
zone, the reason a blank one becomes, the history note of a cancellation (its basis, what is left to collect),
whether rooms went back, and the wording of a penalty that changed since it was shown."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.cancellations import cancellation_quote, reservation_cancel
from bookings.models import OutboxEvent, Payment, Reservation, Status
from bookings.payments import TestGateway
from bookings.services import booking_create
from hotelbooking.errors import CancellationNotAllowed, PriceChanged
from inventory.models import InventoryHold

from .booking_setup import seed_request
from .test_cancel import TIERED
from .test_manage_support import _fresh_cache, book, check_in_at, local, sold  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
H = timedelta(hours=1)


def cancel(r, reason="Change of travel plans", **kw):
    return reservation_cancel(confirmation_number=r.confirmation_number, reason=reason, gateway=TestGateway(), **kw)


def quote_at(r, moment) -> dict:
    with time_machine.travel(moment, tick=False):
        return cancellation_quote(confirmation_number=r.confirmation_number).as_dict()


def test_the_quote_gives_free_until_on_the_hotels_clock(nyc, next_friday):
    r = book(next_friday)
    # Flexible 24-Hour: free until 15:00 New York time the day before arrival, in New York's offset (not UTC's).
    free_until = quote_at(r, check_in_at(r) - 48 * H)["free_until"]
    assert free_until.isoformat() == local(next_friday - timedelta(days=1), 15).isoformat()
    assert str(free_until.tzinfo) == "America/New_York"


def test_the_quote_of_a_booking_never_free_to_cancel_has_no_free_until(nyc, next_friday):
    r = book(next_friday)
    Reservation.objects.filter(pk=r.pk).update(free_until=None)
    assert quote_at(r, check_in_at(r) - 48 * H)["free_until"] is None


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_blank_reason_is_recorded_as_no_reason_given(nyc, next_friday, reason):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        result = cancel(r, reason=reason)
    assert result.reason == "No reason given" and result.as_dict()["reason"] == "No reason given"
    assert Reservation.objects.get(pk=r.pk).cancellation_reason == "No reason given"


def test_the_history_note_names_the_tier_and_nothing_to_collect_when_the_payment_covers_the_penalty(
        nyc, next_friday):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False):
        cancel(r)
    assert Reservation.objects.get(pk=r.pk).status_changes.last().note == (
        "Cancelled: Change of travel plans. Penalty: 664.14 USD (Within 24 hours, 100% of booking); refund 0.00 USD")


def test_a_penalty_50_cents_above_what_was_paid_is_noted_and_charged_to_the_card_on_file(nyc, next_friday):
    r = book(next_friday)
    # Paid 0.50 less than the total (as if a 0.50 goodwill refund had been made): the full penalty leaves 0.50 owed.
    Payment.objects.filter(reservation=r, kind=Payment.Kind.CHARGE).update(amount=D("663.64"))
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False):
        result = cancel(r)
    assert Reservation.objects.get(pk=r.pk).status_changes.last().note == (
        "Cancelled: Change of travel plans. Penalty: 664.14 USD (Within 24 hours, 100% of booking); refund 0.00 USD"
        "; 0.50 USD of the penalty to collect")
    assert result.penalty_charge is not None and result.penalty_charge.amount == D("0.50")
    assert result.as_dict()["financial"]["refund_amount"] == "0.00"


def test_a_one_night_cancellation_says_its_room_went_back(nyc, next_friday):
    r = book(next_friday, nights=1)
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        body = cancel(r).as_dict()
    assert (body["inventory_released"], body["room_nights_released"]) == (True, 1)
    assert sold(r.room_type, next_friday, 1) == [0]


def test_a_cancellation_holding_no_rooms_says_none_went_back(nyc, next_friday):
    r = book(next_friday)
    InventoryHold.objects.filter(holder=r.holder).delete()  # its rooms already given back
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        body = cancel(r).as_dict()
    assert (body["inventory_released"], body["room_nights_released"]) == (False, 0)


def test_a_penalty_changed_since_shown_is_refused_with_the_new_figures(nyc, next_friday):
    r = book(next_friday)
    with time_machine.travel(check_in_at(r) - 12 * H, tick=False), pytest.raises(PriceChanged) as exc:
        cancel(r, expected_penalty=D("0"))
    assert exc.value.message == "The cancellation penalty has changed since it was shown. Please review it."
    assert exc.value.details == {"expected_penalty": "0.00", "penalty": "664.14", "refund": "0.00"}


def test_the_cancelled_event_carries_what_subscribers_need(nyc, next_friday):
    r = book(next_friday)
    moment = check_in_at(r) - 12 * H
    with time_machine.travel(moment, tick=False):
        cancel(r)
    payload = OutboxEvent.objects.get(reservation=r, name="ReservationCancelled").payload
    assert payload == {
        "confirmation_number": r.confirmation_number, "hotel": "NYC", "room_type": "DELUXE-KING",
        "room_type_id": r.room_type_id, "check_in": next_friday.isoformat(),
        "check_out": (next_friday + timedelta(days=3)).isoformat(), "guest_email": "john@example.com",
        "reason": "Change of travel plans", "cancelled_at": moment.astimezone(UTC).isoformat(),
        "policy": {"name": "Flexible 24-Hour", "description": payload["policy"]["description"],
                   "tier_applied": "Within 24 hours", "penalty": "100% of booking"},
        "original_total": "664.14", "amount_paid": "664.14", "penalty": "664.14", "refund": "0.00",
        "currency": "USD", "room_nights_released": 3,
    }
    assert payload["policy"]["description"]


@pytest.mark.parametrize("status, message", [
    (Status.CHECKED_IN, "Reservation {n} is checked in. Please contact the front desk for early departure."),
    (Status.CANCELLED, "Reservation {n} is already cancelled."),
    (Status.CHECKED_OUT, "Reservation {n} is checked out and cannot be cancelled."),
    (Status.NO_SHOW, "Reservation {n} is no-show and cannot be cancelled."),
])
def test_a_reservation_that_cannot_be_cancelled_says_why_by_its_number(nyc, next_friday, status, message):
    r = book(next_friday)
    Reservation.objects.filter(pk=r.pk).update(status=status)
    for attempt in (lambda: cancellation_quote(confirmation_number=r.confirmation_number), lambda: cancel(r)):
        with pytest.raises(CancellationNotAllowed) as exc:
            attempt()
        assert exc.value.message == message.format(n=r.confirmation_number)
        assert exc.value.details == {"state": status}


def test_the_first_night_penalty_of_a_promoted_booking_is_that_nights_promoted_price(nyc, next_friday):
    r = booking_create(request=seed_request(next_friday, promo_code="WINTER10"), gateway=TestGateway())
    Reservation.objects.filter(pk=r.pk).update(cancellation_policy=TIERED)
    moment = check_in_at(r) - 36 * H
    terms = quote_at(r, moment)
    # Friday: 170.10 (AAA) less 17.01 (Winter escape) = 153.09, and its share of the 117.84 of taxes and fees
    # (117.84 x 153.09 / 491.67 = 36.69).
    assert (terms["financial"]["penalty_amount"], terms["financial"]["refund_amount"]) == ("189.78", "419.73")
    assert terms["as_of"] == moment
