"""Multi-room bookings (issue 11, decision 9): one booking, one number, one charge, several rooms, all or nothing.

The booking: NYC, AAA rate, Friday to Monday; room 1 a Deluxe King for two adults (the seed's 664.14), room 2 a
Standard Queen for one adult and a child of 7 (149 + 179 + 159 = 487.00 less 10 % = 438.30, tax 58.44, resort fee
45.00: 541.74). The booking's total, and its one charge, is 1205.88.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from bookings.cancellations import reservation_cancel, room_cancel
from bookings.models import Payment, PaymentAttempt, Reservation, Status
from bookings.modifications import ModificationRequest, reservation_modify
from bookings.services import RoomRequest, balance_due, booking_create, booking_quote_rooms
from frontdesk.selectors import folio_get
from hotelbooking.errors import PaymentFailed, SoldOut
from inventory.models import InventoryDay, InventoryHold

from .booking_setup import DECLINED_CARD, seed_request
from .faulty_gateway import FaultyGateway

KING, QUEEN = "DELUXE-KING", "STANDARD-QUEEN"
ROOMS = (RoomRequest(KING, adults=2), RoomRequest(QUEEN, adults=1, children=1, child_ages=[7]))


def _sold(nyc, friday, code):
    return list(InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code=code, date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _book(friday, gateway, **overrides):
    return booking_create(request=seed_request(friday, rooms=ROOMS, **overrides), gateway=gateway)


def _charges(gateway):
    return [key for operation, key in gateway.calls if operation == "charge"]


@pytest.mark.django_db
def test_the_booking_quote_prices_each_room_and_sums_them(nyc, next_friday):
    quote = booking_quote_rooms(hotel=nyc, rooms=ROOMS, rate_plan_code="AAA", check_in=next_friday,
                                check_out=next_friday + timedelta(days=3))

    figures = quote.as_dict()
    assert [(r["room_type"], r["adults"], r["children"], r["child_ages"], r["total"]) for r in figures["rooms"]] == [
        (KING, 2, 0, [], "664.14"), (QUEEN, 1, 1, [7], "541.74")]
    assert [r["nightly_rates"][0]["rate"] for r in figures["rooms"]] == ["189.00", "149.00"]
    assert (figures["room_total"], figures["taxes"], figures["fees"], figures["total"], figures["due_now"]) == (
        "984.60", "131.28", "90.00", "1205.88", "1205.88")


@pytest.mark.django_db
def test_two_rooms_are_one_booking_one_charge_and_a_ledger_per_room(nyc, next_friday):
    gateway = FaultyGateway()
    lead = _book(next_friday, gateway, expected_total=Decimal("1205.88"))

    rooms = lead.booking_rooms()
    king, queen = rooms
    assert king.pk == lead.pk and king.lead_id is None and queen.lead_id == lead.pk
    assert queen.booking_lead == king and king.booking_lead == king
    assert [r.status for r in rooms] == [Status.CONFIRMED, Status.CONFIRMED]
    assert queen.confirmation_number == f"{king.confirmation_number}-2"
    assert [(r.room_type.code, r.adults, r.children, r.child_ages, r.room_count) for r in rooms] == [
        (KING, 2, 0, [], 1), (QUEEN, 1, 1, [7], 1)]
    assert [r.grand_total for r in rooms] == [Decimal("664.14"), Decimal("541.74")]
    assert [n.rate for n in queen.nights.all()] == [Decimal("149.00"), Decimal("179.00"), Decimal("159.00")]
    # One call to the provider for the sum; each room's ledger holds its share of that one charge.
    assert len(_charges(gateway)) == 1 and gateway.total_moved == Decimal("1205.88")
    attempt = PaymentAttempt.objects.get()
    assert attempt.reservation_id == king.pk and attempt.amount == Decimal("1205.88")
    assert attempt.allocation == {str(king.pk): "664.14", str(queen.pk): "541.74"}
    payments = {p.reservation_id: p for p in Payment.objects.all()}
    assert {pk: p.amount for pk, p in payments.items()} == {king.pk: Decimal("664.14"),
                                                            queen.pk: Decimal("541.74")}
    assert payments[king.pk].gateway_reference == payments[queen.pk].gateway_reference != ""
    assert payments[queen.pk].last_four == "4242" and payments[queen.pk].card_token
    # Each room's folio has its own share paid (nothing is posted before arrival) and owes nothing of its total.
    assert [folio_get(r).totals.paid for r in rooms] == [Decimal("664.14"), Decimal("541.74")]
    assert [balance_due(r) for r in rooms] == [Decimal("0.00"), Decimal("0.00")]
    assert _sold(nyc, next_friday, KING) == [1, 1, 1] and _sold(nyc, next_friday, QUEEN) == [1, 1, 1]


@pytest.mark.django_db
def test_the_booking_sends_one_confirmation_email_listing_every_room(nyc, next_friday, gateway,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = _book(next_friday, gateway)

    king, queen = lead.booking_rooms()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject.endswith(f"is confirmed: {king.confirmation_number}")
    assert "This booking holds 2 rooms" in body and "Booking total: 1,205.88 USD, paid 1,205.88 USD" in body
    assert f"Room 1 ({king.confirmation_number}): Deluxe King Room, 2 adults, 664.14 USD" in body
    assert f"Room 2 ({queen.confirmation_number}): Standard Queen Room, 1 adult, 1 child (age 7), 541.74 USD" in body
    assert queen.confirmation_number in mail.outbox[0].alternatives[0][0]


@pytest.mark.django_db
def test_a_sold_out_second_room_books_nothing_and_names_the_room(nyc, next_friday):
    gateway = FaultyGateway()
    saturday = next_friday + timedelta(days=1)
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code=QUEEN, date=saturday)
    InventoryDay.objects.filter(pk=day.pk).update(sold=day.total)

    with pytest.raises(SoldOut) as caught:
        _book(next_friday, gateway)

    assert caught.value.details["room"] == 2 and caught.value.details["date"] == saturday.isoformat()
    assert caught.value.message.startswith("Room 2: Sorry, Standard Queen")
    assert Reservation.objects.count() == 0 and InventoryHold.objects.count() == 0
    assert _sold(nyc, next_friday, KING) == [0, 0, 0]  # reserved first, then rolled back with the rest
    assert gateway.calls == [] and Payment.objects.count() == 0


@pytest.mark.django_db
def test_a_declined_card_holds_no_room_of_the_booking(nyc, next_friday):
    gateway = FaultyGateway()

    with pytest.raises(PaymentFailed):
        _book(next_friday, gateway, card=DECLINED_CARD)

    assert Reservation.objects.count() == 0 and InventoryHold.objects.count() == 0
    assert _sold(nyc, next_friday, KING) == [0, 0, 0] and _sold(nyc, next_friday, QUEEN) == [0, 0, 0]
    assert gateway.total_moved == 0 and Payment.objects.count() == 0 and len(mail.outbox) == 0


@pytest.mark.django_db
def test_an_error_about_one_room_names_it(nyc, next_friday, gateway):
    from hotelbooking.errors import InvalidParty, UnknownRoomType

    with pytest.raises(UnknownRoomType) as caught:
        booking_create(request=seed_request(next_friday, rooms=(ROOMS[0], RoomRequest("PENT"))), gateway=gateway)
    assert caught.value.details == {"room_type": "PENT", "room": 2}
    with pytest.raises(InvalidParty) as caught:
        booking_create(request=seed_request(next_friday, rooms=(RoomRequest(QUEEN, 1, 1, [7, 9]),)),
                       gateway=gateway)
    assert caught.value.details["field"] == "child_ages"
    with pytest.raises(InvalidParty):
        booking_create(request=seed_request(next_friday, rooms=ROOMS * 5), gateway=gateway)
    assert Reservation.objects.count() == 0


@pytest.mark.django_db
def test_cancelling_the_booking_cancels_every_room_and_refunds_each_share(nyc, next_friday):
    gateway = FaultyGateway()
    lead = _book(next_friday, gateway)

    result = reservation_cancel(confirmation_number=lead.confirmation_number, reason="Plans changed",
                                gateway=gateway)

    assert [r.status for r in Reservation.objects.order_by("id")] == [Status.CANCELLED, Status.CANCELLED]
    refunds = Payment.objects.filter(kind=Payment.Kind.REFUND).order_by("reservation_id")
    assert [(r.reservation_id, r.amount) for r in refunds] == [(lead.pk, Decimal("664.14")),
                                                               (lead.pk + 1, Decimal("541.74"))]
    assert gateway.total_moved == 0  # the one charge, and the two refunds of its shares, at the provider
    assert _sold(nyc, next_friday, KING) == [0, 0, 0] and _sold(nyc, next_friday, QUEEN) == [0, 0, 0]
    answer = result.as_dict()
    assert answer["confirmation_number"] == lead.confirmation_number and answer["status"] == "CANCELLED"
    assert (answer["financial"]["original_total"], answer["financial"]["amount_paid"],
            answer["financial"]["penalty_amount"], answer["financial"]["refund_amount"],
            answer["financial"]["refund_status"]) == ("1205.88", "1205.88", "0.00", "1205.88", "REFUNDED")
    assert answer["room_nights_released"] == 6
    assert [(r["room"], r["room_type"], r["refund_amount"], r["status"]) for r in answer["rooms"]] == [
        (1, KING, "664.14", "CANCELLED"), (2, QUEEN, "541.74", "CANCELLED")]


@pytest.mark.django_db
def test_cancelling_one_room_leaves_the_other_as_it_was(nyc, next_friday):
    gateway = FaultyGateway()
    lead = _book(next_friday, gateway)
    queen = lead.booking_rooms()[1]

    result = room_cancel(confirmation_number=lead.confirmation_number, room=2, reason="One less guest",
                         gateway=gateway)

    assert result.reservation.pk == queen.pk and result.as_dict()["financial"]["refund_amount"] == "541.74"
    lead.refresh_from_db()
    queen.refresh_from_db()
    assert (lead.status, queen.status) == (Status.CONFIRMED, Status.CANCELLED)
    refund = Payment.objects.get(kind=Payment.Kind.REFUND)
    assert (refund.reservation_id, refund.amount) == (queen.pk, Decimal("541.74"))
    assert refund.refund_of.gateway_reference == Payment.objects.get(reservation=lead).gateway_reference
    assert gateway.total_moved == Decimal("664.14")
    assert folio_get(lead).totals.paid == Decimal("664.14") and balance_due(lead) == Decimal("0.00")
    assert folio_get(queen).totals.paid == Decimal("0.00")
    assert _sold(nyc, next_friday, KING) == [1, 1, 1] and _sold(nyc, next_friday, QUEEN) == [0, 0, 0]

    # The rest of the booking, cancelled by its number: only what is left, the lead's room.
    rest = reservation_cancel(confirmation_number=lead.confirmation_number, reason="All off", gateway=gateway)
    assert [r["room"] for r in rest.as_dict()["rooms"]] == [1]
    assert rest.as_dict()["financial"]["refund_amount"] == "664.14" and gateway.total_moved == 0


@pytest.mark.django_db
def test_the_lead_room_cancelled_alone_stays_the_booking_anchor(nyc, next_friday):
    gateway = FaultyGateway()
    lead = _book(next_friday, gateway)

    room_cancel(confirmation_number=f"{lead.confirmation_number}-2", room=1, reason="Not needed", gateway=gateway)

    rooms = Reservation.objects.get(pk=lead.pk).booking_rooms()
    assert [(r.confirmation_number, r.status) for r in rooms] == [
        (lead.confirmation_number, Status.CANCELLED), (f"{lead.confirmation_number}-2", Status.CONFIRMED)]
    assert Payment.objects.get(kind=Payment.Kind.REFUND).amount == Decimal("664.14")


@pytest.mark.django_db
def test_changing_one_room_changes_only_its_nights_and_money(nyc, next_friday):
    gateway = FaultyGateway()
    lead = _book(next_friday, gateway)
    queen = lead.booking_rooms()[1]

    result = reservation_modify(confirmation_number=queen.confirmation_number,
                                request=ModificationRequest(check_out=next_friday + timedelta(days=4)),
                                gateway=gateway)

    queen.refresh_from_db()
    lead.refresh_from_db()
    assert queen.check_out == next_friday + timedelta(days=4) and queen.nights.count() == 4
    assert queen.grand_total > Decimal("541.74")
    difference = queen.grand_total - Decimal("541.74")
    charge = Payment.objects.filter(reservation=queen, purpose="MODIFICATION").get()
    assert charge.amount == difference and result.reservation.pk == queen.pk
    assert folio_get(queen).totals.paid == queen.grand_total and balance_due(queen) == Decimal("0.00")
    assert lead.grand_total == Decimal("664.14") and lead.nights.count() == 3
    assert list(Payment.objects.filter(reservation=lead).values_list("amount", flat=True)) == [Decimal("664.14")]
    assert _sold(nyc, next_friday, KING) == [1, 1, 1]


@pytest.mark.django_db
def test_a_single_room_booking_is_the_one_room_case(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday), gateway=gateway)

    assert r.lead_id is None and r.booking_rooms() == [r] and not PaymentAttempt.objects.get().allocation
    assert Payment.objects.get().amount == Decimal("664.14")


@pytest.mark.django_db
def test_the_providers_refund_event_for_one_rooms_share_records_nothing_more(nyc, next_friday, settings):
    """Stripe's charge.refunded counts every refund of the one charge; the room's own refund is all of it."""
    from django.utils import timezone

    from bookings.models import GatewayEvent
    from bookings.payments import webhooks

    gateway = FaultyGateway()
    lead = _book(next_friday, gateway)
    room_cancel(confirmation_number=lead.confirmation_number, room=2, reason="One less", gateway=gateway)
    share = Payment.objects.get(reservation=lead.booking_rooms()[1], kind=Payment.Kind.CHARGE)
    Payment.objects.filter(gateway="test").update(gateway="stripe")
    charge = {"id": "ch_x", "object": "charge", "amount": 120588, "amount_refunded": 54174, "currency": "usd",
              "payment_intent": share.gateway_reference, "refunded": False, "status": "succeeded"}
    stored = GatewayEvent.objects.create(gateway="stripe", event_id="evt_mr", event_type="charge.refunded",
                                         object_id="ch_x", created=timezone.now(), payload={})

    outcome = webhooks._charge_refunded(stored, charge)

    assert "made at the provider" not in outcome
    assert list(Payment.objects.filter(kind=Payment.Kind.REFUND).values_list("amount", flat=True)) == [
        Decimal("541.74")]


@pytest.mark.django_db
def test_a_booking_waiting_for_3d_secure_holds_every_room_until_its_hold_runs_out(nyc, next_friday, gateway):
    import time_machine
    from django.conf import settings
    from django.utils import timezone

    from bookings.services import reservations_expire_pending

    lead = _book(next_friday, gateway, card=None, payment_method="pm_card_authenticationRequired")

    assert [r.status for r in lead.booking_rooms()] == [Status.PENDING, Status.PENDING]
    assert _sold(nyc, next_friday, KING) == [1, 1, 1] and _sold(nyc, next_friday, QUEEN) == [1, 1, 1]
    later = timezone.now() + timedelta(minutes=settings.BOOKING_HOLD_MINUTES + 1)
    with time_machine.travel(later, tick=False):
        assert reservations_expire_pending(gateway=gateway) == 2

    assert [r.status for r in Reservation.objects.order_by("id")] == [Status.EXPIRED, Status.EXPIRED]
    assert _sold(nyc, next_friday, KING) == [0, 0, 0] and _sold(nyc, next_friday, QUEEN) == [0, 0, 0]
    assert Payment.objects.count() == 0


@pytest.mark.django_db
def test_a_companion_without_a_charge_of_its_own_uses_the_bookings_card(nyc, next_friday, gateway):
    from bookings.services import card_on_file

    lead = _book(next_friday, gateway)
    queen = lead.booking_rooms()[1]
    Payment.objects.filter(reservation=queen).update(card_token="")

    assert card_on_file(queen).card_token == Payment.objects.get(reservation=lead).card_token != ""


@pytest.mark.django_db
def test_the_admin_shows_a_bookings_rooms_and_links_each_room_to_the_lead(admin_client, nyc, next_friday, gateway):
    lead = _book(next_friday, gateway)
    queen = lead.booking_rooms()[1]

    lead_page = admin_client.get(f"/admin/bookings/reservation/{lead.pk}/change/").content.decode()
    queen_page = admin_client.get(f"/admin/bookings/reservation/{queen.pk}/change/").content.decode()

    assert "Other rooms of this booking" in lead_page and "2 rooms (the others are listed below)" in lead_page
    assert f'href="/admin/bookings/reservation/{queen.pk}/change/">{queen.confirmation_number}</a>' in lead_page
    assert (f'A room of booking <a href="/admin/bookings/reservation/{lead.pk}/change/">'
            f"{lead.confirmation_number}</a>") in queen_page


@pytest.mark.django_db
def test_the_admin_cancel_page_carries_the_bookings_penalty_inside_the_penalty_window(admin_client, nyc, gateway):
    """Inside the last 24 hours the Flexible policy keeps the first night of each room: the page shows and sends
    the booking's penalty, the sum of both rooms' first nights, and cancelling with it goes through."""
    import re

    import time_machine
    from django.utils import timezone

    from pricing.search import hotel_today

    arrival = hotel_today(nyc) + timedelta(days=7)
    lead = _book(arrival, gateway, check_out=arrival + timedelta(days=3))
    check_in = timezone.make_aware(timezone.datetime.combine(arrival, nyc.check_in_time), nyc.tz)
    with time_machine.travel(check_in - timedelta(hours=5), tick=False):
        url = f"/admin/bookings/reservation/{lead.pk}/cancel/"
        page = admin_client.get(url)
        assert page.status_code == 200, page.status_code
        penalty = re.search(r'name="expected_penalty" value="([0-9.]+)"', page.content.decode()).group(1)
        rooms = [Reservation.objects.get(pk=r.pk) for r in lead.booking_rooms()]
        from bookings.cancellations import cancellation_terms
        each = [cancellation_terms(reservation=r).penalty for r in rooms]
        assert Decimal(penalty) == sum(each) and all(p > 0 for p in each)
        admin_client.post(url, {"reason": "Flight cancelled", "expected_penalty": penalty})

    assert set(Reservation.objects.values_list("status", flat=True)) == {Status.CANCELLED}


@pytest.mark.django_db
def test_a_failure_confirming_the_second_room_refunds_each_share_and_holds_nothing(nyc, next_friday, monkeypatch):
    from bookings import services
    from hotelbooking.errors import BookingNotCompleted

    gateway = FaultyGateway()
    record = services.settle.events.event_record
    confirmed = []

    def broken_record(name, **kwargs):  # the first room confirms, the second fails: the whole step rolls back
        if name == services.settle.events.RESERVATION_CONFIRMED:
            confirmed.append(kwargs["reservation"].pk)
            if len(confirmed) == 2:
                raise RuntimeError("outbox unavailable")
        return record(name, **kwargs)

    monkeypatch.setattr(services.settle.events, "event_record", broken_record)
    with pytest.raises(BookingNotCompleted):
        _book(next_friday, gateway)

    assert [r.status for r in Reservation.objects.order_by("id")] == [Status.EXPIRED, Status.EXPIRED]
    assert _sold(nyc, next_friday, KING) == [0, 0, 0] and _sold(nyc, next_friday, QUEEN) == [0, 0, 0]
    refunds = sorted(Payment.objects.filter(kind=Payment.Kind.REFUND).values_list("amount", flat=True))
    assert refunds == [Decimal("541.74"), Decimal("664.14")] and gateway.total_moved == 0


@pytest.mark.django_db
def test_a_capped_promotion_counts_a_multi_room_booking_once(nyc, next_friday, gateway):
    from hotelbooking.errors import UnknownPromoCode
    from pricing.models import Promotion

    friday = next_friday + timedelta(days=14)  # inside WINTER10's dates, as in test_stay_and_promotion_rules
    Promotion.objects.filter(hotel=nyc, code="WINTER10").update(max_uses=1)

    lead = _book(friday, gateway, promo_code="WINTER10", check_out=friday + timedelta(days=3))

    assert [r.promotion.code for r in lead.booking_rooms()] == ["WINTER10", "WINTER10"]
    assert lead.grand_total == Decimal("609.51")  # each room has the promotion's price
    with pytest.raises(UnknownPromoCode, match="fully booked"):
        booking_create(request=seed_request(friday, promo_code="WINTER10", email="second@example.com"),
                       gateway=gateway)
