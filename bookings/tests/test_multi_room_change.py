"""Changing a multi-room booking's dates as a whole, all or nothing (issue 11; bookings/modifications/booking.py).

The booking of test_multi_room: NYC, AAA rate, Friday to Monday, room 1 a Deluxe King for two (664.14), room 2 a
Standard Queen for one adult and a child of 7 (541.74), one charge of 1205.88. The Friday is two weeks after the
next one (from the hotel's today), so the stay is well inside its free cancellation window whatever the clock.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.modifications import BookingModificationResult, ModificationRequest, booking_modify
from bookings.services import RoomRequest, booking_create
from hotelbooking.errors import PaymentFailed, PriceChanged, SoldOut, ValidationFailed
from inventory.models import InventoryDay

from .booking_setup import seed_request
from .faulty_gateway import FaultyGateway

KING, QUEEN = "DELUXE-KING", "STANDARD-QUEEN"
ROOMS = (RoomRequest(KING, adults=2), RoomRequest(QUEEN, adults=1, children=1, child_ages=[7]))


@pytest.fixture
def friday(next_friday):
    return next_friday + timedelta(days=14)


@pytest.fixture
def booking(nyc, friday):
    gateway = FaultyGateway()
    lead = booking_create(request=seed_request(friday, rooms=ROOMS), gateway=gateway)
    return lead


def _sold(friday, code, nights=4):
    return list(InventoryDay.objects.filter(room_type__hotel__code="NYC", room_type__code=code, date__gte=friday,
                                            date__lt=friday + timedelta(days=nights))
                .order_by("date").values_list("sold", flat=True))


def _rooms(lead):
    return [Reservation.objects.get(pk=r.pk) for r in lead.booking_rooms()]


def _state(lead):
    """Everything a failed change must leave as it was."""
    rooms = _rooms(lead)
    friday = rooms[0].check_in
    return ([(r.check_in, r.check_out, r.nights.count(), r.grand_total, r.status) for r in rooms],
            _sold(friday, KING), _sold(friday, QUEEN),
            sorted(Payment.objects.values_list("reservation_id", "kind", "amount")))


def _money_moved(gateway):
    return sum(gateway.moved.values(), Decimal("0"))


@pytest.mark.django_db(transaction=True)  # the gateway is called with no transaction open
def test_extending_both_rooms_by_a_night_charges_each_rooms_difference(booking, friday):
    gateway = FaultyGateway()
    monday, tuesday = friday + timedelta(days=3), friday + timedelta(days=4)

    result = booking_modify(confirmation_number=booking.confirmation_number,
                            request=ModificationRequest(check_out=tuesday), gateway=gateway)

    assert isinstance(result, BookingModificationResult)
    king, queen = _rooms(booking)
    assert [(r.check_in, r.check_out, r.nights.count(), r.status) for r in (king, queen)] == [
        (friday, tuesday, 4, Status.CONFIRMED), (friday, tuesday, 4, Status.CONFIRMED)]
    assert [r.grand_total for r in (king, queen)] == [Decimal("871.92"), Decimal("708.72")]
    assert [r.plan.new_total for r in result.rooms] == [Decimal("871.92"), Decimal("708.72")]
    assert (result.previous_total, result.new_total, result.charged, result.refunded) == (
        Decimal("1205.88"), Decimal("1580.64"), Decimal("374.76"), Decimal("0.00"))
    # One charge per room, each to the card on file, for that room's difference.
    charges = Payment.objects.filter(purpose="MODIFICATION", kind=Payment.Kind.CHARGE)
    assert sorted(charges.values_list("reservation_id", "amount")) == sorted(
        [(king.pk, Decimal("207.78")), (queen.pk, Decimal("166.98"))])
    assert [op for op, _ in gateway.calls] == ["charge_saved", "charge_saved"] and not gateway.inside_transaction
    assert _money_moved(gateway) == Decimal("374.76")
    assert _sold(friday, KING) == [1, 1, 1, 1] and _sold(friday, QUEEN) == [1, 1, 1, 1]
    assert result.as_dict()["booking"] == {"rooms": 2, "currency": "USD", "previous_total": "1205.88",
                                           "new_total": "1580.64", "difference": "374.76",
                                           "amount_to_charge": "374.76", "amount_to_refund": "0.00",
                                           "charged": "374.76", "refunded": "0.00"}
    assert InventoryDay.objects.get(room_type__hotel__code="NYC", room_type__code=KING, date=monday).sold == 1


@pytest.mark.django_db
def test_one_rooms_type_sold_out_on_the_added_night_changes_nothing_and_names_the_room(booking, friday):
    gateway = FaultyGateway()
    monday = friday + timedelta(days=3)
    day = InventoryDay.objects.get(room_type__hotel__code="NYC", room_type__code=QUEEN, date=monday)
    InventoryDay.objects.filter(pk=day.pk).update(sold=day.total)
    before = _state(booking)

    with pytest.raises(SoldOut) as caught:
        booking_modify(confirmation_number=booking.confirmation_number,
                       request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    assert caught.value.details["room"] == 2 and caught.value.details["date"] == monday.isoformat()
    assert caught.value.message.startswith("Room 2: Sorry, Standard Queen")
    assert _state(booking) == before
    assert _sold(friday, KING) == [1, 1, 1, 0]
    assert gateway.calls == [] and PaymentAttempt.objects.filter(step__startswith="MODIFICATION").count() == 0


@pytest.mark.django_db(transaction=True)  # the gateway is called with no transaction open
def test_shortening_both_rooms_in_the_free_window_refunds_each_room_and_releases_the_night(booking, friday):
    gateway = FaultyGateway()
    sunday = friday + timedelta(days=2)

    result = booking_modify(confirmation_number=booking.confirmation_number,
                            request=ModificationRequest(check_out=sunday), gateway=gateway)

    king, queen = _rooms(booking)
    assert [(r.check_out, r.nights.count()) for r in (king, queen)] == [(sunday, 2), (sunday, 2)]
    assert [r.grand_total for r in (king, queen)] == [Decimal("446.16"), Decimal("364.56")]
    refunds = Payment.objects.filter(kind=Payment.Kind.REFUND)
    assert sorted(refunds.values_list("reservation_id", "amount")) == sorted(
        [(king.pk, Decimal("217.98")), (queen.pk, Decimal("177.18"))])
    assert (result.new_total, result.charged, result.refunded) == (Decimal("810.72"), Decimal("0.00"),
                                                                   Decimal("395.16"))
    assert [r.payment["action"] for r in result.rooms] == ["REFUNDED", "REFUNDED"]
    assert _money_moved(gateway) == Decimal("-395.16") and not gateway.inside_transaction
    assert _sold(friday, KING) == [1, 1, 0, 0] and _sold(friday, QUEEN) == [1, 1, 0, 0]


@pytest.mark.django_db(transaction=True)  # the gateway is called with no transaction open
def test_a_declined_second_charge_refunds_the_first_and_applies_nothing(booking, friday):
    gateway = FaultyGateway()
    gateway.fail_next("charge_saved", "", "decline")  # the first room's charge goes through, the second's not
    before = _state(booking)

    with pytest.raises(PaymentFailed) as caught:
        booking_modify(confirmation_number=booking.confirmation_number,
                       request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    assert caught.value.details["decline_code"] == "card_declined"
    assert [op for op, _ in gateway.calls] == ["charge_saved", "charge_saved", "refund"]
    assert gateway.inside_transaction == []
    assert _money_moved(gateway) == Decimal("0.00")  # the king's 207.78 went out and came back
    king, queen = _rooms(booking)
    assert [(r.check_out, r.nights.count(), r.grand_total) for r in (king, queen)] == [
        (friday + timedelta(days=3), 3, Decimal("664.14")), (friday + timedelta(days=3), 3, Decimal("541.74"))]
    assert _state(booking)[:3] == before[:3]  # rooms and inventory as they were
    assert sorted(Payment.objects.filter(kind=Payment.Kind.REFUND).values_list("reservation_id", "amount")) == [
        (king.pk, Decimal("207.78"))]


@pytest.mark.django_db
def test_the_expected_total_is_the_bookings_and_party_changes_are_refused(booking, friday):
    gateway = FaultyGateway()
    before = _state(booking)
    with pytest.raises(PriceChanged) as caught:
        booking_modify(confirmation_number=booking.confirmation_number, gateway=gateway,
                       request=ModificationRequest(check_out=friday + timedelta(days=4),
                                                   expected_total=Decimal("871.92")))
    assert caught.value.details["new_total"] == "1580.64"
    with pytest.raises(ValidationFailed):
        booking_modify(confirmation_number=booking.confirmation_number, gateway=gateway,
                       request=ModificationRequest(check_out=friday + timedelta(days=4), adults=1))
    assert _state(booking) == before and gateway.calls == []


@pytest.mark.django_db
def test_a_single_room_booking_is_changed_by_reservation_modify(nyc, friday):
    gateway = FaultyGateway()
    r = booking_create(request=seed_request(friday), gateway=gateway)

    result = booking_modify(confirmation_number=r.confirmation_number,
                            request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    assert not isinstance(result, BookingModificationResult)
    assert result.plan.new_total == Decimal("871.92") and result.payment["amount"] == "207.78"


@pytest.mark.django_db
def test_api_patch_with_rooms_all_changes_every_room(booking, friday, hotel_partner_client):
    tuesday = friday + timedelta(days=4)

    answer = hotel_partner_client.patch(f"/api/v1/bookings/{booking.confirmation_number}?rooms=all",
                                        {"check_out": tuesday.isoformat(), "expected_total": "1580.64"},
                                        format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    # The single-room answer's fields (for room 1), then each room's and the booking's sums.
    assert body["confirmation_number"] == booking.confirmation_number
    assert body["new_dates"] == {"check_in": friday.isoformat(), "check_out": tuesday.isoformat()}
    assert body["payment"]["action"] == "CHARGED" and body["payment"]["amount"] == "207.78"
    assert [(r["room"], r["confirmation_number"], r["new_dates"]["check_out"], r["pricing_breakdown"]["new_total"],
             r["payment"]["amount"]) for r in body["rooms"]] == [
        (1, booking.confirmation_number, tuesday.isoformat(), "871.92", "207.78"),
        (2, f"{booking.confirmation_number}-2", tuesday.isoformat(), "708.72", "166.98")]
    assert body["booking"]["new_total"] == "1580.64" and body["booking"]["charged"] == "374.76"
    assert [r.check_out for r in _rooms(booking)] == [tuesday, tuesday]


@pytest.mark.django_db
def test_api_patch_without_rooms_changes_the_lead_room_only(booking, friday, hotel_partner_client):
    tuesday = friday + timedelta(days=4)

    answer = hotel_partner_client.patch(f"/api/v1/bookings/{booking.confirmation_number}",
                                        {"check_out": tuesday.isoformat()}, format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert "rooms" not in body and "booking" not in body
    assert body["pricing_breakdown"]["new_total"] == "871.92"
    king, queen = _rooms(booking)
    assert (king.check_out, queen.check_out) == (tuesday, friday + timedelta(days=3))
    assert queen.grand_total == Decimal("541.74")


@pytest.mark.django_db
def test_api_modification_quote_with_rooms_all_prices_the_booking_changing_nothing(booking, friday,
                                                                                   hotel_partner_client):
    answer = hotel_partner_client.post(f"/api/v1/bookings/{booking.confirmation_number}/modification-quote"
                                       "?rooms=all", {"check_out": (friday + timedelta(days=4)).isoformat()},
                                       format="json")

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [r["pricing_breakdown"]["new_total"] for r in body["rooms"]] == ["871.92", "708.72"]
    assert body["booking"]["new_total"] == "1580.64" and body["booking"]["amount_to_charge"] == "374.76"
    assert [r.check_out for r in _rooms(booking)] == [friday + timedelta(days=3)] * 2


@pytest.mark.django_db(transaction=True)
def test_a_failure_applying_after_the_charges_gives_every_charge_back(booking, friday, monkeypatch):
    from bookings.modifications import booking as whole

    gateway = FaultyGateway()
    before = _state(booking)
    real, calls = whole._apply_change, []

    def second_room_breaks(room, plan, **kwargs):
        calls.append(room.pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(room, plan, **kwargs)

    monkeypatch.setattr(whole, "_apply_change", second_room_breaks)

    with pytest.raises(RuntimeError):
        booking_modify(confirmation_number=booking.confirmation_number,
                       request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    assert [op for op, _ in gateway.calls] == ["charge_saved", "charge_saved", "refund", "refund"]
    assert _money_moved(gateway) == Decimal("0.00") and gateway.inside_transaction == []
    assert _state(booking)[:3] == before[:3]  # the first room's change was rolled back with the second's
    king, queen = _rooms(booking)
    assert sorted(Payment.objects.filter(kind=Payment.Kind.REFUND).values_list("reservation_id", "amount")) == sorted(
        [(king.pk, Decimal("207.78")), (queen.pk, Decimal("166.98"))])


@pytest.mark.django_db
def test_a_booking_whose_money_a_channel_collects_changes_without_touching_the_card(booking, friday):
    gateway = FaultyGateway()

    result = booking_modify(confirmation_number=booking.confirmation_number, collect_payment=False,
                            request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    assert gateway.calls == [] and (result.charged, result.refunded) == (Decimal("0.00"), Decimal("0.00"))
    assert [r.grand_total for r in _rooms(booking)] == [Decimal("871.92"), Decimal("708.72")]


@pytest.mark.django_db
def test_a_cancelled_room_stays_as_it_is_and_the_others_change(booking, friday):
    from bookings.cancellations import room_cancel

    gateway = FaultyGateway()
    room_cancel(confirmation_number=booking.confirmation_number, room=2, reason="One guest less", gateway=gateway)

    result = booking_modify(confirmation_number=booking.confirmation_number,
                            request=ModificationRequest(check_out=friday + timedelta(days=4)), gateway=gateway)

    king, queen = _rooms(booking)
    assert result.positions == [1] and king.check_out == friday + timedelta(days=4)
    assert (queen.status, queen.check_out) == (Status.CANCELLED, friday + timedelta(days=3))


@pytest.mark.django_db
def test_api_patch_with_another_rooms_value_is_a_validation_error(booking, friday, hotel_partner_client):
    answer = hotel_partner_client.patch(f"/api/v1/bookings/{booking.confirmation_number}?rooms=2",
                                        {"check_out": (friday + timedelta(days=4)).isoformat()}, format="json")
    party = hotel_partner_client.patch(f"/api/v1/bookings/{booking.confirmation_number}?rooms=all",
                                       {"check_out": (friday + timedelta(days=4)).isoformat(), "adults": 1},
                                       format="json")

    assert answer.status_code == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert party.status_code == 400 and party.json()["error"]["code"] == "VALIDATION_ERROR"
    assert [r.check_out for r in _rooms(booking)] == [friday + timedelta(days=3)] * 2


def _net_paid():
    charged = sum(Payment.objects.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
                  .values_list("amount", flat=True), Decimal("0"))
    refunds = sum(Payment.objects.filter(kind=Payment.Kind.REFUND, result=Payment.Result.SUCCEEDED)
                  .values_list("amount", flat=True), Decimal("0"))
    return charged - refunds


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_whole_booking_changes_at_once_charge_the_difference_once(booking, friday):
    from tests.concurrency import all_at_once

    tuesday = friday + timedelta(days=4)
    outcomes = all_at_once(2, lambda i: booking_modify(
        confirmation_number=booking.confirmation_number, request=ModificationRequest(check_out=tuesday),
        gateway=FaultyGateway()))

    assert all(isinstance(o, BookingModificationResult) or getattr(o, "code", "") == "CONCURRENT_MODIFICATION"
               for o in outcomes), outcomes
    assert [(r.check_out, r.nights.count(), r.grand_total) for r in _rooms(booking)] == [
        (tuesday, 4, Decimal("871.92")), (tuesday, 4, Decimal("708.72"))]
    assert _net_paid() == Decimal("1580.64")  # 1205.88 booked, 374.76 for the night added, once
    assert _sold(friday, KING) == [1, 1, 1, 1] and _sold(friday, QUEEN) == [1, 1, 1, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_whole_booking_change_racing_its_cancellation_leaves_everything_cancelled_and_refunded(booking, friday):
    from bookings.cancellations import reservation_cancel
    from tests.concurrency import all_at_once

    def work(i):
        if i == 0:
            return booking_modify(confirmation_number=booking.confirmation_number, gateway=FaultyGateway(),
                                  request=ModificationRequest(check_out=friday + timedelta(days=4)))
        return reservation_cancel(confirmation_number=booking.confirmation_number, reason="Plans changed",
                                  gateway=FaultyGateway())

    outcomes = all_at_once(2, work)

    assert not isinstance(outcomes[1], BaseException), outcomes
    assert [r.status for r in _rooms(booking)] == [Status.CANCELLED, Status.CANCELLED]
    assert _net_paid() == Decimal("0.00"), outcomes  # free window: every cent back, the change's charges too
    assert _sold(friday, KING) == [0, 0, 0, 0] and _sold(friday, QUEEN) == [0, 0, 0, 0]


@pytest.mark.django_db(transaction=True)  # the gateway is called with no transaction open
def test_staff_change_every_rooms_dates_from_the_admin_after_seeing_each_rooms_new_price(booking, friday, client):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    tuesday = friday + timedelta(days=4)
    page = client.get(f"/admin/bookings/reservation/{booking.pk}/change-dates/").content.decode()
    assert "This booking has 2 rooms: this page changes room 1 only." in page
    assert f'href="/admin/bookings/reservation/{booking.pk}/change-booking-dates/"' in page
    url = f"/admin/bookings/reservation/{booking.pk}/change-booking-dates/"
    before = _state(booking)
    preview = client.post(url, {"check_in": friday.isoformat(), "check_out": tuesday.isoformat(), "quote": "1"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "664.14" in text and "871.92" in text and "708.72" in text
    assert "1580.64" in text and 'name="expected_total" value="1580.64"' in text
    assert _state(booking) == before  # a preview changes nothing
    done = client.post(url, {"check_in": friday.isoformat(), "check_out": tuesday.isoformat(),
                             "expected_total": "1580.64", "confirm": "1"})
    assert done.status_code == 302
    assert [(r.check_out, r.grand_total) for r in _rooms(booking)] == [
        (tuesday, Decimal("871.92")), (tuesday, Decimal("708.72"))]
    assert sorted(Payment.objects.filter(kind=Payment.Kind.CHARGE).values_list("amount", flat=True)) == [
        Decimal("166.98"), Decimal("207.78"), Decimal("541.74"), Decimal("664.14")]
