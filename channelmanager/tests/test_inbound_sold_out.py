"""A booking the channel has already sold: taken when the profile says so, flagged OVERBOOKED on the reservation,
the admin and the desk, staff emailed; refused as before otherwise; the inventory CHECK constraint untouched."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import F

from bookings.models import Reservation, Status
from channelmanager.models import ChannelProfile
from frontdesk.tests.conftest import at
from inventory.models import InventoryDay

from .published_shapes import Message, Room, bare, read_answer

URL = "/api/v1/channels/BOOKING_COM/reservations"

pytestmark = pytest.mark.django_db


def post(client, message: Message):
    return client.post(URL, data=bare(message), content_type="application/xml")


def fill(nyc, room_type, night):
    """Every room of the type sold that night (by other bookings)."""
    InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code=room_type, date=night).update(
        sold=F("total") - F("out_of_order"))


def day(room_type, night) -> InventoryDay:
    return InventoryDay.objects.get(room_type__code=room_type, date=night)


def test_sold_out_is_refused_without_the_profile(channel_client, channel, nyc, next_friday):
    fill(nyc, "DELUXE-KING", next_friday + timedelta(days=1))
    response = post(channel_client, Message(check_in=next_friday))
    assert response.status_code == 409 and read_answer(response)["errors"][0][2] == "SOLD_OUT"
    assert not Reservation.objects.exists()


def test_a_sold_out_night_is_taken_and_flagged_when_the_profile_accepts_it(
        channel_client, channel, nyc, next_friday, django_capture_on_commit_callbacks):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True, alert_email="revenue@grandhotel.example")
    full = next_friday + timedelta(days=1)
    fill(nyc, "DELUXE-KING", full)
    total = day("DELUXE-KING", full).total

    with django_capture_on_commit_callbacks(execute=True):
        response = post(channel_client, Message(check_in=next_friday))

    assert response.status_code == 200, response.content
    r = Reservation.objects.get()
    assert r.status == Status.CONFIRMED and r.overbooked and r.overbooked_nights == [full.isoformat()]
    # The nights with a room are held as usual; the full one stays at what exists (the CHECK constraint holds).
    assert day("DELUXE-KING", next_friday).sold == 1 and day("DELUXE-KING", full).sold == total
    [alert] = [m for m in mail.outbox if m.subject.startswith("OVERBOOKED")]
    assert alert.to == ["revenue@grandhotel.example"] and r.confirmation_number in alert.body
    assert full.isoformat() in alert.body
    assert not [m for m in mail.outbox if "anna@example.com" in m.to]  # the channel writes to its guest


def test_one_sold_out_room_of_a_multi_room_booking_is_flagged_alone(channel_client, channel, nyc, next_friday):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    fill(nyc, "STANDARD-QUEEN", next_friday)
    response = post(channel_client, Message(check_in=next_friday, rooms=[Room(), Room(room="STDQ", adults=1)]))
    assert response.status_code == 200, response.content
    lead = Reservation.objects.get(lead__isnull=True)
    assert not lead.overbooked and lead.companions.get().overbooked_nights == [next_friday.isoformat()]


def test_the_alert_goes_to_the_hotel_when_the_profile_names_nobody(channel_client, channel, nyc, next_friday,
                                                                   django_capture_on_commit_callbacks):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    fill(nyc, "DELUXE-KING", next_friday)
    with django_capture_on_commit_callbacks(execute=True):
        post(channel_client, Message(check_in=next_friday))
    assert [m.to for m in mail.outbox if m.subject.startswith("OVERBOOKED")] == [[nyc.email]]


def test_stop_sell_and_restrictions_do_not_refuse_what_the_channel_sold(channel_client, channel, nyc, next_friday):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=next_friday).update(stop_sell=True,
                                                                                         closed_to_arrival=True)
    response = post(channel_client, Message(check_in=next_friday))
    assert response.status_code == 200, response.content
    r = Reservation.objects.get()
    assert not r.overbooked and day("DELUXE-KING", next_friday).sold == 1  # a room existed: no overbooking


def test_the_database_still_forbids_overselling_on_every_other_path(nyc, next_friday):
    fill(nyc, "DELUXE-KING", next_friday)
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=next_friday).update(sold=F("sold") + 1)


def test_cancelling_an_overbooked_booking_gives_back_only_what_it_held(channel_client, channel, nyc, next_friday):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    full = next_friday + timedelta(days=1)
    fill(nyc, "DELUXE-KING", full)
    post(channel_client, Message(check_in=next_friday))
    total = day("DELUXE-KING", full).total

    response = post(channel_client, Message(status="Cancel", check_in=next_friday, rooms=[]))

    assert response.status_code == 200, response.content
    assert day("DELUXE-KING", next_friday).sold == 0 and day("DELUXE-KING", full).sold == total


def test_the_desk_and_the_admin_show_the_overbooking(channel_client, channel, nyc, next_friday, admin_client):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    fill(nyc, "DELUXE-KING", next_friday)
    post(channel_client, Message(check_in=next_friday, total="12.34", currency="CAD",
                                 comments=(("VIP of the channel's loyalty programme", False),),
                                 rooms=[Room(adults=2, children=(8,), infants=(0,))]))
    r = Reservation.objects.get()

    with at(next_friday, 10):
        page = admin_client.get("/admin/frontdesk/stay/desk/").content.decode()
    row = page[page.index(f">{r.confirmation_number}</a>"):]
    row = row[:row.index("</tr>")]
    assert "OVERBOOKED" in row and "Channel price 12.340 CAD" in row
    assert "2 adults, 1 child (8), 1 infant" in row
    assert "Staff: VIP of the channel" in row

    with at(next_friday, 10):
        chart = admin_client.get(f"/admin/frontdesk/stay/tape-chart/?hotel=NYC&start={next_friday}").content.decode()
    waiting = chart[chart.index(f'id="waiting-{r.confirmation_number}"'):]
    assert "OVERBOOKED" in waiting[:waiting.index("</li>")]

    listing = admin_client.get("/admin/bookings/reservation/?overbooked=yes").content.decode()
    assert r.confirmation_number in listing
    change = admin_client.get(f"/admin/bookings/reservation/{r.pk}/change/").content.decode()
    assert next_friday.isoformat() in change and "12.340" in change and "CAD" in change


def test_a_modification_onto_a_sold_out_night_is_taken_and_flagged_when_the_profile_accepts_it(
        channel_client, channel, nyc, next_friday, django_capture_on_commit_callbacks):
    ChannelProfile.objects.create(channel=channel, accept_sold_out=True)
    post(channel_client, Message(check_in=next_friday))
    extra_night = next_friday + timedelta(days=3)
    fill(nyc, "DELUXE-KING", extra_night)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(channel_client, Message(status="Modify", check_in=next_friday, nights=4))

    assert response.status_code == 200, response.content
    r = Reservation.objects.get()
    assert (r.check_out, r.overbooked_nights) == (next_friday + timedelta(days=4), [extra_night.isoformat()])
    assert [m for m in mail.outbox if m.subject.startswith("OVERBOOKED")]

    # Moving back off the night clears the flag.
    assert post(channel_client, Message(status="Modify", check_in=next_friday, nights=3)).status_code == 200
    r.refresh_from_db()
    assert not r.overbooked and r.check_out == next_friday + timedelta(days=3)


def test_a_modification_onto_a_sold_out_night_is_refused_without_the_profile(channel_client, channel, nyc,
                                                                             next_friday):
    post(channel_client, Message(check_in=next_friday))
    fill(nyc, "DELUXE-KING", next_friday + timedelta(days=3))
    response = post(channel_client, Message(status="Modify", check_in=next_friday, nights=4))
    assert response.status_code == 409 and read_answer(response)["errors"][0][2] == "SOLD_OUT"
    assert Reservation.objects.get().check_out == next_friday + timedelta(days=3)
