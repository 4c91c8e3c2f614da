"""inventory_reserve and availability, pinned where mutation testing found nothing watching (tests/MUTATION.md)."""

from datetime import date, timedelta

import pytest

from hotelbooking.errors import RestrictionViolated
from inventory.models import InventoryDay, InventoryHold, nights_between
from inventory.services import check_availability, inventory_open, inventory_reserve
from tests.factories import RoomFactory, RoomTypeFactory

FRI = date(2031, 1, 10)
MON = date(2031, 1, 13)
pytestmark = pytest.mark.django_db


def _room_type(code, rooms=3, hotel=None):
    rt = RoomTypeFactory(code=code, **({"hotel": hotel} if hotel else {}))
    for _ in range(rooms):
        RoomFactory(room_type=rt)
    inventory_open(hotel=rt.hotel, start=FRI, end=MON)
    return rt


def _sold(rt) -> list[int]:
    return list(InventoryDay.objects.filter(room_type=rt, date__gte=FRI, date__lt=MON).order_by("date")
                .values_list("sold", flat=True))


def test_availability_names_the_room_type_it_is_for():
    king = _room_type("KING")
    queen = _room_type("QUEEN", hotel=king.hotel)
    assert check_availability(king, FRI, MON).room_type_id == king.id
    assert check_availability(queen, FRI, MON).room_type_id == queen.id


def test_restrictions_are_only_enforced_when_asked():
    """The front desk and channel paths reserve nights a guest already has; only a new stay meets CTA/CTD."""
    king = _room_type("KING")
    InventoryDay.objects.filter(room_type=king, date=FRI).update(closed_to_arrival=True)
    inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="desk", check_out=MON)
    assert _sold(king) == [1, 1, 1]
    with pytest.raises(RestrictionViolated) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="web",
                          enforce_restrictions=True, check_out=MON)
    assert exc.value.details["restriction"] == "CLOSED_TO_ARRIVAL"
    assert _sold(king) == [1, 1, 1]


def test_a_departure_day_closed_to_departure_refuses_the_stay_when_restrictions_apply():
    other = _room_type("A-QUEEN")  # listed first: another room type's open departure day must not stand in
    king = _room_type("KING", hotel=other.hotel)
    InventoryDay.objects.filter(room_type=king, date=MON).update(closed_to_departure=True)
    with pytest.raises(RestrictionViolated) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="web",
                          enforce_restrictions=True, check_out=MON)
    assert (exc.value.details["restriction"], exc.value.details["date"]) == ("CLOSED_TO_DEPARTURE", str(MON))
    assert _sold(king) == [0, 0, 0]
    # Leaving a day later is allowed.
    tuesday = MON + timedelta(days=1)
    inventory_reserve(room_type=king, nights=nights_between(FRI, tuesday), rooms=1, holder="web",
                      enforce_restrictions=True, check_out=tuesday)
    assert _sold(king) == [1, 1, 1]


def test_what_a_holder_holds_of_one_room_type_does_not_count_for_another():
    """A room-type change reserves the new type while the booking still holds the old one on the same nights."""
    king = _room_type("KING")
    suite = _room_type("SUITE", hotel=king.hotel)
    nights = nights_between(FRI, MON)
    inventory_reserve(room_type=king, nights=nights, rooms=1, holder="res-1")
    inventory_reserve(room_type=suite, nights=nights, rooms=1, holder="res-1")
    assert (_sold(king), _sold(suite)) == ([1, 1, 1], [1, 1, 1])
    assert sorted(InventoryHold.objects.filter(holder="res-1").values_list("room_type_id", "date")) == sorted(
        [(king.id, n) for n in nights] + [(suite.id, n) for n in nights])
    # Reserving the same nights again for the same holder takes nothing twice.
    inventory_reserve(room_type=suite, nights=nights, rooms=1, holder="res-1")
    assert _sold(suite) == [1, 1, 1]
