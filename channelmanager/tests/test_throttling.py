"""Throttling: per API key, and per client address for anonymous callers; 429 with Retry-After."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.factories import api_key_for

from .channel_setup import read_rs, res_notif

pytestmark = [pytest.mark.django_db, pytest.mark.urls("channelmanager.tests.throttle_urls")]


@pytest.fixture
def rates(settings):
    def set_rates(anon="2/min", key="3/min"):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                                   "DEFAULT_THROTTLE_RATES": {"anon_search": anon, "api_key": key}}
    return set_rates


def keyed(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def test_anonymous_callers_are_limited_per_address(rates):
    rates(anon="2/min")
    client = APIClient()
    assert [client.get("/ping").status_code for _ in range(2)] == [200, 200]

    response = client.get("/ping")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "RATE_LIMITED" and response.json()["error"]["retryable"] is True
    # Another address has its own allowance.
    assert client.get("/ping", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_a_made_up_forwarded_for_does_not_reset_the_limit(rates):
    rates(anon="2/min")
    client = APIClient()
    codes = [client.get("/ping", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 429, 429]


def test_forwarded_for_counts_when_the_proxies_are_declared(rates, settings):
    rates(anon="1/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    client = APIClient()
    codes = [client.get("/ping", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(3)]
    assert codes == [200, 200, 200]


def test_key_holders_are_limited_per_key_not_by_the_anonymous_limit(rates, nyc):
    rates(anon="1/min", key="3/min")
    _, key_a = api_key_for(nyc, name="A")
    _, key_b = api_key_for(nyc, name="B")
    a = keyed(key_a)
    assert [a.get("/ping").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert keyed(key_b).get("/ping").status_code == 200
    # The anonymous allowance of the same address is untouched by the keys' traffic.
    assert APIClient().get("/ping").status_code == 200


def test_staff_sessions_are_not_throttled(rates):
    rates(anon="1/min", key="1/min")
    client = APIClient()
    client.force_login(get_user_model().objects.create_user("ops", is_staff=True))
    assert [client.get("/ping").status_code for _ in range(3)] == [200, 200, 200]


def test_a_rate_of_none_switches_the_throttle_off(rates, nyc):
    _, key = api_key_for(nyc, name="A")
    anonymous, partner = APIClient(), keyed(key)
    rates(anon="1/min", key="1/min")
    assert [anonymous.get("/ping").status_code for _ in range(2)] == [200, 429]
    assert [partner.get("/ping").status_code for _ in range(2)] == [200, 429]
    rates(anon=None, key=None)
    # The same callers, already over a limit, are no longer counted at all.
    assert [anonymous.get("/ping").status_code for _ in range(5)] == [200] * 5
    assert [partner.get("/ping").status_code for _ in range(5)] == [200] * 5


def test_a_channel_over_its_limit_gets_an_opentravel_429(rates, channel_client, channel, next_friday):
    rates(key="1/min")
    assert channel_client.post("/api/v1/channels/BOOKING_COM/reservations", res_notif(check_in=next_friday),
                               content_type="application/xml").status_code == 200

    response = channel_client.post("/api/v1/channels/BOOKING_COM/reservations",
                                   res_notif("BDC-2", check_in=next_friday), content_type="application/xml")

    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert read_rs(response)["errors"][0][:3] == ("12", "187", "RATE_LIMITED")
