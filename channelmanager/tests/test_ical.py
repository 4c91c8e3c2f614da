"""The iCalendar feed of booked nights, read with the icalendar library as a channel would."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from bookings.cancellations import reservation_cancel
from bookings.payments import TestGateway
from channelmanager.models import IcalFeed
from inventory.models import RoomType

from .channel_setup import book

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(nyc, channel):
    return IcalFeed.objects.create(hotel=nyc, channel=channel,
                                   room_type=RoomType.objects.get(hotel=nyc, code="JUNIOR-SUITE"))


def _events(client, feed):
    response = client.get(f"/channels/ical/{feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = [(e.decoded("dtstart"), e.decoded("dtend"), str(e["summary"])) for e in calendar.walk("VEVENT")]
    return calendar, sorted(events), response.content


def test_booked_nights_are_listed_without_guest_data(client, feed, next_friday):
    book(next_friday, nights=2, room_type="JUNIOR-SUITE", email="vip@example.com")
    book(next_friday + timedelta(days=1), nights=2, room_type="JUNIOR-SUITE", email="other@example.com")
    book(next_friday + timedelta(days=1), nights=1, room_type="JUNIOR-SUITE", email="third@example.com")
    book(next_friday + timedelta(days=9), nights=1, room_type="DELUXE-KING")  # another room type's feed

    calendar, events, raw = _events(client, feed)

    f = next_friday
    assert str(calendar["x-wr-calname"]) == "Grand Hotel NYC: Junior Suite"
    assert events == [
        (f, f + timedelta(days=1), "Booked (1 of 3 rooms)"),
        (f + timedelta(days=1), f + timedelta(days=2), "Sold out"),
        (f + timedelta(days=2), f + timedelta(days=3), "Booked (1 of 3 rooms)"),
    ]
    assert b"Smith" not in raw and b"example.com" not in raw and b"GH-NYC" not in raw
    assert len({e["uid"] for e in calendar.walk("VEVENT")}) == 3


def test_a_cancelled_stay_leaves_the_feed(client, feed, next_friday):
    r = book(next_friday, nights=2, room_type="JUNIOR-SUITE")
    assert len(_events(client, feed)[1]) == 1
    reservation_cancel(confirmation_number=r.confirmation_number, reason="x", gateway=TestGateway())
    assert _events(client, feed)[1] == []


def test_an_unknown_or_disabled_feed_is_not_found(client, feed):
    assert client.get("/channels/ical/not-a-token.ics").status_code == 404
    feed.is_active = False
    feed.save()
    assert client.get(f"/channels/ical/{feed.token}.ics").status_code == 404


def test_each_feed_has_its_own_secret_token(nyc, feed):
    other = IcalFeed.objects.create(hotel=nyc, room_type=RoomType.objects.get(hotel=nyc, code="DELUXE-KING"))
    assert feed.token != other.token and len(feed.token) >= 32


def test_nights_with_every_room_out_of_order_are_closed_in_the_feed(client, feed, nyc, next_friday):
    """No booking, but every Junior Suite is out of order for two nights: a channel syncing by iCal must not
    sell them."""
    from frontdesk.services import room_out_of_order_set
    from inventory.models import Room

    for room in Room.objects.filter(room_type=feed.room_type):
        room_out_of_order_set(hotel=nyc, room_number=room.number, start=next_friday,
                              end=next_friday + timedelta(days=2), reason="Renovation")
    _, events, _ = _events(client, feed)
    assert events == [(next_friday, next_friday + timedelta(days=2), "Sold out")]


def test_stop_sell_nights_are_closed_in_the_feed(client, feed, nyc, next_friday):
    """The hotel stops selling the room type for a night: an iCal channel must see it closed."""
    from inventory.models import InventoryDay

    InventoryDay.objects.filter(room_type=feed.room_type, date=next_friday + timedelta(days=1)).update(stop_sell=True)
    _, events, _ = _events(client, feed)
    assert events == [(next_friday + timedelta(days=1), next_friday + timedelta(days=2), "Closed to sale")]
