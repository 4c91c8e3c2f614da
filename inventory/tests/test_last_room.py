"""Selling the exact last room works; the one after it is SOLD_OUT and takes nothing (on any database)."""

from datetime import date, timedelta

import pytest

from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay, InventoryHold, nights_between
from inventory.services import check_availability, inventory_open, inventory_reserve
from tests.factories import RoomFactory, RoomTypeFactory

FRI = date(2031, 1, 10)
MON = date(2031, 1, 13)
SAT = FRI + timedelta(days=1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def king():
    rt = RoomTypeFactory(code="DELUXE-KING", name="Deluxe King Room")
    for _ in range(5):
        RoomFactory(room_type=rt)
    inventory_open(hotel=rt.hotel, start=FRI, end=MON)
    return rt


def sold(rt) -> list[int]:
    return list(InventoryDay.objects.filter(room_type=rt, date__gte=FRI, date__lt=MON).order_by("date")
                .values_list("sold", flat=True))


def test_the_last_room_is_sold_and_the_next_is_sold_out(king):
    InventoryDay.objects.filter(room_type=king, date=SAT).update(sold=4)
    a = check_availability(king, FRI, MON)
    assert (a.available, a.constraining_date, a.bookable) == (1, SAT, True)

    inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="last")
    assert sold(king) == [1, 5, 1]
    assert check_availability(king, FRI, MON).available == 0

    with pytest.raises(SoldOut) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="one-too-many")
    assert (exc.value.details["date"], exc.value.details["available"]) == (str(SAT), 0)
    assert sold(king) == [1, 5, 1]
    assert not InventoryHold.objects.filter(holder="one-too-many").exists()


def test_the_last_rooms_net_of_out_of_order_are_sold_together(king):
    InventoryDay.objects.filter(room_type=king, date=SAT).update(sold=2, out_of_order=1)
    inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=2, holder="pair")
    assert sold(king) == [2, 4, 2]
    with pytest.raises(SoldOut) as exc:
        inventory_reserve(room_type=king, nights=[SAT], rooms=1, holder="after")
    assert exc.value.details["available"] == 0


def test_two_rooms_asked_with_one_left_is_sold_out_naming_the_one(king):
    InventoryDay.objects.filter(room_type=king, date=SAT).update(sold=4)
    with pytest.raises(SoldOut) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=2, holder="pair")
    assert (exc.value.details["date"], exc.value.details["available"]) == (str(SAT), 1)
    assert sold(king) == [0, 4, 0]
