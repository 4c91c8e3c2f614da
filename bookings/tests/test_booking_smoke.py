from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from bookings.models import Reservation, Status
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from hotelbooking.errors import PaymentFailed
from inventory.models import InventoryDay


def _request(friday, number="4242424242424242", **kw):
    return BookingRequest(hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA",
                          check_in=friday, check_out=friday + timedelta(days=3), adults=2,
                          guest=GuestDetails("John", "Smith", "john@example.com"),
                          card=Card(number, 12, 2030, "123"), **kw)


@pytest.mark.django_db(transaction=True)
def test_seed_booking_confirms_charges_and_emails(nyc, next_friday):
    r = booking_create(request=_request(next_friday), gateway=TestGateway())
    r.refresh_from_db()
    assert r.status == Status.CONFIRMED
    assert r.grand_total == Decimal("664.14") and r.room_total == Decimal("546.30")
    assert r.confirmation_number.startswith(f"GH-NYC-{next_friday:%Y%m%d}")
    assert InventoryDay.objects.get(room_type=r.room_type, date=next_friday).sold == 1
    assert len(mail.outbox) == 1 and r.confirmation_number in mail.outbox[0].body
    assert "664.14" in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_declined_card_leaves_nothing(nyc, next_friday):
    with pytest.raises(PaymentFailed):
        booking_create(request=_request(next_friday, "4000000000000002"), gateway=TestGateway())
    assert Reservation.objects.count() == 0
    assert InventoryDay.objects.filter(sold__gt=0).count() == 0
