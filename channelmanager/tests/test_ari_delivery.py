"""Delivery to a real HTTP server on this machine: retries with backoff, every attempt logged."""

import xml.etree.ElementTree as ET

import pytest

from channelmanager.ari import OTA_NS
from channelmanager.models import AriMessage, DeliveryAttempt
from channelmanager.services import ari_flush, ari_retry_delay
from channelmanager.tasks import send_ari_message

from .channel_setup import book, deliver_all_events

pytestmark = pytest.mark.django_db

OK = (f'<?xml version="1.0"?><OTA_HotelAvailNotifRS xmlns="{OTA_NS}" Version="1.0"><Success/>'
      "</OTA_HotelAvailNotifRS>")


@pytest.fixture(autouse=True)
def _with_a_worker(settings):
    # As under a real broker: a failed attempt is retried (apply() runs the retries here, in order).
    settings.CELERY_TASK_ALWAYS_EAGER = False


@pytest.fixture
def live_channel(channel, httpserver):
    channel.endpoint_url = httpserver.url_for("/ota/ari")
    channel.token = "tok-123"
    channel.save()
    return channel


def _one_message(check_in) -> AriMessage:
    book(check_in)
    deliver_all_events()
    message, = ari_flush()
    return message


def test_a_failing_endpoint_is_retried_until_it_accepts(live_channel, httpserver, next_friday):
    httpserver.expect_ordered_request("/ota/ari", method="POST").respond_with_data("Down for maintenance",
                                                                                   status=500)
    httpserver.expect_ordered_request("/ota/ari", method="POST").respond_with_data(
        OK, status=200, content_type="application/xml")
    message = _one_message(next_friday)

    send_ari_message.apply(args=[message.pk])

    httpserver.check_assertions()
    message.refresh_from_db()
    assert message.status == AriMessage.Status.SENT and message.attempts == 2 and message.sent_at
    first, second = DeliveryAttempt.objects.filter(message=message).order_by("number")
    assert (first.number, first.succeeded, first.response_status, first.response_body) == (
        1, False, 500, "Down for maintenance")
    assert first.error == "HTTP 500" and first.retry_in_seconds == 30
    assert (second.number, second.succeeded, second.response_status, second.retry_in_seconds) == (2, True, 200, None)
    assert first.started_at <= first.finished_at <= second.started_at
    # What the server got: the OTA message with the real credentials; the log keeps them masked.
    request, _ = httpserver.log[1]
    root = ET.fromstring(request.data)
    assert root.tag == f"{{{OTA_NS}}}OTA_HotelAvailNotifRQ"
    assert root.find(f"{{{OTA_NS}}}POS/{{{OTA_NS}}}Source/{{{OTA_NS}}}RequestorID").get("MessagePassword") == \
        "s3cret-pass"
    assert request.headers["Authorization"] == "Bearer tok-123"
    assert request.headers["Content-Type"].startswith("application/xml")
    assert "s3cret-pass" not in first.payload + second.payload


def test_backoff_doubles_and_is_capped():
    assert [ari_retry_delay(n) for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]


def test_an_endpoint_that_never_recovers_is_given_up_after_the_last_attempt(live_channel, httpserver, next_friday,
                                                                            settings):
    settings.CHANNEL_ARI_MAX_ATTEMPTS = 3
    httpserver.expect_request("/ota/ari", method="POST").respond_with_data("Bad gateway", status=502)
    message = _one_message(next_friday)

    send_ari_message.apply(args=[message.pk])

    message.refresh_from_db()
    assert message.status == AriMessage.Status.FAILED and message.attempts == 3
    assert message.last_error == "HTTP 502"
    assert list(DeliveryAttempt.objects.filter(message=message).order_by("number")
                .values_list("number", "retry_in_seconds")) == [(1, 30), (2, 60), (3, None)]


def test_an_ota_error_in_a_200_answer_is_a_failure(live_channel, httpserver, next_friday, settings):
    settings.CHANNEL_ARI_MAX_ATTEMPTS = 1
    httpserver.expect_request("/ota/ari", method="POST").respond_with_data(
        f'<OTA_HotelAvailNotifRS xmlns="{OTA_NS}"><Errors><Error Type="3" Code="402" ShortText="Invalid room">'
        "Unknown InvTypeCode DLXK</Error></Errors></OTA_HotelAvailNotifRS>", content_type="application/xml")
    message = _one_message(next_friday)

    send_ari_message.apply(args=[message.pk])

    message.refresh_from_db()
    assert message.status == AriMessage.Status.FAILED
    assert "402 Invalid room Unknown InvTypeCode DLXK" in message.last_error


def test_a_refused_connection_is_logged_and_retried_later(channel, next_friday, settings):
    settings.CHANNEL_ARI_MAX_ATTEMPTS = 2
    message = _one_message(next_friday)  # the channel's endpoint is port 9 of this machine: nothing listens

    send_ari_message.apply(args=[message.pk])

    attempts = list(DeliveryAttempt.objects.filter(message=message).order_by("number"))
    assert [a.response_status for a in attempts] == [None, None]
    assert "Connection refused" in attempts[0].error or "URLError" in attempts[0].error


def test_a_sent_message_is_not_sent_again(live_channel, httpserver, next_friday):
    httpserver.expect_request("/ota/ari", method="POST").respond_with_data(OK, content_type="application/xml")
    message = _one_message(next_friday)

    send_ari_message.apply(args=[message.pk])
    send_ari_message.apply(args=[message.pk])  # a redelivered task

    assert len(httpserver.log) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_without_a_worker_a_failure_is_not_retried_inline(live_channel, httpserver, next_friday, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    httpserver.expect_request("/ota/ari", method="POST").respond_with_data("Down", status=503)
    message = _one_message(next_friday)

    send_ari_message.apply(args=[message.pk])

    message.refresh_from_db()
    assert (message.status, message.attempts) == (AriMessage.Status.RETRYING, 1)
    assert len(httpserver.log) == 1
