from datetime import timedelta

import pytest
from django.core import mail

from bookings.payments import TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create


@pytest.mark.django_db(transaction=True)
def test_no_email_to_a_placeholder_address_a_channel_left(nyc, next_friday):
    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="BAR", check_in=next_friday,
        check_out=next_friday + timedelta(days=2), adults=2, card=None, collect_payment=False,
        channel="OTA", source="BOOKING_COM",
        guest=GuestDetails("Ana", "Lopez", "ota-123@channel-guest.invalid")), gateway=TestGateway())
    assert r.status == "CONFIRMED"
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_real_address_gets_the_confirmation(nyc, next_friday):
    booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="BAR", check_in=next_friday,
        check_out=next_friday + timedelta(days=2), adults=2, card=None, collect_payment=False,
        channel="OTA", source="BOOKING_COM", guest=GuestDetails("Ana", "Lopez", "ana@example.com")),
        gateway=TestGateway())
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]
