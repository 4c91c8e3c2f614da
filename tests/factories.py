"""factory-boy factories shared by every app's tests."""

from datetime import time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from bookings.models import Guest, Reservation, ReservationNight
from inventory.models import Hotel, HotelAPIKey, InventoryDay, Room, RoomType
from pricing.models import CancellationPolicy, CancellationTier, Fee, Promotion, Rate, RatePlan, Tax


class HotelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hotel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"H{n:02d}")
    brand_code = "GH"
    name = factory.LazyAttribute(lambda o: f"Grand Hotel {o.code}")
    address = "123 Main St, New York, NY 10001"
    timezone = "America/New_York"
    currency = "USD"
    check_in_time = time(15)
    check_out_time = time(11)


class RoomTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomType

    hotel = factory.SubFactory(HotelFactory)
    code = factory.Sequence(lambda n: f"RT-{n}")
    name = factory.LazyAttribute(lambda o: f"Room type {o.code}")
    description = "A room"
    max_adults = 3
    max_children = 2
    max_occupancy = 3


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    room_type = factory.SubFactory(RoomTypeFactory)
    hotel = factory.SelfAttribute("room_type.hotel")
    number = factory.Sequence(lambda n: str(100 + n))
    floor = 1


class InventoryDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryDay

    room_type = factory.SubFactory(RoomTypeFactory)
    date = factory.LazyFunction(timezone.localdate)
    total = 5


class CancellationPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CancellationPolicy

    hotel = factory.SubFactory(HotelFactory)
    name = factory.Sequence(lambda n: f"Policy {n}")
    description = "Free cancellation until 24 hours before check-in"


class CancellationTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CancellationTier

    policy = factory.SubFactory(CancellationPolicyFactory)
    hours_before = 24
    penalty_percent = Decimal("100")


class RatePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RatePlan

    hotel = factory.SubFactory(HotelFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.LazyAttribute(lambda o: f"Plan {o.code}")
    cancellation_policy = factory.SubFactory(CancellationPolicyFactory, hotel=factory.SelfAttribute("..hotel"))


class RateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rate

    rate_plan = factory.SubFactory(RatePlanFactory)
    room_type = factory.SubFactory(RoomTypeFactory, hotel=factory.SelfAttribute("..rate_plan.hotel"))
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=400))
    monday = tuesday = wednesday = thursday = friday = Decimal("189.00")
    saturday = Decimal("219.00")
    sunday = Decimal("199.00")


class TaxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tax

    hotel = factory.SubFactory(HotelFactory)
    name = factory.Sequence(lambda n: f"Tax {n}")
    kind = Tax.Kind.PERCENT
    value = Decimal("12")


class FeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fee

    hotel = factory.SubFactory(HotelFactory)
    name = factory.Sequence(lambda n: f"Fee {n}")
    kind = Fee.Kind.PER_NIGHT
    amount = Decimal("15")


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    hotel = factory.SubFactory(HotelFactory)
    code = factory.Sequence(lambda n: f"PROMO{n}")
    name = "Promotion"
    kind = Promotion.Kind.PERCENT
    value = Decimal("10")


class GuestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guest

    first_name = "John"
    last_name = "Smith"
    email = factory.Sequence(lambda n: f"guest{n}@example.com")


class ReservationFactory(factory.django.DjangoModelFactory):
    """A bare reservation row (no inventory taken, no payment). Prefer the booking service in flow tests."""

    class Meta:
        model = Reservation

    hotel = factory.SubFactory(HotelFactory)
    room_type = factory.SubFactory(RoomTypeFactory, hotel=factory.SelfAttribute("..hotel"))
    rate_plan = factory.SubFactory(RatePlanFactory, hotel=factory.SelfAttribute("..hotel"))
    guest = factory.SubFactory(GuestFactory)
    confirmation_number = factory.Sequence(lambda n: f"GH-TST-20990101{n:05d}")
    check_in = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    check_out = factory.LazyAttribute(lambda o: o.check_in + timedelta(days=3))
    currency = "USD"
    cancellation_policy = factory.LazyAttribute(lambda o: o.rate_plan.cancellation_policy.snapshot())


class ReservationNightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReservationNight

    reservation = factory.SubFactory(ReservationFactory)
    date = factory.LazyAttribute(lambda o: o.reservation.check_in)
    rate = Decimal("189.00")


def api_key_for(*hotels, scope="partner", name="Test partner"):
    """Create a key for these hotels; returns (HotelAPIKey, raw key)."""
    api_key, key = HotelAPIKey.objects.create_key(name=name, scope=scope)
    api_key.hotels.set(hotels)
    return api_key, key


def staff_user(username="clerk", *, perms=(), hotels=(), groups=(), **extra):
    """A staff member (not a superuser unless asked) holding these permissions ("app_label.codename"), in these
    groups (by name), working at these hotels."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    user = get_user_model().objects.create_user(username, password="pw", is_staff=True, **extra)
    query = Q(pk__in=[])
    for perm in perms:
        app_label, codename = perm.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    assert len(found) == len(perms), f"unknown permission among {perms}"
    user.user_permissions.set(found)
    user.groups.set(Group.objects.filter(name__in=groups))
    user.hotels.set(hotels)
    return user
