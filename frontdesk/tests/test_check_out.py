from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.events import event_deliver
from bookings.models import OutboxEvent, Payment, Status
from frontdesk import handlers
from frontdesk.models import FolioLine, GuestStats, HousekeepingTask, LoyaltyEntry, RoomAssignment, StayRecord
from frontdesk.services import charge_post, stay_check_in
from inventory.models import InventoryDay, Room

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_house(book, next_friday):
    r = book(next_friday, loyalty_number="GH123456")
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1204"])
        charge_post(confirmation_number=r.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
        charge_post(confirmation_number=r.confirmation_number, kind="SPA", amount="80.00", currency="USD",
                    description="Massage")
    r.refresh_from_db()
    return r


def _check_out(client, r):
    return client.post(f"/api/v1/reservations/{r.confirmation_number}/check-out", format="json")


def test_check_out_charges_the_balance_and_shows_the_final_bill(frontdesk_client, in_house, next_friday):
    with at(next_friday + timedelta(days=3), 10, 30):
        response = _check_out(frontdesk_client, in_house)
    assert response.status_code == 200, response.json()
    body = response.json()
    bill = body["bill"]
    assert body["status"] == "CHECKED_OUT" and body["rooms"] == ["1204"]
    assert [(x["type"], x["amount"]) for x in bill["lines"]] == [
        ("ROOM", "170.10"), ("TAX", "22.68"), ("FEE", "15.00"), ("MINIBAR", "12.50"), ("SPA", "80.00"),
        ("ROOM", "197.10"), ("TAX", "26.28"), ("FEE", "15.00"),
        ("ROOM", "179.10"), ("TAX", "23.88"), ("FEE", "15.00")]
    assert bill["totals"]["room"] == "546.30" and bill["totals"]["taxes"] == "72.84"
    assert bill["totals"]["fees"] == "45.00" and bill["totals"]["incidentals"] == "92.50"
    assert bill["totals"]["charges"] == "756.64"
    assert [(p["purpose"], p["amount"]) for p in bill["payments"]] == [("BOOKING", "664.14"), ("CHECK_OUT", "92.50")]
    assert bill["totals"]["paid"] == "756.64" and bill["balance"] == "0.00"
    # 10 points per dollar spent on the stay (the default rule), on top of the booking bonus.
    assert body["loyalty_points_earned"] == 7566

    in_house.refresh_from_db()
    assert in_house.status == Status.CHECKED_OUT
    assert Room.objects.get(number="1204").status == Room.Status.NEEDS_CLEANING
    assert RoomAssignment.objects.get(reservation=in_house).released_at is not None
    stats = GuestStats.objects.get(guest=in_house.guest)
    assert (stats.stays, stats.nights, stats.lifetime_value) == (1, 3, Decimal("756.64"))
    assert StayRecord.objects.get(reservation=in_house).rooms == "1204"
    assert LoyaltyEntry.objects.get(reservation=in_house, kind="STAY").points == 7566
    event = OutboxEvent.objects.get(name="GuestCheckedOut")
    assert event.payload["rooms"] == ["1204"] and event.payload["loyalty_points_earned"] == 7566


def test_declined_balance_charge_changes_nothing(frontdesk_client, in_house, next_friday):
    Payment.objects.filter(reservation=in_house).update(card_token="tok_decline_card_on_file")
    lines_before = list(FolioLine.objects.order_by("id").values_list("id", "amount"))
    with at(next_friday + timedelta(days=3), 10, 30):
        response = _check_out(frontdesk_client, in_house)
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "OUTSTANDING_BALANCE" and error["balance"] == "92.50" and error["currency"] == "USD"
    assert error["reason"] == "The card on file was declined." and error["retry_action"] == "UPDATE_PAYMENT"
    assert "92.50 USD" in error["message"]
    in_house.refresh_from_db()
    assert in_house.status == Status.CHECKED_IN and in_house.checked_out_at is None
    assert Room.objects.get(number="1204").status == Room.Status.OCCUPIED
    assert list(FolioLine.objects.order_by("id").values_list("id", "amount")) == lines_before
    assert Payment.objects.filter(reservation=in_house).count() == 1
    assert not OutboxEvent.objects.filter(name="GuestCheckedOut").exists()
    assert not LoyaltyEntry.objects.filter(kind="STAY").exists() and not GuestStats.objects.exists()


def test_only_checked_in_guests_check_out(frontdesk_client, seed_stay):
    response = _check_out(frontdesk_client, seed_stay)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"


def test_guest_without_loyalty_number_earns_no_points(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
    with at(next_friday + timedelta(days=3), 9):
        body = _check_out(frontdesk_client, seed_stay).json()
    assert body["loyalty_points_earned"] == 0 and body["bill"]["balance"] == "0.00"
    assert [p["purpose"] for p in body["bill"]["payments"]] == ["BOOKING"]  # nothing left to charge
    assert not LoyaltyEntry.objects.exists()


def test_early_departure_gives_the_unused_nights_back(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
    sunday = next_friday + timedelta(days=2)
    with at(sunday, 9):
        body = _check_out(frontdesk_client, seed_stay).json()
    assert body["bill"]["totals"]["charges"] == "664.14"  # the booked stay is owed in full
    days = {d.date: d.sold for d in InventoryDay.objects.filter(room_type=seed_stay.room_type,
                                                                date__range=(next_friday, sunday))}
    assert days == {next_friday: 1, next_friday + timedelta(days=1): 1, sunday: 0}
    assert RoomAssignment.objects.get(reservation=seed_stay).end_date == sunday
    changed = OutboxEvent.objects.get(name="InventoryChanged")
    assert changed.payload["dates"] == [sunday.isoformat()]
    assert changed.payload["room_type_id"] == seed_stay.room_type_id


def test_housekeeping_task_created_once_even_when_the_event_comes_twice(frontdesk_client, in_house, next_friday):
    with at(next_friday + timedelta(days=3), 10):
        _check_out(frontdesk_client, in_house)
    event = OutboxEvent.objects.get(name="GuestCheckedOut")
    handlers.create_departure_cleaning(event)
    handlers.create_departure_cleaning(event)
    assert event_deliver(event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)  # a re-delivery
    assert event_deliver(event.pk)
    task = HousekeepingTask.objects.get()
    assert (task.room.number, task.status, task.reservation) == ("1204", "OPEN", in_house)


def test_housekeeping_moves_open_in_progress_done_and_frees_the_room(frontdesk_client, in_house, next_friday):
    with at(next_friday + timedelta(days=3), 10):
        _check_out(frontdesk_client, in_house)
    handlers.create_departure_cleaning(OutboxEvent.objects.get(name="GuestCheckedOut"))
    board = frontdesk_client.get("/api/v1/hotels/NYC/housekeeping-tasks").json()
    assert [(t["room"]["number"], t["status"], t["room"]["status"]) for t in board] == [
        ("1204", "OPEN", "NEEDS_CLEANING")]
    url = f"/api/v1/housekeeping-tasks/{board[0]['id']}/transition"
    skipped = frontdesk_client.post(url, {"status": "DONE"}, format="json")
    assert skipped.status_code == 409 and skipped.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    assert frontdesk_client.post(url, {"status": "IN_PROGRESS"}, format="json").json()["status"] == "IN_PROGRESS"
    done = frontdesk_client.post(url, {"status": "DONE"}, format="json").json()
    assert done["status"] == "DONE" and done["room"]["status"] == "AVAILABLE"
    assert Room.objects.get(number="1204").status == Room.Status.AVAILABLE
    assert frontdesk_client.get("/api/v1/hotels/NYC/housekeeping-tasks").json() == []
    bad = frontdesk_client.post(url, {"status": "CLEAN"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def test_channel_collected_booking_bills_the_room_to_the_channel(frontdesk_client, nyc, next_friday):
    from bookings.payments import TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Ota", "Guest", "ota@example.com"),
        card=None, channel="OTA", source="BOOKING_COM", collect_payment=False), gateway=TestGateway())
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1203"])
    with at(next_friday + timedelta(days=3), 9):
        body = _check_out(frontdesk_client, r).json()
    # The guest's folio holds only what the guest pays (nothing here); the stay is on the channel's folio.
    assert body["bill"]["lines"] == [] and body["bill"]["totals"]["charges"] == "0.00"
    assert body["bill"]["balance"] == "0.00" and body["bill"]["payments"] == []
    channel = body["bill"]["folios"][1]
    assert (channel["kind"], channel["billed_to"], channel["totals"]["charges"]) == ("CHANNEL", "BOOKING_COM",
                                                                                     "664.14")


def test_a_dirty_room_back_from_out_of_order_still_needs_cleaning(frontdesk_client, in_house, next_friday):
    """A room checked out and then taken out of order is not offered to guests when the period is lifted
    (or ends) while its departure clean is still open: it goes back to NEEDS_CLEANING, not AVAILABLE."""
    from frontdesk.services import out_of_order_sync, room_out_of_order_lift, room_out_of_order_set

    departure = next_friday + timedelta(days=3)
    with at(departure, 10):
        _check_out(frontdesk_client, in_house)
        handlers.create_departure_cleaning(OutboxEvent.objects.get(name="GuestCheckedOut"))
        period = room_out_of_order_set(hotel=in_house.hotel, room_number="1204", start=departure,
                                       end=departure + timedelta(days=2), reason="Broken window")
        assert Room.objects.get(number="1204").status == Room.Status.OUT_OF_ORDER
        room_out_of_order_lift(period_id=period.pk)
        assert Room.objects.get(number="1204").status == Room.Status.NEEDS_CLEANING
        room_out_of_order_set(hotel=in_house.hotel, room_number="1204", start=departure,
                              end=departure + timedelta(days=1), reason="Broken window again")
    with at(departure + timedelta(days=1), 10):
        out_of_order_sync(hotel=in_house.hotel, today=departure + timedelta(days=1))
        assert Room.objects.get(number="1204").status == Room.Status.NEEDS_CLEANING
        task = HousekeepingTask.objects.get(reservation=in_house)
        url = f"/api/v1/housekeeping-tasks/{task.pk}/transition"
        frontdesk_client.post(url, {"status": "IN_PROGRESS"}, format="json")
        assert frontdesk_client.post(url, {"status": "DONE"}, format="json").json()["room"]["status"] == "AVAILABLE"


def test_a_room_is_available_only_when_all_its_cleaning_tasks_are_done(frontdesk_client, in_house, next_friday):
    from frontdesk.services import housekeeping_task_move

    with at(next_friday + timedelta(days=3), 10):
        _check_out(frontdesk_client, in_house)
        handlers.create_departure_cleaning(OutboxEvent.objects.get(name="GuestCheckedOut"))
        room = Room.objects.get(number="1204")
        extra = HousekeepingTask.objects.create(room=room, kind=HousekeepingTask.Kind.REQUEST, note="Deep clean")
        departure = HousekeepingTask.objects.get(reservation=in_house)
        for to in ("IN_PROGRESS", "DONE"):
            housekeeping_task_move(task_id=departure.pk, to=to)
        assert Room.objects.get(number="1204").status == Room.Status.NEEDS_CLEANING
        for to in ("IN_PROGRESS", "DONE"):
            task = housekeeping_task_move(task_id=extra.pk, to=to)
        assert task.room.status == Room.Status.AVAILABLE
        assert Room.objects.get(number="1204").status == Room.Status.AVAILABLE


def _ota_in_house(nyc, next_friday):
    from bookings.payments import TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Ota", "Guest", "ota@example.com"),
        card=None, channel="OTA", source="BOOKING_COM", collect_payment=False), gateway=TestGateway())
    with at(next_friday):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1203"])
        charge_post(confirmation_number=r.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
    return r


def test_a_channel_guest_with_incidentals_pays_them_at_the_desk_and_checks_out(frontdesk_client, nyc, next_friday):
    """A booking the channel paid has no card on file: the minibar is paid at the desk, and the guest can leave."""
    r = _ota_in_house(nyc, next_friday)
    with at(next_friday + timedelta(days=3), 9):
        refused = _check_out(frontdesk_client, r)
        assert refused.status_code == 402 and refused.json()["error"]["balance"] == "12.50"
        assert "paid at the desk" in refused.json()["error"]["message"]
        response = frontdesk_client.post(f"/api/v1/reservations/{r.confirmation_number}/check-out",
                                         {"paid_at_desk": True}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "CHECKED_OUT" and body["bill"]["balance"] == "0.00"
    assert [(p["purpose"], p["amount"]) for p in body["bill"]["payments"]] == [("CHECK_OUT_AT_DESK", "12.50")]
    assert body["bill"]["totals"]["incidentals"] == "12.50" and body["bill"]["totals"]["paid"] == "12.50"
    assert Room.objects.get(number="1203").status == Room.Status.NEEDS_CLEANING


def test_a_declined_card_then_paid_at_the_desk(frontdesk_client, in_house, next_friday):
    Payment.objects.filter(reservation=in_house).update(card_token="tok_decline_card_on_file")
    with at(next_friday + timedelta(days=3), 10, 30):
        assert _check_out(frontdesk_client, in_house).status_code == 402
        response = frontdesk_client.post(f"/api/v1/reservations/{in_house.confirmation_number}/check-out",
                                         {"paid_at_desk": True}, format="json")
    assert response.status_code == 200
    assert [(p["purpose"], p["amount"]) for p in response.json()["bill"]["payments"]] == [
        ("BOOKING", "664.14"), ("CHECK_OUT_AT_DESK", "92.50")]
    assert response.json()["loyalty_points_earned"] == 7566
    bad = frontdesk_client.post(f"/api/v1/reservations/{in_house.confirmation_number}/check-out",
                                {"paid_at_desk": "perhaps"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"


def _credit_with_a_refund_the_gateway_refuses(reservation):
    """Two extra charges on the stay: the newest refunds fine, the older one the gateway refuses."""
    from django.utils import timezone

    now = timezone.now()
    Payment.objects.filter(reservation=reservation).update(created_at=now - timedelta(hours=1))
    Payment.objects.create(reservation=reservation, amount=Decimal("50.00"), currency="USD", gateway="test",
                           gateway_reference="", purpose="MODIFICATION", created_at=now - timedelta(seconds=5))
    Payment.objects.create(reservation=reservation, amount=Decimal("30.00"), currency="USD", gateway="test",
                           gateway_reference="ch_ok", purpose="MODIFICATION", created_at=now)


def test_a_credit_the_gateway_partly_refuses_still_checks_out_with_the_rest_waiting_for_a_person(
        frontdesk_client, seed_stay, next_friday):
    """Check-out with a credit of 80.00: 30.00 goes back to the card, the gateway refuses the other 50.00. The
    guest is checked out all the same (before the payment saga the refusal blocked the check-out with
    PAYMENT_FAILED); the 50.00 waits for a person in the admin, and the folio shows it still owed to the guest."""
    from bookings.models import PaymentAttempt

    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
    _credit_with_a_refund_the_gateway_refuses(seed_stay)
    with at(next_friday + timedelta(days=3), 10):
        response = _check_out(frontdesk_client, seed_stay)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "CHECKED_OUT" and response.json()["bill"]["balance"] == "-50.00"
    refunds = Payment.objects.filter(reservation=seed_stay, kind="REFUND")
    assert [(r.amount, r.refund_of.gateway_reference, r.purpose) for r in refunds] == [
        (Decimal("30.00"), "ch_ok", "CHECK_OUT")]
    refused = PaymentAttempt.objects.get(reservation=seed_stay, operation="REFUND", state="FAILED")
    assert (refused.amount, refused.needs_attention, refused.step) == (Decimal("50.00"), True, "CHECK_OUT:2")
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_OUT


def test_a_no_show_refund_the_gateway_partly_refuses_is_never_paid_twice(seed_stay, next_friday):
    """536.36 to give back over three charges; the gateway refuses the 50.00 one. The no-show stands (before the
    payment saga the refusal rolled it back until the next audit), the other parts are refunded once, the
    refused part waits for a person, and auditing again pays nothing twice."""
    from bookings.models import OutboxEvent, PaymentAttempt
    from bookings.payments import TestGateway
    from frontdesk.services import night_audit_run

    policy = seed_stay.cancellation_policy or {}
    seed_stay.cancellation_policy = {**policy, "no_show_penalty_nights": 1}  # the first night is kept
    seed_stay.save(update_fields=["cancellation_policy"])
    _credit_with_a_refund_the_gateway_refuses(seed_stay)
    for hour in (4, 5):
        with at(next_friday + timedelta(days=1), hour):
            night_audit_run(hotel=seed_stay.hotel, business_date=next_friday, gateway=TestGateway())
    refunds = list(Payment.objects.filter(reservation=seed_stay, kind="REFUND").order_by("id")
                   .values_list("amount", flat=True))
    assert refunds == [Decimal("30.00"), Decimal("456.36")]  # 744.14 paid - 207.78 kept - the 50.00 refused
    refused = PaymentAttempt.objects.get(reservation=seed_stay, operation="REFUND", state="FAILED")
    assert (refused.amount, refused.needs_attention) == (Decimal("50.00"), True)
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.NO_SHOW
    event = OutboxEvent.objects.get(reservation=seed_stay, name="ReservationNoShow")
    assert (event.payload["refunded"], event.payload["pending"]) == ("486.36", "50.00")


def test_a_late_cancelled_channel_booking_bills_the_penalty_to_the_channel(frontdesk_client, nyc, next_friday):
    """The channel collects from its guest: the penalty kept is billed to it, as for a no-show, so the folio
    does not show the guest owing money the hotel will never ask them for."""
    from bookings.cancellations import reservation_cancel
    from bookings.payments import TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Ota", "Guest", "ota@example.com"),
        card=None, channel="OTA", source="BOOKING_COM", collect_payment=False), gateway=TestGateway())
    with at(next_friday, 10):
        reservation_cancel(confirmation_number=r.confirmation_number, reason="Plans changed", gateway=TestGateway())
    for event in OutboxEvent.objects.filter(name="ReservationCancelled"):
        assert event_deliver(event.pk)
        OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)
        assert event_deliver(event.pk)  # delivered twice: still one pair of lines
    folio = frontdesk_client.get(f"/api/v1/reservations/{r.confirmation_number}/folio").json()
    assert folio["lines"] == [] and folio["balance"] == "0.00"  # the guest owes nothing
    channel = folio["folios"][1]
    assert [(x["type"], x["amount"]) for x in channel["lines"]] == [("PENALTY", "664.14")]  # once, on the channel's
    assert (channel["kind"], channel["billed_to"], channel["balance"]) == ("CHANNEL", "BOOKING_COM", "664.14")
