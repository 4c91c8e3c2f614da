"""One guest (one email) may book for different travellers: each booking keeps the name it was made under."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from bookings.models import Guest
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create


def _book(friday, first, last):
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="BAR", check_in=friday,
        check_out=friday + timedelta(days=2), adults=2, guest=GuestDetails(first, last, "bob@example.com"),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())


@pytest.mark.django_db(transaction=True)
def test_second_booking_under_another_name_is_found_and_addressed_by_that_name(nyc, next_friday):
    first = _book(next_friday, "Bob", "Stay0")
    second = _book(next_friday + timedelta(days=7), "Rob", "Stay1")
    assert Guest.objects.count() == 1  # the same email is the same guest
    assert second.guest_full_name == "Rob Stay1" and first.guest_full_name == "Bob Stay0"
    assert mail.outbox[-1].body.startswith("Dear Rob Stay1,")

    page = Client().post("/manage/", {"confirmation_number": second.confirmation_number, "last_name": "stay1"},
                         follow=True)
    assert second.confirmation_number in page.content.decode()
    assert "Rob Stay1" in page.content.decode()
    # The earlier booking is still found by its own name.
    page = Client().post("/manage/", {"confirmation_number": first.confirmation_number, "last_name": "Stay0"},
                         follow=True)
    assert "Bob Stay0" in page.content.decode()
