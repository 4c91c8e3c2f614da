"""A room added to a confirmed booking (bookings.services.booking_room_add): one more room of the same booking,
numbered <number>-<n>, its nights, lines and inventory, all in one transaction or nothing; no money moved.

The booking: NYC, AAA rate, Friday to Monday, a Deluxe King for two (the seed's 664.14), made by a channel that
collects the money. The room added: a Standard Queen for one adult and a child of 7 (149 + 179 + 159 = 487.00
less 10 % = 438.30, tax 58.44, resort fee 45.00: 541.74).
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.cancellations import room_cancel
from bookings.models import Channel, OutboxEvent, Payment, Reservation, Status
from bookings.payments import TestGateway
from bookings.services import RoomRequest, booking_create, booking_room_add
from hotelbooking.errors import ModificationNotAllowed, SoldOut
from inventory.models import InventoryDay

from .booking_setup import seed_request

QUEEN = "STANDARD-QUEEN"
ADDED = RoomRequest(QUEEN, adults=1, children=1, child_ages=[7])

pytestmark = pytest.mark.django_db


def _sold(friday, code=QUEEN):
    return list(InventoryDay.objects.filter(room_type__code=code, date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _channel_booking(friday, **overrides):
    fields = dict(card=None, collect_payment=False, channel=Channel.OTA, source="BOOKING_COM", guest_emails=False)
    fields.update(overrides)
    return booking_create(request=seed_request(friday, **fields), gateway=TestGateway())


def _sell_out(friday, night=1, code=QUEEN):
    day = InventoryDay.objects.get(room_type__code=code, date=friday + timedelta(days=night))
    InventoryDay.objects.filter(pk=day.pk).update(total=day.sold + day.out_of_order)


def test_the_room_joins_the_booking_with_its_nights_lines_and_inventory(nyc, next_friday):
    lead = _channel_booking(next_friday)
    before = _sold(next_friday)

    added = booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED, collect_payment=False,
                             actor="channel:BOOKING_COM")

    assert added.confirmation_number == f"{lead.confirmation_number}-2" and added.status == Status.CONFIRMED
    assert (added.lead, added.room_type.code, added.adults, added.children, added.child_ages) == (lead, QUEEN, 1, 1,
                                                                                                  [7])
    assert (added.check_in, added.check_out, added.rate_plan.code) == (lead.check_in, lead.check_out, "AAA")
    assert (added.room_total, added.taxes, added.fees, added.grand_total) == (
        Decimal("438.30"), Decimal("58.44"), Decimal("45.00"), Decimal("541.74"))
    assert [n.rate for n in added.nights.order_by("date")] == [Decimal("149"), Decimal("179"), Decimal("159")]
    assert [t["name"] for t in added.charge_lines["taxes"]] and added.charge_lines["fees"]
    assert (added.guest, added.guest_full_name, added.channel, added.source, added.guest_emails) == (
        lead.guest, "John Smith", Channel.OTA, "BOOKING_COM", False)
    assert added.payment_terms == {} and not Payment.objects.exists()  # the channel collects
    assert _sold(next_friday) == [n + 1 for n in before]
    assert [r.pk for r in lead.booking_rooms()] == [lead.pk, added.pk]
    event = OutboxEvent.objects.filter(reservation=added).get()
    assert (event.name, event.payload["booking"], event.payload["room"]) == (
        "ReservationConfirmed", lead.confirmation_number, 2)
    assert added.status_changes.get(to_status=Status.CONFIRMED).note.startswith("Room 2 added to booking")


def test_a_sold_out_night_refuses_the_room_and_changes_nothing(nyc, next_friday):
    lead = _channel_booking(next_friday)
    _sell_out(next_friday)
    before = _sold(next_friday)

    with pytest.raises(SoldOut) as refused:
        booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED, collect_payment=False)

    assert refused.value.details["room"] == 2
    assert Reservation.objects.count() == 1 and _sold(next_friday) == before
    assert not OutboxEvent.objects.filter(reservation__lead=lead).exists()


def test_overbooking_holds_what_exists_and_lists_the_short_night(nyc, next_friday):
    lead = _channel_booking(next_friday)
    _sell_out(next_friday)

    added = booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED, collect_payment=False,
                             overbook=True)

    assert added.status == Status.CONFIRMED
    assert added.overbooked_nights == [(next_friday + timedelta(days=1)).isoformat()]


def test_a_booking_paid_when_made_books_the_room_on_its_own(nyc, next_friday):
    paid = booking_create(request=seed_request(next_friday), gateway=TestGateway())
    assert Payment.objects.filter(reservation=paid).exists()

    with pytest.raises(ModificationNotAllowed):
        booking_room_add(confirmation_number=paid.confirmation_number, room=ADDED)

    assert Reservation.objects.count() == 1


def test_a_booking_settled_at_the_hotel_takes_the_room_at_the_hotel(nyc, next_friday):
    lead = booking_create(request=seed_request(next_friday, card=None, settle_at_hotel=True), gateway=TestGateway())

    added = booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED)

    assert added.payment_terms["guarantee"] == "PAY_AT_HOTEL" and added.grand_total == Decimal("541.74")
    assert not Payment.objects.exists()


def test_other_dates_or_plan_than_the_bookings_are_refused(nyc, next_friday):
    lead = _channel_booking(next_friday)
    for expected in ({"check_in": next_friday + timedelta(days=1)}, {"rate_plan_code": "BAR"}):
        with pytest.raises(ModificationNotAllowed):
            booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED, collect_payment=False,
                             **expected)
    assert Reservation.objects.count() == 1


def test_a_cancelled_booking_takes_no_room_and_a_cancelled_room_keeps_its_number(nyc, next_friday):
    lead = booking_create(request=seed_request(next_friday, card=None, collect_payment=False, channel=Channel.OTA,
                                               rooms=(RoomRequest("DELUXE-KING", adults=2), ADDED)),
                          gateway=TestGateway())
    room_cancel(confirmation_number=lead.confirmation_number, room=2, reason="Channel", gateway=TestGateway())

    third = booking_room_add(confirmation_number=f"{lead.confirmation_number}-2", room=ADDED, collect_payment=False)

    assert third.confirmation_number == f"{lead.confirmation_number}-3"
    room_cancel(confirmation_number=lead.confirmation_number, room=1, reason="Channel", gateway=TestGateway())
    room_cancel(confirmation_number=lead.confirmation_number, room=3, reason="Channel", gateway=TestGateway())
    with pytest.raises(ModificationNotAllowed):
        booking_room_add(confirmation_number=lead.confirmation_number, room=ADDED, collect_payment=False)
