"""A no-show on a booking the channel collected: the penalty is billed to the channel, not left on the guest."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import OutboxEvent, Payment, Status
from bookings.payments import TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.selectors import folio_get
from frontdesk.services import night_audits_run_due

from .conftest import at

pytestmark = pytest.mark.django_db


def test_a_no_show_of_a_channel_collected_booking_bills_the_penalty_to_the_channel(nyc, next_friday):
    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Ota", "Guest", "ota@example.com"),
        card=None, channel="OTA", source="BOOKING_COM", collect_payment=False), gateway=TestGateway())
    with at(next_friday + timedelta(days=1), 4):
        night_audits_run_due(gateway=TestGateway())
    r.refresh_from_db()
    assert r.status == Status.NO_SHOW
    folio = folio_get(r)
    assert folio.lines == [] and folio.totals.balance == Decimal("0.00")  # the guest owes nothing
    channel = folio.folios[1]
    assert (channel.folio.kind, channel.folio.party_name) == ("CHANNEL", "BOOKING_COM")
    assert [(line.kind, line.amount) for line in channel.lines] == [("PENALTY", Decimal("664.14"))]
    assert channel.totals.balance == Decimal("664.14")  # what the channel owes
    assert not Payment.objects.filter(reservation=r).exists()  # nothing charged to a card nobody gave
    event = OutboxEvent.objects.get(reservation=r, name="ReservationNoShow")
    assert (event.payload["penalty"], event.payload["outstanding"]) == ("664.14", "0")
