"""Shared arrangements for the modify / cancel / manage tests (no tests here)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from bookings.models import Payment, Reservation
from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from inventory.models import InventoryDay, InventoryHold

NY = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The lookup throttle counts failures in the cache: start every test from zero."""
    cache.clear()
    yield
    cache.clear()


def book(friday, *, nights=3, room_type="DELUXE-KING", rate_plan="AAA", adults=2, email="john@example.com",
         last_name="Smith") -> Reservation:
    """The seed's booking (John Smith, Deluxe King, AAA, Friday to Monday: 664.14) through the service."""
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code=room_type, rate_plan_code=rate_plan, check_in=friday,
        check_out=friday + timedelta(days=nights), adults=adults, guest=GuestDetails("John", last_name, email),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())


def local(day, hour=15, minute=0) -> datetime:
    """A wall-clock moment in New York."""
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


def check_in_at(reservation: Reservation) -> datetime:
    return local(reservation.check_in)


def sold(room_type, first, days) -> list[int]:
    return list(InventoryDay.objects.filter(room_type=room_type, date__gte=first,
                                            date__lt=first + timedelta(days=days))
                .order_by("date").values_list("sold", flat=True))


def state(reservation: Reservation) -> dict:
    """Everything a failed change must leave exactly as it was."""
    r = Reservation.objects.get(pk=reservation.pk)
    return {
        "reservation": {f.attname: getattr(r, f.attname) for f in Reservation._meta.concrete_fields
                        if f.attname != "updated_at"},
        "nights": list(r.nights.order_by("date").values_list("date", "rate", "rate_plan_discount",
                                                             "promotion_discount")),
        "holds": list(InventoryHold.objects.filter(holder=r.holder).order_by("room_type_id", "date")
                      .values_list("room_type_id", "date", "rooms")),
        "inventory": list(InventoryDay.objects.filter(sold__gt=0).order_by("room_type_id", "date")
                          .values_list("room_type_id", "date", "sold")),
        "payments": list(Payment.objects.filter(reservation=r).order_by("id")
                         .values_list("kind", "result", "amount", "purpose")),
        "status_changes": r.status_changes.count(),
        "events": r.events.count(),
    }
