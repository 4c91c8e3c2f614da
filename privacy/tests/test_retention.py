"""Retention: a past guest is erased by the daily job once every stay is past its hotel's period."""

from datetime import timedelta

import pytest
from django.conf import settings

from bookings.models import Guest, Status
from privacy.models import ErasureRecord, PrivacySettings
from privacy.tasks import erase_expired_guests
from tests.factories import GuestFactory, HotelFactory, ReservationFactory

from .conftest import LAST, at

pytestmark = pytest.mark.django_db


def test_the_daily_job_is_scheduled():
    entry = settings.CELERY_BEAT_SCHEDULE["guest-data-retention"]
    assert entry["task"] == "privacy.tasks.erase_expired_guests"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {30})


def test_a_guest_is_erased_once_every_stay_is_past_its_hotels_period(past_guest, nyc, next_friday):
    stay, cancelled = past_guest  # NYC: departed next_friday + 3; the cancelled booking's departure + 30
    berlin = HotelFactory(code="BER", timezone="Europe/Berlin", currency="EUR")
    PrivacySettings.objects.create(hotel=nyc, retention_days=365)
    PrivacySettings.objects.create(hotel=berlin, retention_days=730)
    ReservationFactory(hotel=berlin, guest=stay.guest, check_in=next_friday + timedelta(days=7),
                       status=Status.CHECKED_OUT)  # departed next_friday + 10
    only_nyc = ReservationFactory(hotel=nyc, guest=GuestFactory(last_name="Onlynyc"), check_in=next_friday,
                                  status=Status.CHECKED_OUT, room_type=stay.room_type, rate_plan=stay.rate_plan)
    recent = ReservationFactory(hotel=nyc, guest=GuestFactory(last_name="Recent"),
                                check_in=next_friday + timedelta(days=300), status=Status.CHECKED_OUT,
                                room_type=stay.room_type, rate_plan=stay.rate_plan)

    with at(next_friday + timedelta(days=3 + 364), 4):  # the last day NYC keeps the one-stay guest
        assert erase_expired_guests() == 0
    with at(next_friday + timedelta(days=30 + 365), 4):  # NYC's period over for both; Berlin's not
        assert erase_expired_guests() == 1
    assert Guest.objects.get(pk=only_nyc.guest_id).last_name == "[erased]"
    assert Guest.objects.get(pk=stay.guest_id).last_name == LAST
    assert Guest.objects.get(pk=recent.guest_id).last_name == "Recent"

    with at(next_friday + timedelta(days=10 + 730), 4):  # Berlin's too (and the recent guest's NYC one)
        assert erase_expired_guests() == 2
        assert erase_expired_guests() == 0  # once erased, never again
    assert Guest.objects.get(pk=stay.guest_id).last_name == "[erased]"
    assert list(ErasureRecord.objects.order_by("id").values_list("guest_id", "reason", "actor")) == [
        (only_nyc.guest_id, "RETENTION", "system"), (stay.guest_id, "RETENTION", "system"),
        (recent.guest_id, "RETENTION", "system")]
    assert cancelled.guest_id == stay.guest_id


def test_a_hotel_without_settings_keeps_guests_three_years(past_guest, next_friday):
    stay, _ = past_guest
    with at(next_friday + timedelta(days=30 + 3 * 365 - 1), 4):
        assert erase_expired_guests() == 0
    with at(next_friday + timedelta(days=30 + 3 * 365), 4):
        assert erase_expired_guests() == 1
