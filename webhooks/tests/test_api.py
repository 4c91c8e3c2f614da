"""The webhook API: each API key manages only its own endpoints and is sent only the bookings it may read;
URLs that would reach inside our network are refused."""

import pytest

from bookings.tests.booking_setup import seed_body
from tests.factories import api_key_for, staff_user
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import body_of, keyed, received

pytestmark = pytest.mark.django_db


def _register(client, url, types=("reservation.created",)):
    return client.post("/api/v1/webhooks/endpoints", {"url": url, "event_types": list(types),
                                                      "contact_email": "ops@partner.example"}, format="json")


def test_register_read_change_and_delete_an_endpoint(partner, httpserver):
    _, client = partner
    created = _register(client, "https://hooks.partner.example/in", ["reservation.created", "payment.refunded"])
    assert created.status_code == 201, created.content
    endpoint = created.json()
    assert endpoint["event_types"] == ["reservation.created", "payment.refunded"] and endpoint["active"] is True
    assert endpoint["secret"].startswith("whsec_") and endpoint["failing_since"] is None
    assert client.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").json() == endpoint
    assert client.get("/api/v1/webhooks/endpoints").json() == [endpoint]

    changed = client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}",
                           {"event_types": ["reservation.cancelled"], "description": "Cancellations only"},
                           format="json")
    assert changed.status_code == 200
    assert changed.json()["event_types"] == ["reservation.cancelled"]
    assert changed.json()["secret"] == endpoint["secret"]

    stopped = client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}", {"active": False}, format="json").json()
    assert stopped["active"] is False and stopped["disabled_reason"] == "Disabled by its owner."

    assert client.delete(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 204
    assert client.get(f"/api/v1/webhooks/endpoints/{endpoint['id']}").status_code == 404
    assert not WebhookEndpoint.objects.exists()


def test_another_keys_endpoints_and_deliveries_are_not_found(nyc, partner, stay_friday, settle, endpoint_of,
                                                            httpserver):
    _, client = partner
    httpserver.expect_request("/hooks").respond_with_data("ok")
    mine = endpoint_of(client)
    with settle():
        client.post("/api/v1/bookings", seed_body(stay_friday), format="json")
    delivery = WebhookDelivery.objects.get()
    _, other_raw = api_key_for(nyc, name="Another partner")
    other = keyed(other_raw)
    for response in (other.get(f"/api/v1/webhooks/endpoints/{mine['id']}"),
                     other.patch(f"/api/v1/webhooks/endpoints/{mine['id']}", {"active": False}, format="json"),
                     other.delete(f"/api/v1/webhooks/endpoints/{mine['id']}"),
                     other.post(f"/api/v1/webhooks/endpoints/{mine['id']}/replay", {"since": "2020-01-01T00:00Z"},
                                format="json")):
        assert response.status_code == 404 and response.json()["error"]["code"] == "WEBHOOK_ENDPOINT_NOT_FOUND"
    for response in (other.get(f"/api/v1/webhooks/deliveries/{delivery.pk}"),
                     other.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay")):
        assert response.status_code == 404 and response.json()["error"]["code"] == "WEBHOOK_DELIVERY_NOT_FOUND"
    assert other.get("/api/v1/webhooks/endpoints").json() == []
    assert other.get("/api/v1/webhooks/deliveries").json() == []
    assert WebhookEndpoint.objects.get().active


def test_a_partner_is_sent_only_the_bookings_it_may_read(nyc, partner, stay_friday, settle, endpoint_of,
                                                          httpserver):
    """Another partner's booking goes to a hotel-wide key's endpoint, not to this partner's."""
    _, client = partner
    httpserver.expect_request("/mine").respond_with_data("ok")
    httpserver.expect_request("/hotel-wide").respond_with_data("ok")
    endpoint_of(client, path="/mine")
    wide_key, wide_raw = api_key_for(nyc, name="Hotel-wide partner")
    wide_key.hotel_wide = True
    wide_key.save(update_fields=["hotel_wide"])
    endpoint_of(keyed(wide_raw), path="/hotel-wide")
    _, other_raw = api_key_for(nyc, name="Another partner")
    with settle():
        booked = keyed(other_raw).post("/api/v1/bookings", seed_body(stay_friday), format="json")
    assert booked.status_code == 201

    assert received(httpserver, "/mine") == []
    [request] = received(httpserver, "/hotel-wide")
    booking = body_of(request)["data"]["booking"]
    assert booking["confirmation_number"] == booked.json()["confirmation_number"]
    assert {h["by"] for h in booking["status_history"]} == {"partner"}  # told relative to the receiving key
    assert WebhookDelivery.objects.count() == 1


def test_a_revoked_key_is_sent_nothing(partner, stay_friday, settle, endpoint_of, httpserver):
    key, client = partner
    endpoint_of(client)
    key.revoked, key.hotel_wide = True, True  # it would reach the desk's booking, but it is revoked
    key.save(update_fields=["revoked", "hotel_wide"])
    _, other = api_key_for(*key.hotels.all(), scope="frontdesk", name="Desk")
    with settle():
        assert keyed(other).post("/api/v1/bookings", seed_body(stay_friday), format="json").status_code == 201
    assert received(httpserver) == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("url", [
    "http://hooks.partner.example/in", "https://127.0.0.1/in", "https://localhost:8443/in", "https://10.1.2.3/",
    "https://192.168.0.10/", "https://169.254.169.254/latest/meta-data", "https://[::1]/", "https://[fd00::1]/",
    "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/", "ftp://files.partner.example/"])
def test_urls_reaching_inside_are_refused_unless_allowed(partner, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    _, client = partner
    response = _register(client, url)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] in ("WEBHOOK_URL_NOT_ALLOWED", "VALIDATION_ERROR")
    if url.startswith("http"):
        assert response.json()["error"]["code"] == "WEBHOOK_URL_NOT_ALLOWED"
        assert response.json()["error"]["field"] == "url"
    assert not WebhookEndpoint.objects.exists()


def test_a_public_https_address_is_accepted_and_changing_to_a_private_one_is_refused(partner, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    _, client = partner
    created = _register(client, "https://93.184.216.34/hooks")
    assert created.status_code == 201, created.content
    changed = client.patch(f"/api/v1/webhooks/endpoints/{created.json()['id']}", {"url": "https://10.0.0.8/"},
                           format="json")
    assert changed.status_code == 400 and changed.json()["error"]["code"] == "WEBHOOK_URL_NOT_ALLOWED"
    assert WebhookEndpoint.objects.get().url == "https://93.184.216.34/hooks"


def test_a_delivery_to_an_address_that_became_private_is_refused_and_logged(partner, stay_friday, settle,
                                                                            endpoint_of, httpserver, settings):
    _, client = partner
    endpoint_of(client)
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # e.g. the name now resolves to 127.0.0.1
    with settle():
        client.post("/api/v1/bookings", seed_body(stay_friday), format="json")
    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.status_code is None and attempt.error.startswith("Refused:")
    assert received(httpserver) == []


def test_bad_input_answers_stable_codes(partner):
    _, client = partner
    unknown = _register(client, "https://hooks.partner.example/in", ["invoice.issued"])
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "UNKNOWN_EVENT_TYPE"
    empty = _register(client, "https://hooks.partner.example/in", [])
    assert empty.status_code == 400 and empty.json()["error"]["code"] == "VALIDATION_ERROR"
    no_mail = client.post("/api/v1/webhooks/endpoints", {"url": "https://hooks.partner.example/in",
                                                         "event_types": ["reservation.created"]}, format="json")
    assert no_mail.status_code == 400 and "contact_email" in no_mail.json()["error"]["fields"]
    bad_filter = client.get("/api/v1/webhooks/deliveries?endpoint=abc")
    assert bad_filter.status_code == 400 and bad_filter.json()["error"]["code"] == "VALIDATION_ERROR"
    assert client.get("/api/v1/webhooks/deliveries?state=LOST").status_code == 400
    assert client.get("/api/v1/webhooks/endpoints/999999").json()["error"]["code"] == "WEBHOOK_ENDPOINT_NOT_FOUND"


def test_only_partner_and_front_desk_keys_manage_webhooks(nyc, client):
    assert client.get("/api/v1/webhooks/endpoints").status_code == 401
    _, channel_raw = api_key_for(nyc, scope="channel", name="OTA")
    assert keyed(channel_raw).get("/api/v1/webhooks/endpoints").status_code == 403
    _, desk_raw = api_key_for(nyc, scope="frontdesk", name="Desk")
    assert keyed(desk_raw).get("/api/v1/webhooks/endpoints").status_code == 200
    clerk = staff_user("hooks-staff", perms=("webhooks.view_webhookendpoint",), hotels=[nyc])
    client.force_login(clerk)
    response = client.get("/api/v1/webhooks/endpoints")
    assert response.status_code == 403 and response.json()["error"]["code"] == "FORBIDDEN"


@pytest.mark.django_db(transaction=True)
def test_a_new_url_is_looked_up_before_the_endpoint_is_locked_never_inside_a_transaction(
        partner, endpoint_of, monkeypatch):
    from django.db import connection

    from webhooks import services

    _, client = partner
    endpoint = endpoint_of(client)
    checked_inside = []
    real_check = services.url_check

    def check(url):
        checked_inside.append(connection.in_atomic_block)
        return real_check(url)

    monkeypatch.setattr(services, "url_check", check)
    changed = client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}",
                           {"url": endpoint["url"].replace("/hooks", "/hooks-v2")}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["url"].endswith("/hooks-v2")
    assert checked_inside == [False]
