"""Hostile OTA messages get a 4xx OpenTravel error, never a 500, and book nothing."""

import pytest

from bookings.models import Reservation
from channelmanager import ota_xml
from channelmanager.models import ChannelReservation
from hotelbooking.errors import MalformedMessage, ValidationFailed

from .channel_setup import read_rs, res_notif

URL = "/api/v1/channels/BOOKING_COM/reservations"

pytestmark = pytest.mark.django_db


def post(client, body):
    return client.post(URL, data=body, content_type="application/xml")


def declaring(encoding: str, body: bytes) -> bytes:
    return body.replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)


@pytest.mark.parametrize("encoding", ["foo-bar", "rot13", "base64", "hex", "zlib", "uu", "unicode_escape"])
def test_a_declared_encoding_that_is_not_a_text_encoding_is_a_malformed_message(channel_client, channel,
                                                                                 next_friday, encoding):
    response = post(channel_client, declaring(encoding, res_notif(check_in=next_friday)))

    assert response.status_code == 400
    rs = read_rs(response)
    assert not rs["success"] and rs["errors"][0][:3] == ("7", "450", "MALFORMED_REQUEST")
    assert "encoding" in rs["errors"][0][3]
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8", "UTF8", "ISO-8859-1", "us-ascii", "windows-1252"])
def test_ordinary_text_encodings_are_still_read(channel_client, channel, next_friday, encoding):
    response = post(channel_client, declaring(encoding, res_notif(check_in=next_friday)))
    assert response.status_code == 200 and read_rs(response)["success"]
    assert Reservation.objects.count() == 1


def test_an_unknown_codec_behind_a_utf16_declaration_is_refused_too():
    body = '<?xml version="1.0" encoding="rot13"?><OTA_HotelResNotifRQ/>'.encode("utf-16")
    with pytest.raises(MalformedMessage):
        ota_xml.parse_document(body)


@pytest.mark.parametrize("amount", ["1e999999999", "1E+3", "NaN", "sNaN", "Infinity", "-Infinity", "-5", "-0.01",
                                    "1_000", "0x10", "1000000000", "99999999999999999999", "1e-999999999", "12,50",
                                    "\u0661\u0662"])
def test_a_total_that_is_not_a_plain_amount_is_a_validation_error(channel_client, channel, next_friday, amount):
    body = res_notif(check_in=next_friday).replace(b'AmountAfterTax="664.14"',
                                                  f'AmountAfterTax="{amount}"'.encode())
    response = post(channel_client, body)

    assert response.status_code == 400
    rs = read_rs(response)
    assert not rs["success"] and rs["errors"][0][:3] == ("7", "450", "VALIDATION_ERROR")
    assert "AmountAfterTax" in rs["errors"][0][3]
    assert not Reservation.objects.exists() and not ChannelReservation.objects.exists()


@pytest.mark.parametrize("amount,stated", [("664.14", "664.14"), ("+664.1400", "664.1400"), (".5", "0.5"),
                                           ("999999999.99", "999999999.99")])
def test_plain_amounts_are_taken_as_stated(amount, stated):
    assert str(ota_xml._amount(amount)) == stated


def test_no_amount_is_no_stated_total():
    assert ota_xml._amount("") is None
    with pytest.raises(ValidationFailed):
        ota_xml._amount("NaN")
