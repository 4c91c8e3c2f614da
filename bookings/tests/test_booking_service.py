"""booking_create and the reservation lifecycle, through the service layer."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import OperationalError, transaction
from django.utils import timezone

from bookings import services
from bookings.models import (
    ConfirmationSequence,
    Guest,
    OutboxEvent,
    Payment,
    Reservation,
    ReservationNight,
    Status,
    StatusChange,
)
from bookings.payments import Card
from bookings.services import (
    GuestDetails,
    booking_create,
    reservation_get,
    reservation_save,
    reservations_expire_pending,
    transition,
)
from hotelbooking.errors import (
    BookingNotCompleted,
    ConcurrentModification,
    InvalidDates,
    InvalidParty,
    InvalidStateTransition,
    PaymentFailed,
    PriceChanged,
    RestrictionViolated,
    SoldOut,
    UnknownPromoCode,
    UnknownRatePlan,
    UnknownRoomType,
    ValidationFailed,
)
from inventory.models import InventoryDay, InventoryHold, RoomType
from inventory.services import inventory_reserve
from pricing.models import RatePlan
from tests.factories import ReservationFactory

from .booking_setup import DECLINED_CARD, NO_FUNDS_CARD, seed_request


def _sold(nyc, friday, code="DELUXE-KING", nights=3):
    return list(InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code=code, date__gte=friday,
                                            date__lt=friday + timedelta(days=nights))
                .order_by("date").values_list("sold", flat=True))


@pytest.mark.django_db
def test_the_seed_stay_is_booked_priced_held_and_paid(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday), gateway=gateway)

    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CONFIRMED and r.confirmed_at is not None and r.hold_expires_at is None
    assert (r.subtotal, r.rate_plan_discount, r.room_total) == (Decimal("607.00"), Decimal("-60.70"),
                                                               Decimal("546.30"))
    assert (r.taxes, r.fees, r.grand_total) == (Decimal("72.84"), Decimal("45.00"), Decimal("664.14"))
    assert [(n.date, n.rate, n.rate_plan_discount) for n in r.nights.all()] == [
        (next_friday, Decimal("189.00"), Decimal("18.90")),
        (next_friday + timedelta(days=1), Decimal("219.00"), Decimal("21.90")),
        (next_friday + timedelta(days=2), Decimal("199.00"), Decimal("19.90")),
    ]
    assert r.cancellation_policy["name"] == "Flexible 24-Hour"
    local = timezone.localtime(r.free_until, nyc.tz)
    assert (local.date(), local.hour) == (next_friday - timedelta(days=1), 15)  # 24 h before 3 PM check-in
    assert _sold(nyc, next_friday) == [1, 1, 1]
    assert sorted(InventoryHold.objects.filter(holder=r.holder).values_list("date", flat=True)) == [
        next_friday + timedelta(days=i) for i in range(3)]
    payment = Payment.objects.get(reservation=r)
    assert (payment.amount, payment.last_four, payment.card_brand, payment.result) == (
        Decimal("664.14"), "4242", "visa", "SUCCEEDED")
    assert payment.card_token.startswith("tok_") and payment.gateway_reference.startswith("ch_")
    assert [(s.from_status, s.to_status) for s in r.status_changes.all()] == [("", "PENDING"),
                                                                                ("PENDING", "CONFIRMED")]
    event = OutboxEvent.objects.get(reservation=r, name="ReservationConfirmed")
    assert event.payload["grand_total"] == "664.14"
    paid = OutboxEvent.objects.get(reservation=r, name="PaymentSucceeded")
    assert (paid.payload["payment_id"], paid.payload["amount"], paid.payload["kind"]) == (
        payment.pk, "664.14", "CHARGE")
    assert set(r.events.values_list("name", flat=True)) == {"ReservationConfirmed", "PaymentSucceeded"}


@pytest.mark.django_db
@pytest.mark.parametrize("card, decline_code, message", [
    (DECLINED_CARD, "card_declined", "The card was declined. Please use another card."),
    (NO_FUNDS_CARD, "insufficient_funds", "The card was declined for insufficient funds."),
    ("4242424242424241", "invalid_number", "The card number is not valid. Please check it and try again."),
])
def test_a_failed_payment_books_nothing_and_holds_no_room(nyc, next_friday, gateway, card, decline_code, message):
    with pytest.raises(PaymentFailed) as caught:
        booking_create(request=seed_request(next_friday, card=card), gateway=gateway)

    error = caught.value.as_dict()
    assert error == {"code": "PAYMENT_FAILED", "message": message, "retryable": True,
                     "retry_action": "UPDATE_PAYMENT", "decline_code": decline_code}
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0
    assert OutboxEvent.objects.count() == 0 and InventoryHold.objects.count() == 0
    assert _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_an_expired_card_is_declined(nyc, next_friday, gateway):
    request = seed_request(next_friday, card=Card("4242424242424242", 1, 2020, "123"))
    with pytest.raises(PaymentFailed, match="expired"):
        booking_create(request=request, gateway=gateway)
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_changed_price_books_nothing_and_names_the_new_total(nyc, next_friday, gateway):
    with pytest.raises(PriceChanged) as caught:
        booking_create(request=seed_request(next_friday, expected_total=Decimal("600.00")), gateway=gateway)

    error = caught.value.as_dict()
    assert error["code"] == "PRICE_CHANGED" and error["retryable"] is True
    assert error["new_total"] == "664.14" and error["expected_total"] == "600.00"
    assert error["quote"]["total"] == "664.14"
    assert [n["rate"] for n in error["quote"]["nightly_rates"]] == ["189.00", "219.00", "199.00"]
    assert Reservation.objects.count() == 0 and _sold(nyc, next_friday) == [0, 0, 0]


@pytest.mark.django_db
def test_the_expected_total_when_right_books(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday, expected_total=Decimal("664.14")), gateway=gateway)
    assert r.status == Status.CONFIRMED


@pytest.mark.django_db
def test_sold_out_names_the_short_night_and_takes_nothing(nyc, next_friday, gateway):
    saturday = next_friday + timedelta(days=1)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=saturday)
    InventoryDay.objects.filter(pk=day.pk).update(sold=day.total)

    with pytest.raises(SoldOut) as caught:
        booking_create(request=seed_request(next_friday), gateway=gateway)

    assert caught.value.details["date"] == saturday.isoformat()
    assert f"{saturday:%B} {saturday.day}, {saturday.year}" in caught.value.message
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0
    assert _sold(nyc, next_friday) == [0, 5, 0]


@pytest.mark.django_db
def test_several_rooms_take_several_rooms_each_night(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday, adults=4, room_count=2), gateway=gateway)
    assert r.room_count == 2 and r.grand_total == Decimal("1328.28")
    assert _sold(nyc, next_friday) == [2, 2, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("overrides, error", [
    ({"check_out": "tomorrow"}, InvalidDates),
    ({"check_in": "2001-01-01", "check_out": "2001-01-04"}, InvalidDates),
    ({"adults": 0}, InvalidParty),
    ({"adults": "two"}, InvalidParty),
    ({"adults": 4}, InvalidParty),                     # Deluxe King takes 3
    ({"room_count": 10}, InvalidParty),
    ({"room_count": "x"}, InvalidParty),
    ({"children": 1, "child_ages": [4, 6]}, InvalidParty),
    ({"children": 1, "child_ages": [19]}, InvalidParty),
    ({"room_type_code": "PENTHOUSE"}, UnknownRoomType),
    ({"rate_plan_code": "NOPE"}, UnknownRatePlan),
    ({"promo_code": "FREE100"}, UnknownPromoCode),
    ({"guest": GuestDetails("", "Smith", "j@example.com")}, ValidationFailed),
    ({"guest": GuestDetails("John", "Smith", "not-an-email")}, ValidationFailed),
    ({"guest": GuestDetails("J" * 101, "Smith", "j@example.com")}, ValidationFailed),
])
def test_invalid_requests_are_refused_with_their_code(nyc, next_friday, gateway, overrides, error):
    with pytest.raises(error):
        booking_create(request=seed_request(next_friday, **overrides), gateway=gateway)
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_closed_arrival_is_a_restriction_not_a_sale(nyc, next_friday, gateway):
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=next_friday).update(closed_to_arrival=True)
    with pytest.raises(RestrictionViolated):
        booking_create(request=seed_request(next_friday), gateway=gateway)
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_a_returning_guest_is_the_same_guest_whatever_the_case_of_the_email(nyc, next_friday, gateway):
    first = booking_create(request=seed_request(next_friday, email="John.Smith@Example.com"), gateway=gateway)
    second = booking_create(request=seed_request(next_friday + timedelta(days=7), email="john.smith@EXAMPLE.COM",
                                                 guest=GuestDetails("John", "Smith", "john.smith@EXAMPLE.COM",
                                                                    loyalty_number="GH123")),
                            gateway=gateway)
    assert Guest.objects.count() == 1 and first.guest_id == second.guest_id
    # The number typed with the second booking stays on it; the profile changes only through staff.
    assert (Guest.objects.get().loyalty_number, second.guest_loyalty_number) == ("", "GH123")


@pytest.mark.django_db
def test_confirmation_numbers_are_sequential_per_hotel_and_arrival_date(nyc, next_friday, gateway):
    numbers = [booking_create(request=seed_request(next_friday, email=f"g{i}@example.com"),
                              gateway=gateway).confirmation_number for i in range(3)]
    later = booking_create(request=seed_request(next_friday + timedelta(days=7)), gateway=gateway)
    prefix = f"GH-NYC-{next_friday:%Y%m%d}"
    assert numbers == [f"{prefix}00001", f"{prefix}00002", f"{prefix}00003"]
    assert later.confirmation_number == f"GH-NYC-{next_friday + timedelta(days=7):%Y%m%d}00001"


@pytest.mark.django_db
def test_a_failed_attempt_uses_up_no_number(nyc, next_friday, gateway):
    first = booking_create(request=seed_request(next_friday), gateway=gateway)
    with pytest.raises(PaymentFailed):
        booking_create(request=seed_request(next_friday, card=DECLINED_CARD), gateway=gateway)
    second = booking_create(request=seed_request(next_friday), gateway=gateway)
    prefix = f"GH-NYC-{next_friday:%Y%m%d}"
    assert (first.confirmation_number, second.confirmation_number) == (f"{prefix}00001", f"{prefix}00002")
    assert ConfirmationSequence.objects.get(hotel=nyc, date=next_friday).last == 2
    assert not Reservation.objects.filter(confirmation_number__startswith="TMP-").exists()


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_is_retried_inside_the_service(nyc, next_friday, gateway, monkeypatch):
    class Deadlock(Exception):
        sqlstate = "40P01"

    calls = []

    def flaky_reserve(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from Deadlock()
        return inventory_reserve(**kwargs)

    monkeypatch.setattr(services.create, "inventory_reserve", flaky_reserve)
    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    assert len(calls) == 2 and Reservation.objects.get().pk == r.pk
    assert _sold(nyc, next_friday) == [1, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_charge_refunds_it(nyc, next_friday, gateway, monkeypatch):
    refunds = []
    monkeypatch.setattr(gateway, "refund", lambda **kw: refunds.append(kw) or type(gateway).refund(gateway, **kw))

    record = services.settle.events.event_record

    def broken_record(name, **kwargs):  # confirming fails after the charge went through
        if name == services.settle.events.RESERVATION_CONFIRMED:
            raise RuntimeError("outbox unavailable")
        return record(name, **kwargs)

    monkeypatch.setattr(services.settle.events, "event_record", broken_record)
    with pytest.raises(BookingNotCompleted):
        booking_create(request=seed_request(next_friday), gateway=gateway)
    assert len(refunds) == 1 and refunds[0]["amount"] == Decimal("664.14")
    # Nothing is confirmed and no room is held; the charge and its refund stay on record, side by side.
    left = Reservation.objects.get()
    assert left.status == Status.EXPIRED and _sold(nyc, next_friday) == [0, 0, 0]
    assert sorted((p.kind, p.amount) for p in left.payments.all()) == [
        ("CHARGE", Decimal("664.14")), ("REFUND", Decimal("664.14"))]


# --- the lifecycle ---------------------------------------------------------------------------------------

ILLEGAL = {
    # from state: transitions that must be refused
    Status.PENDING: ["check_in_guest", "check_out_guest", "mark_no_show"],
    Status.CONFIRMED: ["confirm", "expire", "check_out_guest"],
    Status.CHECKED_IN: ["confirm", "expire", "cancel", "check_in_guest", "mark_no_show"],
    Status.CHECKED_OUT: ["confirm", "expire", "cancel", "check_in_guest", "check_out_guest", "mark_no_show"],
    Status.CANCELLED: ["confirm", "expire", "cancel", "check_in_guest", "check_out_guest", "mark_no_show"],
    Status.NO_SHOW: ["confirm", "expire", "cancel", "check_in_guest", "check_out_guest", "mark_no_show"],
    Status.EXPIRED: ["confirm", "expire", "cancel", "check_in_guest", "check_out_guest", "mark_no_show"],
}
PATH_TO = {
    Status.PENDING: [], Status.CONFIRMED: ["confirm"], Status.CHECKED_IN: ["confirm", "check_in_guest"],
    Status.CHECKED_OUT: ["confirm", "check_in_guest", "check_out_guest"], Status.CANCELLED: ["cancel"],
    Status.NO_SHOW: ["confirm", "mark_no_show"], Status.EXPIRED: ["expire"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("state, name", [(s, n) for s, names in ILLEGAL.items() for n in names])
def test_every_illegal_transition_is_refused_with_a_clear_code(state, name):
    r = ReservationFactory()
    for step in PATH_TO[state]:
        transition(r, step)
    reservation_save(r)
    r = Reservation.objects.get(pk=r.pk)
    history = r.status_changes.count()

    with pytest.raises(InvalidStateTransition) as caught:
        transition(r, name)

    assert caught.value.code == "INVALID_STATE_TRANSITION" and caught.value.http_status == 409
    assert r.confirmation_number in caught.value.message or "front desk" in caught.value.message
    assert Reservation.objects.get(pk=r.pk).status == state and r.status_changes.count() == history


@pytest.mark.django_db
def test_cancelling_a_checked_in_stay_points_to_the_front_desk():
    r = ReservationFactory()
    transition(r, "confirm")
    transition(r, "check_in_guest")
    with pytest.raises(InvalidStateTransition, match="contact the front desk"):
        transition(r, "cancel")


@pytest.mark.django_db
def test_status_cannot_be_assigned_directly():
    r = ReservationFactory()
    with pytest.raises(AttributeError):
        r.status = Status.CONFIRMED


@pytest.mark.django_db
def test_two_transitions_racing_on_one_reservation_one_wins_the_other_gets_a_conflict():
    r = ReservationFactory()
    transition(r, "confirm")
    reservation_save(r)
    desk = reservation_get(confirmation_number=r.confirmation_number)
    guest = reservation_get(confirmation_number=r.confirmation_number)
    with transaction.atomic():
        transition(desk, "check_in_guest", by="front desk")
        reservation_save(desk)
    with pytest.raises(ConcurrentModification) as caught, transaction.atomic():  # as a service runs it
        transition(guest, "cancel", reason="plans changed")
        reservation_save(guest)

    assert caught.value.code == "CONCURRENT_MODIFICATION" and caught.value.retryable is True
    r = Reservation.objects.get(pk=r.pk)
    assert r.status == Status.CHECKED_IN and r.cancelled_at is None
    assert [c.to_status for c in r.status_changes.all()] == ["CONFIRMED", "CHECKED_IN"]  # no phantom cancel


# --- holds that run out ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_pending_reservation_past_its_hold_expires_and_gives_its_rooms_back(nyc, next_friday):
    room_type = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    nights = [next_friday + timedelta(days=i) for i in range(3)]
    held = ReservationFactory(hotel=nyc, room_type=room_type, rate_plan=RatePlan.objects.get(hotel=nyc, code="AAA"),
                              check_in=nights[0],
                              check_out=next_friday + timedelta(days=3),
                              hold_expires_at=timezone.now() + timedelta(minutes=15))
    inventory_reserve(room_type=room_type, nights=nights, rooms=1, holder=held.holder)
    ReservationNight.objects.bulk_create([ReservationNight(reservation=held, date=n, rate=Decimal("189"))
                                          for n in nights])
    assert _sold(nyc, next_friday) == [1, 1, 1]

    assert reservations_expire_pending() == 0  # still within the hold
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        from bookings.tasks import expire_pending_reservations

        assert expire_pending_reservations() == 1
        assert expire_pending_reservations() == 0  # once only

    held = Reservation.objects.get(pk=held.pk)
    assert held.status == Status.EXPIRED
    assert _sold(nyc, next_friday) == [0, 0, 0] and InventoryHold.objects.count() == 0
    change = StatusChange.objects.filter(reservation=held).last()
    assert (change.from_status, change.to_status, change.actor) == ("PENDING", "EXPIRED", "system")
    assert OutboxEvent.objects.filter(reservation=held, name="ReservationExpired").count() == 1


@pytest.mark.django_db
def test_a_confirmed_reservation_never_expires(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert reservations_expire_pending() == 0
    assert Reservation.objects.get(pk=r.pk).status == Status.CONFIRMED
