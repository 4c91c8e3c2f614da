"""A channel's modification with more RoomStays than were booked adds the rooms to the booking: same dates and rate
plan, inventory held (or OVERBOOKED as the profile says), the channel's amounts compared with ours; all or nothing.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db.models import F

from bookings.models import Reservation, Status
from channelmanager.models import ChannelProfile, ChannelReservation
from inventory.models import InventoryDay

from .published_shapes import Guest, Message, Room, bare, read_answer

URL = "/api/v1/channels/BOOKING_COM/reservations"

pytestmark = pytest.mark.django_db


def post(client, message: Message):
    return client.post(URL, data=bare(message), content_type="application/xml")


def sold(room_type, night) -> int:
    return InventoryDay.objects.get(room_type__code=room_type, date=night).sold


def fill(room_type, night):
    InventoryDay.objects.filter(room_type__code=room_type, date=night).update(sold=F("total") - F("out_of_order"))


def test_a_room_stay_more_than_booked_is_a_room_added_to_the_booking(channel_client, channel, next_friday):
    guests = [Guest(rph="1"), Guest(first="Omar", last="Haddad", email="", rph="2")]
    assert post(channel_client, Message(check_in=next_friday, guests=guests)).status_code == 200
    lead = Reservation.objects.get()
    lead_total = lead.grand_total
    change = Message(status="Modify", check_in=next_friday, guests=guests,
                     rooms=[Room(guests=("1",)), Room(room="STDQ", adults=1, children=(6,), guests=("2",))],
                     total="1.00", currency="USD")

    response = post(channel_client, change)

    assert response.status_code == 200, response.content
    answer = read_answer(response)
    assert answer["success"] and ("10", lead.confirmation_number) in answer["ids"]
    added = lead.companions.get()
    assert (added.confirmation_number, added.status) == (f"{lead.confirmation_number}-2", Status.CONFIRMED)
    assert (added.room_type.code, added.adults, added.child_ages, added.guest_full_name) == (
        "STANDARD-QUEEN", 1, [6], "Omar Haddad")
    assert (added.check_in, added.check_out, added.rate_plan.code) == (lead.check_in, lead.check_out, "BAR")
    assert added.grand_total > 0 and added.channel == lead.channel and not added.guest_emails
    for night in range(3):
        assert sold("STANDARD-QUEEN", next_friday + timedelta(days=night)) == 1
        assert sold("DELUXE-KING", next_friday + timedelta(days=night)) == 1
    # The channel's 1.00 is compared with the booking's two rooms, and flagged.
    lead.refresh_from_db()
    assert (lead.channel_total, lead.channel_price_differs, lead.grand_total) == (Decimal("1.000"), True, lead_total)
    assert ChannelReservation.objects.get().room_indexes == ["1", "2"]

    again = post(channel_client, change)  # the same message again: answered the same, no third room
    assert read_answer(again)["ids"] == answer["ids"] and Reservation.objects.count() == 2


def test_the_channels_total_for_the_rooms_it_added_matches_ours(channel_client, channel, next_friday):
    post(channel_client, Message(check_in=next_friday))
    ours = Reservation.objects.get().grand_total
    post(channel_client, Message(reference="PRICE", check_in=next_friday + timedelta(days=7),
                                 rooms=[Room(room="STDQ", adults=1)]))
    queen = Reservation.objects.get(room_type__code="STANDARD-QUEEN").grand_total
    change = Message(status="Modify", check_in=next_friday, rooms=[Room(), Room(room="STDQ", adults=1)],
                     total=str(ours + queen))

    assert post(channel_client, change).status_code == 200
    lead = Reservation.objects.get(lead__isnull=True, room_type__code="DELUXE-KING")
    assert lead.companions.get().grand_total == queen
    assert lead.channel_total == ours + queen and not lead.channel_price_differs


def test_a_room_added_to_a_multi_room_booking_is_then_cancelled_by_its_index(channel_client, channel, next_friday):
    rooms = [Room(total="500.00"), Room(room="STDQ", adults=1, total="300.00")]
    post(channel_client, Message(check_in=next_friday, rooms=rooms))
    lead = Reservation.objects.get(lead__isnull=True)

    change = Message(status="Modified", check_in=next_friday,
                     rooms=[*rooms, Room(room="STDQ", adults=2, total="310.00", index="7")])
    assert post(channel_client, change).status_code == 200
    third = Reservation.objects.get(confirmation_number=f"{lead.confirmation_number}-3")
    assert (third.adults, third.channel_total, third.channel_price_differs) == (2, Decimal("310.000"), True)
    assert sold("STANDARD-QUEEN", next_friday) == 2
    assert ChannelReservation.objects.get().room_indexes == ["1", "2", "7"]

    response = post(channel_client, Message(status="Cancel", check_in=next_friday, rooms=[Room(index="7")]))
    assert response.status_code == 200, response.content
    third.refresh_from_db()
    assert third.status == Status.CANCELLED and sold("STANDARD-QUEEN", next_friday) == 1
    assert set(Reservation.objects.exclude(pk=third.pk).values_list("status", flat=True)) == {Status.CONFIRMED}


def test_dates_moved_and_a_room_added_in_one_modification(channel_client, channel, next_friday):
    post(channel_client, Message(check_in=next_friday))
    later = next_friday + timedelta(days=1)
    change = Message(status="Modify", check_in=later, nights=2, rooms=[Room(), Room(room="STDQ", adults=1)])

    assert post(channel_client, change).status_code == 200
    lead = Reservation.objects.get(lead__isnull=True)
    added = lead.companions.get()
    assert (lead.check_in, added.check_in, added.check_out) == (later, later, later + timedelta(days=2))
    assert sold("DELUXE-KING", next_friday) == 0 and sold("STANDARD-QUEEN", next_friday) == 0
    assert sold("STANDARD-QUEEN", later) == 1


def test_a_sold_out_added_room_refuses_the_whole_modification(channel_client, channel, next_friday):
    post(channel_client, Message(check_in=next_friday))
    fill("STANDARD-QUEEN", next_friday + timedelta(days=1))
    change = Message(status="Modify", check_in=next_friday, rooms=[Room(adults=1), Room(room="STDQ", adults=1)],
                     guests=[Guest(last="Lund")])

    response = post(channel_client, change)

    assert response.status_code == 409 and read_answer(response)["errors"][0][2] == "SOLD_OUT"
    lead = Reservation.objects.get()  # nothing added, and the first room's change is not applied either
    assert (lead.adults, lead.guest_last_name) == (2, "Berg")
    assert ChannelReservation.objects.get().room_indexes == ["1"]


def test_a_sold_out_added_room_is_overbooked_when_the_profile_accepts_it(
        channel_client, channel, next_friday, django_capture_on_commit_callbacks):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True, alert_email="revenue@grandhotel.example")
    post(channel_client, Message(check_in=next_friday))
    full = next_friday + timedelta(days=1)
    fill("STANDARD-QUEEN", full)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(channel_client, Message(status="Modify", check_in=next_friday,
                                                rooms=[Room(), Room(room="STDQ", adults=1)]))

    assert response.status_code == 200, response.content
    added = Reservation.objects.get(lead__isnull=False)
    assert added.status == Status.CONFIRMED and added.overbooked_nights == [full.isoformat()]
    [alert] = [m for m in mail.outbox if m.subject.startswith("OVERBOOKED")]
    assert alert.to == ["revenue@grandhotel.example"] and added.confirmation_number in alert.body


def test_an_added_room_with_another_rate_plan_or_several_units_is_refused(channel_client, channel, next_friday):
    post(channel_client, Message(check_in=next_friday))
    other_plan = Message(status="Modify", check_in=next_friday, rooms=[Room(), Room(room="STDQ", rate="AAA-OTA")])
    response = post(channel_client, other_plan)
    assert response.status_code == 409 and read_answer(response)["errors"][0][2] == "MODIFICATION_NOT_ALLOWED"
    assert "rate plan" in read_answer(response)["errors"][0][3]

    units = Message(status="Modify", check_in=next_friday, rooms=[Room(), Room(room="STDQ", units=2)])
    response = post(channel_client, units)
    assert response.status_code == 400 and read_answer(response)["errors"][0][2] == "UNSUPPORTED_MESSAGE"
    assert Reservation.objects.count() == 1 and sold("STANDARD-QUEEN", next_friday) == 0


def test_a_cancelled_room_stay_the_booking_never_had_is_refused(channel_client, channel, next_friday):
    post(channel_client, Message(check_in=next_friday))
    change = Message(status="Modify", check_in=next_friday, rooms=[Room(), Room(room="STDQ", status="Cancelled")])
    response = post(channel_client, change)
    assert response.status_code == 409 and read_answer(response)["errors"][0][2] == "MODIFICATION_NOT_ALLOWED"
