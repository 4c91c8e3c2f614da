"""OTA reservations in: OTA_HotelResNotifRQ creates, modifies and cancels; never twice; never a 500."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from bookings.models import Payment, Reservation, Status
from channelmanager.models import ChannelReservation
from inventory.models import InventoryDay
from tests.factories import HotelFactory, api_key_for

from .channel_setup import cancel_notif, read_rs, res_notif
from .channel_setup import channel_client as client_for

URL = "/api/v1/channels/BOOKING_COM/reservations"

pytestmark = pytest.mark.django_db


def post(client, body, content_type="application/xml", url=URL):
    return client.post(url, data=body, content_type=content_type)


def sold(nyc, room_type, night) -> int:
    return InventoryDay.objects.get(room_type__hotel=nyc, room_type__code=room_type, date=night).sold


def test_a_commit_books_through_the_booking_service_without_charging(channel_client, channel, nyc, next_friday):
    response = post(channel_client, res_notif(check_in=next_friday, children=[7], adults=2))

    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    rs = read_rs(response)
    assert rs["success"] and rs["errors"] == [] and rs["echo"] == "echo-1"
    assert rs["reference"] == "BDC-1001" and rs["confirmation"].startswith(f"GH-NYC-{next_friday:%Y%m%d}")
    r = Reservation.objects.get(confirmation_number=rs["confirmation"])
    assert (r.status, r.channel, r.source) == (Status.CONFIRMED, "OTA", "BOOKING_COM")
    assert (r.room_type.code, r.rate_plan.code, r.check_in, r.check_out) == (
        "DELUXE-KING", "BAR", next_friday, next_friday + timedelta(days=3))
    assert (r.adults, r.children, r.child_ages, r.room_count) == (2, 1, [7], 1)
    assert (r.guest.full_name, r.guest.email, r.guest.phone) == ("Anna Berg", "anna@example.com", "+46 8 555 0100")
    assert r.special_requests == "High floor, please"
    assert not Payment.objects.filter(reservation=r).exists()
    assert "Payment collected by BOOKING_COM" in r.status_changes.last().note
    assert sold(nyc, "DELUXE-KING", next_friday) == 1
    link = ChannelReservation.objects.get()
    assert (link.external_reference, link.reservation, link.channel_total, link.channel_currency) == (
        "BDC-1001", r, Decimal("664.14"), "USD")


def test_the_same_reservation_twice_books_once_and_answers_the_same_number(channel_client, channel, nyc,
                                                                          next_friday):
    first = read_rs(post(channel_client, res_notif(check_in=next_friday)))
    again = post(channel_client, res_notif(check_in=next_friday, echo="echo-retry"))

    assert again.status_code == 200
    second = read_rs(again)
    assert second["success"] and second["echo"] == "echo-retry"
    assert second["confirmation"] == first["confirmation"]
    assert Reservation.objects.count() == 1 and ChannelReservation.objects.count() == 1
    assert sold(nyc, "DELUXE-KING", next_friday) == 1


def test_the_same_number_from_another_channel_is_another_booking(channel_client, channel, nyc, next_friday):
    from .channel_setup import make_channel

    expedia = client_for(make_channel(nyc, "EXPEDIA"))
    a = read_rs(post(channel_client, res_notif(check_in=next_friday)))
    b = read_rs(post(expedia, res_notif(check_in=next_friday), url="/api/v1/channels/EXPEDIA/reservations"))
    assert a["confirmation"] != b["confirmation"] and Reservation.objects.count() == 2
    assert Reservation.objects.get(confirmation_number=b["confirmation"]).source == "EXPEDIA"


def test_modify_moves_the_stay_and_its_rooms(channel_client, channel, nyc, next_friday):
    booked = read_rs(post(channel_client, res_notif(check_in=next_friday)))
    later = next_friday + timedelta(days=1)

    response = post(channel_client, res_notif(status="Modify", check_in=later, nights=3, adults=1))

    assert response.status_code == 200, response.content
    rs = read_rs(response)
    assert rs["success"] and rs["confirmation"] == booked["confirmation"]
    r = Reservation.objects.get()
    assert (r.check_in, r.check_out, r.adults, r.status) == (later, later + timedelta(days=3), 1, Status.CONFIRMED)
    assert sold(nyc, "DELUXE-KING", next_friday) == 0 and sold(nyc, "DELUXE-KING", later + timedelta(days=2)) == 1
    assert not Payment.objects.exists()
    assert ChannelReservation.objects.get().last_status == "Modify"


def test_modify_to_another_mapped_room_type(channel_client, channel, nyc, next_friday):
    post(channel_client, res_notif(check_in=next_friday))
    response = post(channel_client, res_notif(status="Modify", check_in=next_friday, room="STDQ"))
    assert response.status_code == 200, response.content
    assert Reservation.objects.get().room_type.code == "STANDARD-QUEEN"
    assert sold(nyc, "DELUXE-KING", next_friday) == 0 and sold(nyc, "STANDARD-QUEEN", next_friday) == 1


def test_cancel_gives_the_rooms_back_and_a_second_cancel_answers_the_same(channel_client, channel, nyc,
                                                                         next_friday):
    booked = read_rs(post(channel_client, res_notif(check_in=next_friday)))

    response = post(channel_client, cancel_notif())

    assert response.status_code == 200, response.content
    rs = read_rs(response)
    assert rs["success"] and rs["confirmation"] == booked["confirmation"] and rs["echo"] == "echo-c"
    r = Reservation.objects.get()
    assert r.status == Status.CANCELLED and "Booking_Com" in r.cancellation_reason
    assert sold(nyc, "DELUXE-KING", next_friday) == 0
    again = post(channel_client, cancel_notif())
    assert again.status_code == 200 and read_rs(again)["confirmation"] == booked["confirmation"]


def test_modify_or_cancel_of_an_unknown_reservation(channel_client, channel, next_friday):
    for body in (cancel_notif("NOPE-1"), res_notif("NOPE-2", status="Modify", check_in=next_friday)):
        response = post(channel_client, body)
        assert response.status_code == 404
        assert read_rs(response)["errors"][0][:3] == ("3", "245", "RESERVATION_NOT_FOUND")


@pytest.mark.parametrize(("changes", "status", "expected"), [
    ({"room": "PENTHOUSE"}, 400, ("3", "402", "UNKNOWN_ROOM_TYPE")),
    ({"rate": "NR-OTA"}, 400, ("3", "249", "UNKNOWN_RATE_PLAN")),
    ({"nights": 0}, 400, ("3", "15", "INVALID_DATES")),
    ({"adults": 9}, 400, ("3", "397", "INVALID_PARTY")),
    ({"units": 6, "adults": 6}, 409, ("3", "322", "SOLD_OUT")),
])
def test_refusals_are_opentravel_errors(channel_client, channel, next_friday, changes, status, expected):
    response = post(channel_client, res_notif(check_in=next_friday, **changes))

    assert response.status_code == status, response.content
    rs = read_rs(response)
    assert not rs["success"] and rs["errors"][0][:3] == expected and rs["errors"][0][3]
    assert not Reservation.objects.exists() and not ChannelReservation.objects.exists()


def test_a_date_that_is_not_a_date(channel_client, channel, next_friday):
    body = res_notif(check_in=next_friday).replace(f'Start="{next_friday}"'.encode(), b'Start="2025-13-45"')
    response = post(channel_client, body)
    assert response.status_code == 400
    assert read_rs(response)["errors"][0][2] == "INVALID_DATES"


def test_a_refused_booking_can_be_sent_again_once_rooms_free_up(channel_client, channel, nyc, next_friday):
    InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=next_friday).update(
        stop_sell=True)
    assert post(channel_client, res_notif(check_in=next_friday)).status_code == 409
    InventoryDay.objects.filter(room_type__hotel=nyc, room_type__code="DELUXE-KING", date=next_friday).update(
        stop_sell=False)
    response = post(channel_client, res_notif(check_in=next_friday))
    assert response.status_code == 200 and read_rs(response)["success"]


@pytest.mark.parametrize("body", [
    b"<OTA_HotelResNotifRQ><HotelReservations>",
    b"not xml at all",
    b"\xff\xfe<garbage",
    b"<Other/>",
    b"<OTA_HotelResNotifRQ/>",
    b'<OTA_HotelResNotifRQ><HotelReservations><HotelReservation ResStatus="Quote"><UniqueID ID="1"/>'
    b"</HotelReservation></HotelReservations></OTA_HotelResNotifRQ>",
])
def test_malformed_messages_get_a_clear_error_never_a_500(channel_client, channel, body):
    response = post(channel_client, body)
    assert response.status_code == 400, response.content
    rs = read_rs(response)
    assert not rs["success"] and rs["errors"][0][2] in {"MALFORMED_REQUEST", "REQUIRED_FIELD_MISSING",
                                                        "UNSUPPORTED_MESSAGE"}
    assert rs["errors"][0][3]


def test_an_empty_body(channel_client, channel):
    response = post(channel_client, b"")
    assert response.status_code == 400 and read_rs(response)["errors"][0][2] == "MALFORMED_REQUEST"


def test_external_entities_are_refused(channel_client, channel, next_friday, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    body = res_notif(check_in=next_friday).replace(
        b'<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode(),
    ).replace(b"<GivenName>Anna</GivenName>", b"<GivenName>&xxe;</GivenName>")

    response = post(channel_client, body)

    assert response.status_code == 400
    assert b"TOP-SECRET-CONTENT" not in response.content
    assert read_rs(response)["errors"][0][2] == "MALFORMED_REQUEST"
    assert not Reservation.objects.exists()


def test_entity_expansion_is_refused(channel_client, channel):
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
              b"<OTA_HotelResNotifRQ>&lol3;</OTA_HotelResNotifRQ>")
    response = post(channel_client, laughs)
    assert response.status_code == 400 and read_rs(response)["errors"][0][2] == "MALFORMED_REQUEST"


def test_text_xml_is_accepted_and_json_is_not(channel_client, channel, next_friday):
    assert post(channel_client, res_notif(check_in=next_friday), content_type="text/xml; charset=utf-8"
                ).status_code == 200
    response = post(channel_client, b'{"a": 1}', content_type="application/json")
    assert response.status_code == 415 and read_rs(response)["errors"][0][2] == "UNSUPPORTED_MEDIA_TYPE"


def test_without_a_key_the_answer_is_an_opentravel_authentication_error(channel, next_friday):
    response = post(APIClient(), res_notif(check_in=next_friday))
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Api-Key"
    assert read_rs(response)["errors"][0][:3] == ("4", "497", "AUTHENTICATION_REQUIRED")


def _forbidden(response):
    assert response.status_code == 403 and read_rs(response)["errors"][0][2] == "FORBIDDEN"


def test_a_key_of_another_hotel_does_not_reach_the_channel(channel, next_friday):
    _, key = api_key_for(HotelFactory(code="LAX"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    _forbidden(post(client, res_notif(check_in=next_friday)))
    assert not Reservation.objects.exists()


def test_a_partner_key_of_the_hotel_cannot_book_as_the_channel(partner_client, hotel_partner_client, channel, nyc,
                                                               next_friday):
    """The red team's attack: every Deluxe King for 0.01, nothing collected, sent with a partner's key."""
    nights = [next_friday + timedelta(days=i) for i in range(3)]
    before = list(InventoryDay.objects.filter(room_type__hotel=nyc, date__in=nights).order_by("pk")
                  .values_list("sold", "out_of_order"))
    attack = res_notif(check_in=next_friday, units=5, adults=5).replace(b'AmountAfterTax="664.14"',
                                                                         b'AmountAfterTax="0.01"')
    for client in (partner_client, hotel_partner_client):
        _forbidden(post(client, attack))
        _forbidden(post(client, cancel_notif()))
    assert not Reservation.objects.exists() and not ChannelReservation.objects.exists()
    assert [sold(nyc, "DELUXE-KING", n) for n in nights] == [0, 0, 0]
    assert list(InventoryDay.objects.filter(room_type__hotel=nyc, date__in=nights).order_by("pk")
                .values_list("sold", "out_of_order")) == before


def test_a_channel_key_speaks_only_for_its_own_channel(channel, nyc, next_friday):
    from .channel_setup import make_channel

    expedia = client_for(make_channel(nyc, "EXPEDIA"))
    _forbidden(post(expedia, res_notif(check_in=next_friday)))  # EXPEDIA's key to BOOKING_COM's door
    assert not Reservation.objects.exists()


def test_a_staff_session_cannot_speak_for_a_channel(channel, next_friday):
    from django.contrib.auth import get_user_model

    client = APIClient()
    client.force_login(get_user_model().objects.create_superuser("root", password="x"))
    _forbidden(post(client, res_notif(check_in=next_friday)))
    assert not Reservation.objects.exists()


def test_a_revoked_channel_key_is_refused(channel, next_friday):
    from inventory.models import HotelAPIKey

    client = client_for(channel)
    HotelAPIKey.objects.filter(channel_binding__channel=channel).update(revoked=True)
    response = post(client, res_notif(check_in=next_friday))
    assert response.status_code == 401 and not Reservation.objects.exists()


def test_the_hotel_code_must_match_the_channel(channel_client, channel, next_friday):
    response = post(channel_client, res_notif(check_in=next_friday, hotel="LAX"))
    assert response.status_code == 404 and read_rs(response)["errors"][0][2] == "CHANNEL_NOT_FOUND"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_the_same_moment_book_once(nyc, next_friday):
    from channelmanager.services import channel_key_create

    from .channel_setup import make_channel

    channel = make_channel(nyc, endpoint="")  # no push: nothing leaves this test
    _, key = channel_key_create(channel=channel, name="BDC")
    barrier, answers = threading.Barrier(2), []

    def deliver():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
        barrier.wait()
        try:
            answers.append(post(client, res_notif(check_in=next_friday)))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert [a.status_code for a in answers] == [200, 200]
    assert len({read_rs(a)["confirmation"] for a in answers}) == 1
    assert Reservation.objects.count() == 1 and ChannelReservation.objects.count() == 1
    assert sold(nyc, "DELUXE-KING", next_friday) == 1


def test_guests_without_an_email_on_two_channels_are_two_guests(channel_client, channel, nyc, next_friday):
    """Two channels may use the same reservation id; when neither sends an email, each booking keeps its own
    guest (name and stay history), never the other channel's."""
    from .channel_setup import make_channel

    expedia = client_for(make_channel(nyc, "EXPEDIA"))
    a = read_rs(post(channel_client, res_notif("1001", check_in=next_friday, email="")))
    other = res_notif("1001", check_in=next_friday, email="").replace(b"Anna", b"Omar").replace(b"Berg", b"Haddad")
    b = read_rs(post(expedia, other, url="/api/v1/channels/EXPEDIA/reservations"))
    ra = Reservation.objects.get(confirmation_number=a["confirmation"])
    rb = Reservation.objects.get(confirmation_number=b["confirmation"])
    assert ra.guest.full_name == "Anna Berg" and rb.guest.full_name == "Omar Haddad"
    assert ra.guest_id != rb.guest_id
    assert ra.guest.email.endswith(".invalid") and rb.guest.email.endswith(".invalid")


def test_channel_ids_that_differ_only_in_punctuation_are_different_guests(channel_client, channel, nyc, next_friday):
    a = read_rs(post(channel_client, res_notif("A/1", check_in=next_friday, email="")))
    other = res_notif("A:1", check_in=next_friday, email="").replace(b"Anna", b"Omar")
    b = read_rs(post(channel_client, other))
    ra = Reservation.objects.get(confirmation_number=a["confirmation"])
    rb = Reservation.objects.get(confirmation_number=b["confirmation"])
    assert (ra.guest.first_name, rb.guest.first_name) == ("Anna", "Omar")
