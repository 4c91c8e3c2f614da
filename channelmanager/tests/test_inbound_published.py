"""Channel reservations as channel managers and OTAs publish them: SOAP 1.1 with WS-Security or HTTP Basic,
every ResStatus spelling, Expedia's id types and modify message, per-channel error style."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from bookings.models import Reservation, Status
from channelmanager.models import ChannelProfile, ChannelReservation

from .channel_setup import channel_client as client_for
from .channel_setup import make_channel
from .published_shapes import Message, Room, bare, basic, read_answer, soap

URL = "/api/v1/channels/{code}/reservations"

pytestmark = pytest.mark.django_db


def profile(channel, **kw) -> ChannelProfile:
    password = kw.pop("password", None)
    p = ChannelProfile(channel=channel, **kw)
    if password:
        p.set_inbound_password(password)
    p.save()
    return p


@pytest.fixture
def siteminder(nyc):
    channel = make_channel(nyc, "OTHER", name="SiteMinder")
    profile(channel, inbound_username="siteminder-nyc", password="pa55-word-sm")
    return channel


def post(client, body, code="OTHER", content_type="text/xml; charset=utf-8", **headers):
    return client.post(URL.format(code=code), data=body, content_type=content_type, **headers)


def test_a_soap_message_signed_with_a_username_token_books_and_is_answered_in_soap(siteminder, next_friday):
    body = soap(Message(status="Reserved", check_in=next_friday), username="siteminder-nyc", password="pa55-word-sm")

    response = post(APIClient(), body)

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    answer = read_answer(response)
    assert answer["soap"] and answer["name"] == "OTA_HotelResNotifRS" and answer["success"]
    assert answer["echo"] == "echo-sm-1"
    r = Reservation.objects.get()
    assert ("14", "SM-5001") in answer["ids"] and ("10", r.confirmation_number) in answer["ids"]
    assert (r.status, r.source, r.room_type.code, r.adults) == (Status.CONFIRMED, "OTHER", "DELUXE-KING", 2)


def test_http_basic_with_a_bare_message(siteminder, next_friday):
    client = APIClient()
    response = post(client, bare(Message(status="New", check_in=next_friday)), content_type="application/xml",
                    HTTP_AUTHORIZATION=basic("siteminder-nyc", "pa55-word-sm"))
    assert response.status_code == 200, response.content
    answer = read_answer(response)
    assert not answer["soap"] and answer["success"] and Reservation.objects.count() == 1


@pytest.mark.parametrize(("username", "password"), [("siteminder-nyc", "wrong"), ("nobody", "pa55-word-sm"),
                                                    ("", ""), ("SITEMINDER-NYC", "pa55-word-sm")])
def test_wrong_credentials_are_an_opentravel_authentication_error_in_the_same_wrapping(siteminder, next_friday,
                                                                                       username, password):
    response = post(APIClient(), soap(Message(check_in=next_friday), username=username, password=password))
    assert response.status_code in (401, 403)
    answer = read_answer(response)
    assert answer["soap"] and not answer["success"]
    assert answer["errors"][0][2] in ("AUTHENTICATION_REQUIRED", "FORBIDDEN")
    assert not Reservation.objects.exists()


def test_credentials_of_one_channel_do_not_open_another_channels_door(siteminder, next_friday):
    make_channel(siteminder.hotel, "EXPEDIA")
    response = post(APIClient(), bare(Message(check_in=next_friday)), code="EXPEDIA",
                    HTTP_AUTHORIZATION=basic("siteminder-nyc", "pa55-word-sm"))
    assert response.status_code == 401 and not Reservation.objects.exists()


def test_a_password_digest_token_is_refused_clearly(siteminder, next_friday):
    body = soap(Message(check_in=next_friday), username="siteminder-nyc", password="abc",
                password_type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
                              "#PasswordDigest")
    response = post(APIClient(), body)
    assert response.status_code == 401 and "PasswordText" in read_answer(response)["errors"][0][3]


def test_a_channel_key_may_send_soap_too(channel_client, channel, next_friday):
    response = post(channel_client, soap(Message(check_in=next_friday)), code="BOOKING_COM")
    assert response.status_code == 200 and read_answer(response)["soap"]


@pytest.mark.parametrize("word", ["Commit", "Book", "Reserved", "New", "commit"])
def test_every_booking_spelling_books(channel_client, channel, next_friday, word):
    response = post(channel_client, bare(Message(status=word, check_in=next_friday)), code="BOOKING_COM")
    assert response.status_code == 200, response.content
    assert Reservation.objects.get().status == Status.CONFIRMED


@pytest.mark.parametrize("word", ["Modify", "Modified"])
def test_every_modification_spelling_modifies(channel_client, channel, next_friday, word):
    post(channel_client, bare(Message(check_in=next_friday)), code="BOOKING_COM")
    later = next_friday + timedelta(days=1)
    response = post(channel_client, bare(Message(status=word, check_in=later)), code="BOOKING_COM")
    assert response.status_code == 200, response.content
    assert Reservation.objects.get().check_in == later


@pytest.mark.parametrize("word", ["Cancel", "Cancelled", "Canceled"])
def test_every_cancellation_spelling_cancels(channel_client, channel, next_friday, word):
    post(channel_client, bare(Message(check_in=next_friday)), code="BOOKING_COM")
    response = post(channel_client, bare(Message(status=word, check_in=next_friday)), code="BOOKING_COM")
    assert response.status_code == 200, response.content
    assert Reservation.objects.get().status == Status.CANCELLED


def test_a_channels_own_words_come_from_its_profile(channel_client, channel, next_friday):
    body = bare(Message(status="Pending", check_in=next_friday))
    assert post(channel_client, body, code="BOOKING_COM").status_code == 400  # UNSUPPORTED_MESSAGE
    profile(channel, res_status_words={"Pending": "Book"})
    assert post(channel_client, body, code="BOOKING_COM").status_code == 200
    assert Reservation.objects.count() == 1


@pytest.fixture
def expedia(nyc):
    channel = make_channel(nyc, "EXPEDIA")
    profile(channel, channel_id_type="8", hotel_id_type="3", error_style=ChannelProfile.ErrorStyle.OTA_ERRORS)
    return channel


def test_expedia_ids_and_its_modify_message(expedia, next_friday):
    client = client_for(expedia)
    booked = read_answer(post(client, soap(Message(reference="EXP-778899", status="Commit", check_in=next_friday,
                                                   id_type="8")), code="EXPEDIA"))
    r = Reservation.objects.get()
    assert booked["success"] and booked["unique_type"] == "8"
    assert ("8", "EXP-778899") in booked["ids"] and ("3", r.confirmation_number) in booked["ids"]
    assert ChannelReservation.objects.get().external_reference == "EXP-778899"

    later = next_friday + timedelta(days=2)
    modify = Message(reference="EXP-778899", status="Modify", check_in=later, id_type="8",
                     root="OTA_HotelResModifyNotifRQ", our_number=("3", r.confirmation_number))
    response = post(client, soap(modify), code="EXPEDIA")
    assert response.status_code == 200, response.content
    answer = read_answer(response)
    assert answer["name"] == "OTA_HotelResModifyNotifRS" and answer["success"]
    assert ("3", r.confirmation_number) in answer["ids"]
    r.refresh_from_db()
    assert r.check_in == later

    cancel = Message(reference="EXP-778899", status="Cancel", check_in=later, id_type="8",
                     root="OTA_HotelResModifyNotifRQ")
    assert read_answer(post(client, soap(cancel), code="EXPEDIA"))["success"]
    r.refresh_from_db()
    assert r.status == Status.CANCELLED


@pytest.mark.parametrize(("changes", "expected"), [
    ({"rooms": [Room(room="PENTHOUSE")]}, "UNKNOWN_ROOM_TYPE"),
    ({"rooms": [Room(units=6, adults=6)]}, "SOLD_OUT"),
    ({"status": "Modify"}, "RESERVATION_NOT_FOUND"),
])
def test_a_profile_asking_for_it_gets_business_refusals_with_http_200(expedia, next_friday, changes, expected):
    response = post(client_for(expedia), soap(Message(check_in=next_friday, id_type="8", **changes)), code="EXPEDIA")
    assert response.status_code == 200
    answer = read_answer(response)
    assert answer["soap"] and not answer["success"] and answer["errors"][0][2] == expected
    assert not Reservation.objects.exists()


def test_a_malformed_message_from_a_channel_wanting_200_gets_200_with_errors(expedia):
    response = post(client_for(expedia), b"<OTA_HotelResNotifRQ><Unclosed>", code="EXPEDIA")
    assert response.status_code == 200 and read_answer(response)["errors"][0][2] == "MALFORMED_REQUEST"


def test_authentication_errors_keep_their_status_whatever_the_profile(expedia, next_friday):
    response = post(APIClient(), soap(Message(check_in=next_friday)), code="EXPEDIA")
    assert response.status_code == 401 and read_answer(response)["soap"]


@pytest.mark.parametrize("body", [
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>',
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><a/><b/></soap:Body>'
    b"</soap:Envelope>",
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><OTA_PingRQ/></soap:Body>'
    b"</soap:Envelope>",
    b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><Security><UsernameToken>'
    b"</UsernameToken></Security></soap:Header><soap:Body><OTA_HotelResNotifRQ/></soap:Body></soap:Envelope>",
    b"<OTA_HotelResModifyNotifRQ><HotelResModifies><HotelResModify ResStatus=\"Modify\"/></HotelResModifies>"
    b"</OTA_HotelResModifyNotifRQ>",
    b'<OTA_HotelResNotifRQ><HotelReservations><HotelReservation><UniqueID ID="1"/><RoomStays><RoomStay>'
    b'<RoomTypes><RoomType RoomTypeCode="DLXK"/></RoomTypes><RatePlans><RatePlan RatePlanCode="BAR-OTA"/>'
    b'</RatePlans><TimeSpan Start="2030-01-01" End="2030-01-02"/><GuestCounts><GuestCount Count="x"/>'
    b"</GuestCounts></RoomStay></RoomStays></HotelReservation></HotelReservations></OTA_HotelResNotifRQ>",
])
@pytest.mark.parametrize("sender", ["key", "basic", "none"])
def test_malformed_envelopes_and_messages_never_500(siteminder, body, sender):
    client = client_for(siteminder) if sender == "key" else APIClient()
    headers = {"HTTP_AUTHORIZATION": basic("siteminder-nyc", "pa55-word-sm")} if sender == "basic" else {}
    response = post(client, body, **headers)
    assert 400 <= response.status_code < 500, response.content
    answer = read_answer(response)
    assert not answer["success"] and answer["errors"][0][3]
    assert not Reservation.objects.exists()


@pytest.mark.parametrize("header", ["Basic !!!", "Basic " + "bm8tY29sb24=", basic("siteminder-nyc\x00", "x"),
                                    basic("siteminder-nyc", "pa55-word-sm\x00")])
def test_a_basic_header_that_is_not_user_and_password(siteminder, next_friday, header):
    response = post(APIClient(), bare(Message(check_in=next_friday)), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and read_answer(response)["errors"][0][2] == "AUTHENTICATION_REQUIRED"


def _full_message(check_in) -> Message:
    from .published_shapes import Guest

    return Message(check_in=check_in, rooms=[
        Room(children=(7,), infants=(1,), total="10.00", services=("1",)), Room(room="STDQ", adults=1)],
        guests=[Guest(loyalty="L1"), Guest(first="B", last="C")], booker=Guest(first="D", last="E"),
        arrival="10:00:00", requests=("r",), comments=(("c", False),), services=(("BRKF", 1, "1"),), card=True,
        total="20.00")


def _mutations():
    """Every attribute and text of a full message (two rooms, children, infants, services, guests, booker, card,
    comments, totals), each replaced by values a careless or hostile sender might put there."""
    from datetime import date

    from .published_shapes import ota

    root = ota(_full_message(date(2030, 1, 4)))
    spots = [(i, name) for i, element in enumerate(root.iter()) for name in element.attrib if name != "xmlns"]
    spots += [(i, None) for i, element in enumerate(root.iter()) if (element.text or "").strip()]
    return spots


_SPOTS = _mutations()


@pytest.mark.parametrize("spot", _SPOTS, ids=lambda s: f"{s[0]}-{s[1] or 'text'}")
def test_no_value_anywhere_in_a_full_message_makes_a_500(channel_client, channel, next_friday, spot):
    import xml.etree.ElementTree as ET

    from .published_shapes import ota

    for n, value in enumerate(("", "-1", "x" * 300, "99999999999999999999", "2030-02-30", "\u202e\u0661")):
        root = ota(_full_message(next_friday))
        root.find(".//UniqueID").set("ID", f"M-{n}")  # a new booking each time, not the replay of the last
        element = list(root.iter())[spot[0]]
        if spot[1] is None:
            element.text = value
        else:
            element.set(spot[1], value)
        body = ET.tostring(root, encoding="utf-8")
        response = channel_client.post(URL.format(code="BOOKING_COM"), data=body, content_type="application/xml")
        assert response.status_code < 500, (spot, value, response.content[:500])
        read_answer(response)  # always an OpenTravel answer


def test_the_full_message_the_mutations_start_from_books(channel_client, channel, next_friday):
    response = post(channel_client, bare(_full_message(next_friday)), code="BOOKING_COM")
    assert response.status_code == 200, response.content
    assert Reservation.objects.count() == 2
