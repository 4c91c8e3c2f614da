"""Replaying one event, or every event of an endpoint since a time: the same event ids and bodies, sent again,
from the API and from the admin."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import staff_user
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import body_of, book, received, verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_bookings(partner, stay_friday, settle, endpoint_of, httpserver, time_machine):
    """Three bookings an hour apart, each delivered once."""
    _, client = partner
    time_machine.move_to(stay_friday - timedelta(days=10), tick=False)
    httpserver.expect_request("/hooks").respond_with_data("ok")
    endpoint = endpoint_of(client, ["reservation.created"])
    start = timezone.now()
    numbers = []
    for i in range(3):
        numbers.append(book(client, stay_friday, settle, f"guest{i}@example.com"))
        time_machine.shift(timedelta(hours=1))
    assert len(received(httpserver)) == 3
    return endpoint, start, numbers


def test_one_event_is_replayed_with_its_event_id_and_body(partner, settle, three_bookings, httpserver):
    _, client = partner
    endpoint, _, numbers = three_bookings
    original = WebhookDelivery.objects.get(reservation__confirmation_number=numbers[1])
    with settle():
        response = client.post(f"/api/v1/webhooks/deliveries/{original.pk}/replay")
    assert response.status_code == 202, response.content
    replay = response.json()
    assert replay["replay_of"] == original.pk and replay["event_id"] == str(original.event_id)
    assert replay["confirmation_number"] == numbers[1]
    first, again = received(httpserver)[1], received(httpserver)[3]
    assert again.get_data() == first.get_data() and again.headers["Hotel-Event-Id"] == str(original.event_id)
    assert verify(again, endpoint["secret"])
    assert WebhookDelivery.objects.get(pk=replay["id"]).state == "SUCCEEDED"

    # A replay of the replay is one more replay of the original.
    with settle():
        second = client.post(f"/api/v1/webhooks/deliveries/{replay['id']}/replay").json()
    assert second["replay_of"] == original.pk and second["event_id"] == str(original.event_id)


def test_every_event_since_a_time_is_replayed_oldest_first(partner, settle, three_bookings, httpserver):
    _, client = partner
    endpoint, start, numbers = three_bookings
    since = (start + timedelta(minutes=30)).isoformat()
    with settle():
        response = client.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay", {"since": since},
                               format="json")
    assert response.status_code == 202, response.content
    answer = response.json()
    assert answer["replayed"] == 2 and [d["confirmation_number"] for d in answer["deliveries"]] == numbers[1:]
    bodies = [body_of(r) for r in received(httpserver)]
    assert [b["data"]["booking"]["confirmation_number"] for b in bodies] == numbers + numbers[1:]
    assert [b["id"] for b in bodies[3:]] == [b["id"] for b in bodies[1:3]]
    listed = client.get(f"/api/v1/webhooks/deliveries?endpoint={endpoint['id']}").json()
    assert len(listed) == 5 and sum(1 for d in listed if d["replay_of"]) == 2


def test_replaying_to_a_disabled_endpoint_is_refused(partner, settle, three_bookings):
    _, client = partner
    endpoint, start, _ = three_bookings
    client.patch(f"/api/v1/webhooks/endpoints/{endpoint['id']}", {"active": False}, format="json")
    response = client.post(f"/api/v1/webhooks/endpoints/{endpoint['id']}/replay", {"since": start.isoformat()},
                           format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "WEBHOOK_ENDPOINT_DISABLED"
    delivery = WebhookDelivery.objects.first()
    response = client.post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay")
    assert response.status_code == 409
    assert WebhookDelivery.objects.filter(replay_of__isnull=False).count() == 0


def test_staff_replay_from_the_admin(nyc, partner, settle, three_bookings, httpserver, client):
    endpoint, start, numbers = three_bookings
    clerk = staff_user("hooks-clerk", perms=("webhooks.view_webhookendpoint", "webhooks.change_webhookendpoint",
                                         "webhooks.view_webhookdelivery", "webhooks.change_webhookdelivery"),
                       hotels=[nyc])
    client.force_login(clerk)
    listing = client.get("/admin/webhooks/webhookendpoint/")
    assert listing.status_code == 200 and endpoint["url"] in listing.content.decode()

    one = WebhookDelivery.objects.get(reservation__confirmation_number=numbers[0])
    with settle():
        response = client.post("/admin/webhooks/webhookdelivery/", {"action": "replay", "_selected_action": [one.pk]})
    assert response.status_code == 302
    assert body_of(received(httpserver)[3])["id"] == str(one.event_id)

    page = client.post("/admin/webhooks/webhookendpoint/", {"action": "replay_since",
                                                             "_selected_action": [endpoint["id"]]})
    assert page.status_code == 200 and b"Replay events since" in page.content
    since = start + timedelta(minutes=90)
    with settle():
        response = client.post("/admin/webhooks/webhookendpoint/", {
            "action": "replay_since", "_selected_action": [endpoint["id"]], "apply": "Replay",
            "since_0": since.strftime("%Y-%m-%d"), "since_1": since.strftime("%H:%M:%S")})
    assert response.status_code == 302
    assert [body_of(r)["data"]["booking"]["confirmation_number"] for r in received(httpserver)[4:]] == numbers[2:]


def test_staff_of_another_hotel_see_no_endpoint_of_ours(nyc, three_bookings, client):
    from tests.factories import HotelFactory

    other = HotelFactory(code="LAX")
    clerk = staff_user("elsewhere", perms=("webhooks.view_webhookendpoint", "webhooks.view_webhookdelivery"),
                       hotels=[other])
    client.force_login(clerk)
    endpoint, _, _ = three_bookings
    assert endpoint["url"] not in client.get("/admin/webhooks/webhookendpoint/").content.decode()
    assert client.get(f"/admin/webhooks/webhookendpoint/{endpoint['id']}/change/").status_code == 302
    delivery = WebhookDelivery.objects.first()
    assert str(delivery.event_id) not in client.get("/admin/webhooks/webhookdelivery/").content.decode()


def test_staff_register_an_endpoint_for_a_key_of_their_hotel_and_enable_it_again(nyc, partner, client):
    key, _ = partner
    clerk = staff_user("hooks-admin", perms=("webhooks.add_webhookendpoint", "webhooks.view_webhookendpoint",
                                             "webhooks.change_webhookendpoint", "inventory.view_hotelapikey"),
                       hotels=[nyc])
    client.force_login(clerk)
    response = client.post("/admin/webhooks/webhookendpoint/add/", {
        "owner": key.pk, "url": "https://hooks.partner.example/in", "event_types": ["reservation.created"],
        "contact_email": "ops@partner.example", "description": "From the hotel"})
    assert response.status_code == 302, response.content
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.owner == key and endpoint.secret.startswith("whsec_")
    assert endpoint.event_types == ["reservation.created"]

    endpoint.active = False
    endpoint.save(update_fields=["active"])
    client.post("/admin/webhooks/webhookendpoint/", {"action": "enable", "_selected_action": [endpoint.pk]})
    endpoint.refresh_from_db()
    assert endpoint.active and endpoint.disabled_at is None


def test_the_admin_refuses_a_private_address_when_they_are_not_allowed(nyc, partner, client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    key, _ = partner
    clerk = staff_user("hooks-admin", perms=("webhooks.add_webhookendpoint", "inventory.view_hotelapikey"),
                       hotels=[nyc])
    client.force_login(clerk)
    response = client.post("/admin/webhooks/webhookendpoint/add/", {
        "owner": key.pk, "url": "https://169.254.169.254/latest", "event_types": ["reservation.created"],
        "contact_email": "ops@partner.example"})
    assert response.status_code == 200 and b"public address" in response.content
    assert not WebhookEndpoint.objects.exists()
