"""A channel's own credentials: made in the admin or by `create_api_key --channel`, good for that channel only."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from bookings.models import Reservation
from channelmanager.models import ChannelKey
from inventory.models import HotelAPIKey

from .channel_setup import read_rs, res_notif

pytestmark = pytest.mark.django_db
URL = "/api/v1/channels/BOOKING_COM/reservations"


def keyed(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_create_api_key_with_a_channel_makes_a_key_for_that_channel_only(channel, nyc, next_friday):
    out = StringIO()
    call_command("create_api_key", "BDC inbound", "--channel", "booking_com", stdout=out)
    key = out.getvalue().rstrip().splitlines()[-1]
    api_key = HotelAPIKey.objects.get_from_key(key)
    assert api_key.scope == "channel" and list(api_key.hotels.all()) == [nyc]
    assert ChannelKey.objects.get(api_key=api_key).channel == channel

    response = keyed(key).post(URL, data=res_notif(check_in=next_friday), content_type="application/xml")
    assert response.status_code == 200 and read_rs(response)["success"]
    assert Reservation.objects.get().source == "BOOKING_COM"
    # The channel's key is no partner key: the bookings API is not its door.
    assert keyed(key).get(f"/api/v1/bookings/{read_rs(response)['confirmation']}").status_code == 403


def test_create_api_key_refuses_an_unknown_or_ambiguous_channel(channel, nyc):
    from channelmanager.models import Channel
    from tests.factories import HotelFactory

    with pytest.raises(CommandError, match="No channel EXPEDIA"):
        call_command("create_api_key", "x", "--channel", "EXPEDIA", stdout=StringIO())
    other = HotelFactory(code="BOS")
    Channel.objects.create(hotel=other, code="BOOKING_COM", name="Booking.com")
    with pytest.raises(CommandError, match="several hotels"):
        call_command("create_api_key", "x", "--channel", "BOOKING_COM", stdout=StringIO())
    call_command("create_api_key", "x", "--channel", "BOOKING_COM", "--hotel", "BOS", stdout=StringIO())
    assert ChannelKey.objects.get().channel.hotel == other


def test_a_channel_key_is_made_in_the_admin_and_shown_once(client, channel, nyc, next_friday):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    response = client.post("/admin/channelmanager/channelkey/add/", {"channel": channel.pk, "name": "BDC"},
                           follow=True)
    assert response.status_code == 200
    message = next(str(m) for m in response.context["messages"] if "API key" in str(m))
    key = message.split("is: ")[1].split(" ")[0]
    binding = ChannelKey.objects.get()
    assert (binding.channel, binding.api_key.scope, binding.api_key.name) == (channel, "channel", "BDC")
    assert keyed(key).post(URL, data=res_notif(check_in=next_friday),
                           content_type="application/xml").status_code == 200


def test_a_channel_key_of_another_hotels_channel_is_refused(channel, nyc, next_friday):
    """BOS's Booking.com key sending a message for NYC (HotelCode NYC) books nothing at NYC."""
    from channelmanager.models import Channel
    from channelmanager.services import channel_key_create
    from tests.factories import HotelFactory

    bos_channel = Channel.objects.create(hotel=HotelFactory(code="BOS"), code="BOOKING_COM", name="BDC BOS")
    _, key = channel_key_create(channel=bos_channel, name="BDC BOS")
    response = keyed(key).post(URL, data=res_notif(check_in=next_friday), content_type="application/xml")
    assert response.status_code == 404 and read_rs(response)["errors"][0][2] == "CHANNEL_NOT_FOUND"
    assert not Reservation.objects.exists()

