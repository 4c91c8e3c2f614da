"""Staff look after a partner's webhooks in the admin, in a real browser: the endpoint list, the replay of every
event since a time (its form), and the deliveries with their attempts, at 1280 px and on a 390 px phone.
Screenshots go to test-results/ (or $SCREENSHOT_DIR)."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from bookings.tests.booking_setup import seed_body
from tests.test_browser_booking import CHROMIUM, _next_friday, browse
from webhooks.models import WebhookDelivery

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed"),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "correct horse battery staple"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def delivered(partner_client, httpserver):
    """An endpoint of the partner's key, and one booking delivered to it (the receiver answers 200)."""
    httpserver.expect_request("/hooks").respond_with_data("thanks")
    endpoint = partner_client.post("/api/v1/webhooks/endpoints", {
        "url": httpserver.url_for("/hooks"), "event_types": ["reservation.created"],
        "contact_email": "tech@partner.example"}, format="json")
    assert endpoint.status_code == 201, endpoint.content
    booked = partner_client.post("/api/v1/bookings", seed_body(_next_friday() + timedelta(days=14)), format="json")
    assert booked.status_code == 201, booked.content
    assert WebhookDelivery.objects.get().state == "SUCCEEDED"
    User.objects.create_superuser("integrations", "integrations@grandhotel.example", PASSWORD)
    return endpoint.json(), booked.json()["confirmation_number"]


@pytest.mark.parametrize("size", VIEWPORTS)
def test_staff_replay_a_partners_events_since_a_time_and_read_the_attempts(delivered, live_server, httpserver,
                                                                          shots, size):
    endpoint, number = delivered
    since = timezone.now() - timedelta(hours=1)

    def run(tab):
        tab.goto(live_server.url + "/admin/login/?next=/admin/webhooks/webhookendpoint/")
        tab.fill("#id_username", "integrations")
        tab.fill("#id_password", PASSWORD)
        tab.click("input[type=submit]")
        tab.wait_for_url("**/admin/webhooks/webhookendpoint/")
        assert endpoint["url"] in tab.inner_text("#result_list")
        tab.screenshot(path=str(shots / f"webhooks-endpoints-{size}.png"), full_page=True)

        tab.check("#result_list input.action-select")
        tab.select_option("select[name=action]", "replay_since")
        tab.click("button[name=index]")
        tab.wait_for_selector("form input[name=since_0]")
        assert endpoint["url"] in tab.inner_text("#content")
        tab.fill("input[name=since_0]", since.strftime("%Y-%m-%d"))
        tab.fill("input[name=since_1]", since.strftime("%H:%M:%S"))
        tab.screenshot(path=str(shots / f"webhooks-replay-since-{size}.png"), full_page=True)
        tab.click("input[name=apply]")
        tab.wait_for_selector(".messagelist")
        assert "1 event(s) queued again." in tab.inner_text(".messagelist")

        tab.goto(live_server.url + "/admin/webhooks/webhookdelivery/")
        rows = tab.locator("#result_list tbody tr")
        assert rows.count() == 2  # the event and its replay, both delivered
        assert all("reservation.created" in row and "Succeeded" in row for row in rows.all_inner_texts())
        tab.screenshot(path=str(shots / f"webhooks-deliveries-{size}.png"), full_page=True)
        tab.click("#result_list tbody tr:last-child th a")
        tab.wait_for_selector("text=thanks")  # the receiver's answer, in the attempt's log
        assert tab.locator("input[name=_save], .deletelink").count() == 0  # a record: nothing to save or delete
        tab.screenshot(path=str(shots / f"webhooks-delivery-{size}.png"), full_page=True)

    browse(VIEWPORTS[size], run)
    sent = [request for request, _ in httpserver.log if request.path == "/hooks"]
    assert len(sent) == 2 and sent[0].get_data() == sent[1].get_data()
    assert sent[0].headers["Hotel-Event-Id"] == sent[1].headers["Hotel-Event-Id"]
    assert json.loads(sent[1].get_data())["data"]["booking"]["confirmation_number"] == number
