"""The channel manager in the admin: secrets never shown back, full resync, the push log read-only."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from channelmanager.models import AriMessage, Channel, DeliveryAttempt, PendingAriChange
from channelmanager.services import ari_drain

from .channel_setup import RecordingTransport, book, deliver_all_events

pytestmark = pytest.mark.django_db


def test_the_channel_form_never_shows_the_secrets_and_keeps_them_when_left_blank(admin_client, channel):
    url = reverse("admin:channelmanager_channel_change", args=[channel.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"s3cret-pass" not in page.content

    data = {"hotel": channel.hotel_id, "code": "BOOKING_COM", "name": "Booking.com", "property_code": "",
            "endpoint_url": "https://ota.example/ari", "username": "gh-nyc", "password": "", "token": "",
            "is_active": "on", "ari_days": "90", "rate_amounts": "AFTER_TAX"}
    for prefix in ("room_mappings", "rate_mappings", "ical_feeds", "profile", "code_mappings"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    # Existing inline rows must be posted back to be kept.
    for i, m in enumerate(channel.room_mappings.all()):
        data.update({f"room_mappings-{i}-id": m.pk, f"room_mappings-{i}-channel": channel.pk,
                     f"room_mappings-{i}-room_type": m.room_type_id,
                     f"room_mappings-{i}-channel_room_code": m.channel_room_code})
    data["room_mappings-TOTAL_FORMS"] = data["room_mappings-INITIAL_FORMS"] = str(channel.room_mappings.count())
    for i, m in enumerate(channel.rate_mappings.all()):
        data.update({f"rate_mappings-{i}-id": m.pk, f"rate_mappings-{i}-channel": channel.pk,
                     f"rate_mappings-{i}-rate_plan": m.rate_plan_id,
                     f"rate_mappings-{i}-channel_rate_code": m.channel_rate_code})
    data["rate_mappings-TOTAL_FORMS"] = data["rate_mappings-INITIAL_FORMS"] = str(channel.rate_mappings.count())

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content[:3000]
    channel.refresh_from_db()
    assert (channel.password, channel.endpoint_url, channel.ari_days) == ("s3cret-pass", "https://ota.example/ari", 90)
    assert (channel.rate_amounts, channel.rate_tax_details, channel.rate_occupancy_prices) == (
        "AFTER_TAX", False, False)
    listing = admin_client.get(reverse("admin:channelmanager_channel_changelist"))
    assert listing.status_code == 200 and b"s3cret-pass" not in listing.content


def test_full_resync_action_queues_every_mapped_room_type_over_the_window(admin_client, channel):
    channel.ari_days = 30
    channel.save()
    response = admin_client.post(reverse("admin:channelmanager_channel_changelist"),
                                 {"action": "full_resync", "_selected_action": [channel.pk]}, follow=True)
    assert response.status_code == 200
    assert b"120 room-type nights queued" in response.content  # 2 room types x 30 nights x (availability, rates)
    assert PendingAriChange.objects.count() == 120
    messages = ari_drain(transport=RecordingTransport())
    assert sorted((m.room_type.code, m.kind) for m in messages) == [
        ("DELUXE-KING", "AVAIL"), ("DELUXE-KING", "RATES"), ("STANDARD-QUEEN", "AVAIL"), ("STANDARD-QUEEN", "RATES")]
    assert all(m.nights == 30 for m in messages)


def test_the_push_log_is_read_only_and_shows_payload_and_answer(admin_client, channel, next_friday):
    book(next_friday)
    deliver_all_events()
    message, = ari_drain(transport=RecordingTransport())
    attempt = DeliveryAttempt.objects.get()

    assert admin_client.get(reverse("admin:channelmanager_arimessage_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:channelmanager_arimessage_change", args=[message.pk]))
    assert page.status_code == 200 and b"OTA_HotelAvailNotifRQ" in page.content
    detail = admin_client.get(reverse("admin:channelmanager_deliveryattempt_change", args=[attempt.pk]))
    assert detail.status_code == 200 and b"OTA_HotelAvailNotifRQ" in detail.content and b"Success" in detail.content
    assert b"s3cret-pass" not in detail.content
    assert admin_client.get(reverse("admin:channelmanager_deliveryattempt_add")).status_code == 403
    assert admin_client.post(reverse("admin:channelmanager_deliveryattempt_change", args=[attempt.pk]),
                             {"error": "edited"}).status_code == 403
    for name in ("pendingarichange", "channelreservation", "icalfeed"):
        assert admin_client.get(reverse(f"admin:channelmanager_{name}_changelist")).status_code == 200


def test_the_resync_command_sends_now(channel, httpserver):
    httpserver.expect_request("/ari", method="POST").respond_with_data("<OK/>", content_type="application/xml")
    Channel.objects.filter(pk=channel.pk).update(endpoint_url=httpserver.url_for("/ari"))
    from io import StringIO

    out = StringIO()
    call_command("channel_resync", "--hotel", "NYC", "--days", "7", "--now", stdout=out)

    assert "28 room-type nights queued" in out.getvalue() and "4 of 4 messages delivered" in out.getvalue()
    assert len(httpserver.log) == 4
    assert AriMessage.objects.filter(status=AriMessage.Status.SENT, reason="full resync").count() == 4
    channel.refresh_from_db()
    assert channel.ari_flush_scheduled_at is None


def test_the_profile_inline_stores_the_inbound_password_hashed_and_never_shows_it(admin_client, channel):
    from channelmanager.models import ChannelProfile

    url = reverse("admin:channelmanager_channel_change", args=[channel.pk])
    data = {"hotel": channel.hotel_id, "code": "BOOKING_COM", "name": "Booking.com", "property_code": "",
            "endpoint_url": "", "username": "gh-nyc", "password": "", "token": "", "is_active": "on",
            "ari_days": "365", "rate_amounts": "BEFORE_TAX"}
    for prefix in ("room_mappings", "rate_mappings", "ical_feeds", "code_mappings"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update({"profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "0", "profile-0-channel": channel.pk,
                 "profile-0-error_style": "OTA_ERRORS", "profile-0-channel_id_type": "8",
                 "profile-0-hotel_id_type": "3", "profile-0-res_status_words": "{}",
                 "profile-0-inbound_username": "bdc-in", "profile-0-new_inbound_password": "top-secret-9",
                 "profile-0-accept_sold_out": "on", "profile-0-infants_apart": "on", "profile-0-infant_max_age": "1",
                 "profile-0-alert_email": ""})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    profile = ChannelProfile.objects.get(channel=channel)
    assert profile.accept_sold_out and profile.error_style == "OTA_ERRORS"
    assert profile.inbound_password != "top-secret-9" and profile.inbound_password_matches("top-secret-9")
    assert b"top-secret-9" not in admin_client.get(url).content
