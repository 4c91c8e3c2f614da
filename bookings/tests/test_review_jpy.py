"""Review: a yen hotel (no minor unit) through booking, modification and cancellation over the partner API."""

import json
import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Payment, Reservation
from inventory.models import InventoryDay
from pricing.models import CancellationPolicy, CancellationTier, Fee, RatePlan, Tax
from tests.factories import HotelFactory, RateFactory, RatePlanFactory, RoomTypeFactory, api_key_for

from .booking_setup import seed_body
from .test_manage_support import _fresh_cache  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal
YEN = re.compile(r"^-?\d+$")


@pytest.fixture
def tokyo():
    hotel = HotelFactory(code="TYO", currency="JPY", timezone="Asia/Tokyo", check_in_time=time(15))
    policy = CancellationPolicy.objects.create(hotel=hotel, name="Flexible 24-Hour", description="24h")
    CancellationTier.objects.create(policy=policy, hours_before=24, penalty_percent=D("100"))
    bar = RatePlanFactory(hotel=hotel, code="BAR", name="Best Available Rate", cancellation_policy=policy)
    RatePlan.objects.create(hotel=hotel, code="AAA", name="AAA", parent=bar, derivation=RatePlan.Derivation.PERCENT,
                            derivation_value=D("10"), cancellation_policy=policy)
    rt = RoomTypeFactory(hotel=hotel, code="DELUXE-KING", name="Deluxe King", max_adults=2)
    w = D("18955")
    RateFactory(rate_plan=bar, room_type=rt, monday=w, tuesday=w, wednesday=w, thursday=w, friday=w,
                saturday=D("21955"), sunday=D("19955"))
    Tax.objects.create(hotel=hotel, name="Consumption tax", kind=Tax.Kind.PERCENT, value=D("10.5"))
    Fee.objects.create(hotel=hotel, name="Bath tax", kind=Fee.Kind.PER_GUEST_PER_NIGHT,
                       amount=D("150.5"))
    today = timezone.localdate()
    InventoryDay.objects.bulk_create([InventoryDay(room_type=rt, date=today + timedelta(days=i), total=5)
                                      for i in range(60)])
    _, key = api_key_for(hotel)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return hotel, client


def _amounts(data, path=""):
    """Every amount-looking string in an API answer."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out += _amounts(v, f"{path}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _amounts(v, f"{path}[{i}]")
    elif isinstance(data, str) and re.fullmatch(r"-?\d+(\.\d+)?", data):
        out.append((path, data))
    return out


def test_a_yen_stay_is_whole_yen_everywhere(tokyo, next_friday):
    # A week after the next Friday: the cancellation at the end is always before the 24-hour window, whatever
    # the day and hour (the next Friday's window opens on Thursday at 06:00 UTC, 15:00 in Tokyo).
    friday = next_friday + timedelta(days=7)
    hotel, client = tokyo
    body = seed_body(friday, hotel="TYO")
    r = client.generic("POST", "/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    booked = r.json()
    cn = booked["confirmation_number"]
    bad = [(p, v) for p, v in _amounts(booked) if not YEN.match(v) and "last_four" not in p]
    assert not bad, bad
    res = Reservation.objects.get(confirmation_number=cn)
    assert res.grand_total == res.room_total + res.taxes + res.fees
    assert res.grand_total == res.grand_total.to_integral_value()

    r = client.generic("PATCH", f"/api/v1/bookings/{cn}",
                       json.dumps({"check_out": (friday + timedelta(days=4)).isoformat()}),
                       content_type="application/json")
    assert r.status_code == 200, r.content
    bad = [(p, v) for p, v in _amounts(r.json()) if not YEN.match(v) and "last_four" not in p]
    assert not bad, bad
    res.refresh_from_db()
    assert res.grand_total == res.room_total + res.taxes + res.fees
    paid = sum(p.amount if p.kind == "CHARGE" else -p.amount for p in Payment.objects.filter(reservation=res))
    assert paid == res.grand_total and paid == paid.to_integral_value()

    r = client.generic("POST", f"/api/v1/bookings/{cn}/cancel", json.dumps({"reason": "plans"}),
                       content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    bad = [(p, v) for p, v in _amounts(data) if not YEN.match(v) and "last_four" not in p]
    assert not bad, bad
    assert data["financial"]["refund_amount"] == str(res.grand_total.quantize(D(1)))
