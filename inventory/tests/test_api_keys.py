"""API keys: the permission classes in hotelbooking/api.py, through a tiny test-only API."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import path
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from hotelbooking.api import HotelWork, can_reach_hotel, hotels_for
from inventory.models import Hotel, HotelAPIKey
from tests.factories import HotelFactory, api_key_for


# A tiny test-only API, the way later endpoints will use the permission classes.
class HotelResourceApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_booking"

    def get(self, request, code):
        hotel = Hotel.objects.filter(code=code).first()
        if hotel is None or not can_reach_hotel(request, hotel):
            raise NotFound()  # another hotel's resource does not exist for this caller
        return Response({"hotel": hotel.code, "reachable": sorted(h.code for h in hotels_for(request))})


class FrontDeskApi(APIView):
    permission_classes = [HotelWork]
    hotel_work = "view_desk"

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("t/hotels/<str:code>", HotelResourceApi.as_view()),
    path("t/frontdesk", FrontDeskApi.as_view()),
]

pytestmark = pytest.mark.urls("inventory.tests.test_api_keys")


@pytest.fixture
def hotels(db):
    return HotelFactory(code="NYC"), HotelFactory(code="LON")


def keyed(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def assert_401(r):
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
    assert r["WWW-Authenticate"] == "Api-Key"


def test_no_key_is_401(hotels):
    assert_401(APIClient().get("/t/hotels/NYC"))
    assert_401(APIClient().get("/t/frontdesk"))


@pytest.mark.parametrize("header", [
    "Api-Key nonsense", "Api-Key abc.def", "Api-Key ",
    "Api-Key \x00.\x00", "Api-Key été.x",
])
def test_a_wrong_key_is_401(hotels, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert_401(client.get("/t/hotels/NYC"))


def test_a_partner_key_reaches_only_its_hotels(hotels):
    nyc, lon = hotels
    _, key = api_key_for(nyc)
    client = keyed(key)
    r = client.get("/t/hotels/NYC")
    assert r.status_code == 200
    assert r.json() == {"hotel": "NYC", "reachable": ["NYC"]}
    r = client.get("/t/hotels/LON")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"


def test_a_key_for_two_hotels_reaches_both(hotels):
    _, key = api_key_for(*hotels)
    assert keyed(key).get("/t/hotels/LON").json()["reachable"] == ["LON", "NYC"]


def test_a_revoked_key_is_401(hotels):
    api_key, key = api_key_for(hotels[0])
    assert keyed(key).get("/t/hotels/NYC").status_code == 200
    api_key.revoked = True
    api_key.save()
    assert_401(keyed(key).get("/t/hotels/NYC"))


def test_a_partner_key_is_told_front_desk_endpoints_do_not_exist(hotels):
    _, key = api_key_for(hotels[0], scope="partner")
    r = keyed(key).get("/t/frontdesk")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "NOT_FOUND"


def test_a_front_desk_key_reaches_front_desk_and_partner_endpoints(hotels):
    _, key = api_key_for(hotels[0], scope="frontdesk")
    client = keyed(key)
    assert client.get("/t/frontdesk").status_code == 200
    assert client.get("/t/hotels/NYC").status_code == 200
    assert client.get("/t/hotels/LON").status_code == 404


def _staff(*perms, hotels=(), **flags):
    user = get_user_model().objects.create_user("clerk", password="x", is_staff=True, **flags)
    user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    user.hotels.set(hotels)
    client = APIClient()
    client.force_login(user)
    return client


def test_a_staff_session_without_the_permission_is_403(hotels):
    client = _staff(hotels=hotels)
    for url in ("/t/frontdesk", "/t/hotels/NYC"):
        r = client.get(url)
        assert r.status_code == 403 and r.json()["error"]["code"] == "FORBIDDEN", url


def test_a_staff_session_reaches_only_the_work_it_may_do_at_its_own_hotels(hotels):
    nyc, _ = hotels
    client = _staff("view_reservation", hotels=[nyc])
    assert client.get("/t/hotels/NYC").json() == {"hotel": "NYC", "reachable": ["NYC"]}
    assert client.get("/t/hotels/LON").status_code == 404
    assert client.get("/t/frontdesk").status_code == 403  # no front-desk permission


def test_a_superuser_session_reaches_every_hotel(hotels):
    client = _staff(is_superuser=True)
    assert client.get("/t/frontdesk").status_code == 200
    assert client.get("/t/hotels/LON").json() == {"hotel": "LON", "reachable": ["LON", "NYC"]}


def test_a_channel_key_does_no_partner_or_front_desk_work(hotels):
    _, key = api_key_for(hotels[0], scope="channel")
    assert keyed(key).get("/t/hotels/NYC").status_code == 403
    assert keyed(key).get("/t/frontdesk").status_code == 404


def test_a_non_staff_session_is_not_enough(hotels):
    client = APIClient()
    client.force_login(get_user_model().objects.create_user("guest", password="x"))
    assert_401(client.get("/t/hotels/NYC"))
    assert_401(client.get("/t/frontdesk"))


def test_keys_are_stored_hashed(hotels):
    api_key, key = api_key_for(hotels[0])
    stored = HotelAPIKey.objects.get(pk=api_key.pk)
    assert key not in (stored.hashed_key, stored.id)
    assert key.startswith(stored.prefix + ".")


def test_an_expired_key_is_401(hotels):
    api_key, key = api_key_for(hotels[0])
    api_key.expiry_date = timezone.now() - timezone.timedelta(minutes=1)
    api_key.save()
    assert_401(keyed(key).get("/t/hotels/NYC"))


def test_guessing_keys_from_one_address_is_slowed_down(hotels, settings):
    settings.API_KEY_FAILURE_LIMIT = 3
    api_key, key = api_key_for(hotels[0])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key abc.guess")
    for _ in range(3):
        assert_401(client.get("/t/hotels/NYC"))
    blocked = client.get("/t/hotels/NYC")
    assert blocked.status_code == 429 and blocked.json()["error"]["code"] == "RATE_LIMITED"
    assert int(blocked["Retry-After"]) > 0
    # Even the right key waits from that address; another address is not affected.
    assert keyed(key).get("/t/hotels/NYC").status_code == 429
    other = keyed(key)
    assert other.get("/t/hotels/NYC", REMOTE_ADDR="10.9.9.9").status_code == 200
