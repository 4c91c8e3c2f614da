"""A burst of changes becomes one message per room type and channel."""

from datetime import timedelta
from unittest import mock

import pytest

from channelmanager.models import AriMessage, Channel, PendingAriChange
from channelmanager.services import ari_drain, date_ranges
from channelmanager.tasks import flush_ari, send_ari_message

from .channel_setup import RecordingTransport, book, deliver_all_events, expand, make_channel

pytestmark = pytest.mark.django_db


def _ten_bookings(friday):
    stays = [(friday, 2, "DELUXE-KING"), (friday, 3, "DELUXE-KING"), (friday + timedelta(days=1), 1, "DELUXE-KING"),
             (friday + timedelta(days=10), 2, "DELUXE-KING"), (friday + timedelta(days=11), 2, "DELUXE-KING"),
             (friday, 1, "STANDARD-QUEEN"), (friday, 1, "STANDARD-QUEEN"), (friday + timedelta(days=2), 2,
                                                                            "STANDARD-QUEEN"),
             (friday + timedelta(days=20), 1, "STANDARD-QUEEN"), (friday, 2, "JUNIOR-SUITE")]
    for i, (check_in, nights, room_type) in enumerate(stays):
        book(check_in, nights=nights, room_type=room_type, email=f"guest{i}@example.com")
    assert deliver_all_events() == 20  # each booking's ReservationConfirmed and PaymentSucceeded


def test_ten_bookings_become_one_message_per_room_type_and_channel(nyc, channel, next_friday):
    expedia = make_channel(nyc, "EXPEDIA", rooms={"DELUXE-KING": "K1", "STANDARD-QUEEN": "Q1"})
    _ten_bookings(next_friday)
    transport = RecordingTransport()

    messages = ari_drain(transport=transport)

    assert sorted((m.channel.code, m.room_type.code) for m in messages) == [
        ("BOOKING_COM", "DELUXE-KING"), ("BOOKING_COM", "STANDARD-QUEEN"),
        ("EXPEDIA", "DELUXE-KING"), ("EXPEDIA", "STANDARD-QUEEN")]
    assert len(transport.sent) == 4 and not PendingAriChange.objects.exists()
    deluxe = next(m for m in messages if m.channel == channel and m.room_type.code == "DELUXE-KING")
    f = next_friday
    assert deluxe.ranges == [[str(f), str(f + timedelta(days=2))],
                             [str(f + timedelta(days=10)), str(f + timedelta(days=12))]]
    # The one message carries every night's count: 3 deluxe rooms booked on Saturday, 2 on the Friday.
    nights = expand(next(r for r, (url, _, _) in zip(transport.roots(), transport.sent, strict=True)
                         if url == channel.endpoint_url and r.find(".//{*}StatusApplicationControl")
                         .get("InvTypeCode") == "DLXK"))
    assert nights[("DLXK", f)]["limit"] == 3 and nights[("DLXK", f + timedelta(days=1))]["limit"] == 2
    assert nights[("DLXK", f + timedelta(days=11))]["limit"] == 3
    assert expedia.ari_messages.count() == 2


def test_a_burst_schedules_one_flush_per_channel(channel, next_friday, django_capture_on_commit_callbacks):
    with mock.patch.object(flush_ari, "apply_async") as schedule:
        with django_capture_on_commit_callbacks(execute=True):
            _ten_bookings(next_friday)
    assert schedule.call_args_list == [mock.call(args=[channel.pk], countdown=5)]
    channel.refresh_from_db()
    assert channel.ari_flush_scheduled_at is not None

    with mock.patch.object(send_ari_message, "delay") as send:
        assert flush_ari.apply(args=[channel.pk]).get() == 2
    assert sorted(call.args[0] for call in send.call_args_list) == sorted(
        AriMessage.objects.values_list("pk", flat=True))
    channel.refresh_from_db()
    assert channel.ari_flush_scheduled_at is None  # the next change schedules a new flush

    with mock.patch.object(flush_ari, "apply_async") as schedule:
        with django_capture_on_commit_callbacks(execute=True):
            book(next_friday + timedelta(days=30), email="late@example.com")
            deliver_all_events()
    assert schedule.call_count == 1


def test_a_stale_claim_is_taken_again(channel, next_friday, django_capture_on_commit_callbacks):
    from django.utils import timezone

    Channel.objects.filter(pk=channel.pk).update(ari_flush_scheduled_at=timezone.now() - timedelta(hours=1))
    with mock.patch.object(flush_ari, "apply_async") as schedule:
        with django_capture_on_commit_callbacks(execute=True):
            book(next_friday)
            deliver_all_events()
    assert schedule.call_count == 1


def test_date_ranges_merge_consecutive_nights(next_friday):
    f = next_friday
    nights = [f + timedelta(days=i) for i in (0, 1, 2, 5, 7, 6, 1)]
    assert date_ranges(nights) == [(f, f + timedelta(days=2)), (f + timedelta(days=5), f + timedelta(days=7))]
