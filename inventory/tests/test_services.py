"""Availability, restrictions, and taking and giving back rooms (decision 1 of ARCHITECTURE.md)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F

from hotelbooking.errors import RestrictionViolated, SoldOut
from inventory.models import InventoryDay, InventoryHold, nights_between
from inventory.services import check_availability, held_nights, inventory_open, inventory_release, inventory_reserve
from tests.factories import HotelFactory, RoomFactory, RoomTypeFactory

FRI = date(2031, 1, 10)
MON = date(2031, 1, 13)
pytestmark = pytest.mark.django_db


@pytest.fixture
def king():
    """Five rooms, inventory open for two weeks from FRI - 2."""
    rt = RoomTypeFactory(code="DELUXE-KING", name="Deluxe King Room")
    for _ in range(5):
        RoomFactory(room_type=rt)
    inventory_open(hotel=rt.hotel, start=FRI - timedelta(days=2), end=FRI + timedelta(days=12))
    return rt


def day(rt, d) -> InventoryDay:
    return InventoryDay.objects.get(room_type=rt, date=d)


def set_day(rt, d, **fields):
    InventoryDay.objects.filter(room_type=rt, date=d).update(**fields)


def sold(rt, start=FRI, end=MON) -> list[int]:
    return list(InventoryDay.objects.filter(room_type=rt, date__gte=start, date__lt=end).order_by("date")
                .values_list("sold", flat=True))


def test_open_stay_has_every_room_free(king):
    a = check_availability(king, FRI, MON)
    assert (a.available, a.restriction, a.bookable) == (5, None, True)


def test_the_fewest_free_night_constrains_the_stay(king):
    set_day(king, FRI + timedelta(days=1), sold=3)
    set_day(king, FRI + timedelta(days=2), out_of_order=1)
    a = check_availability(king, FRI, MON)
    assert (a.available, a.constraining_date) == (2, FRI + timedelta(days=1))


def test_stop_sell_on_any_night_closes_the_stay(king):
    set_day(king, FRI + timedelta(days=1), stop_sell=True)
    a = check_availability(king, FRI, MON)
    assert (a.restriction, a.available, a.constraining_date, a.bookable) == (
        "STOP_SELL", 0, FRI + timedelta(days=1), False)


def test_minimum_stay_counts_from_the_arrival_night(king):
    set_day(king, FRI, min_stay=4)
    a = check_availability(king, FRI, MON)
    assert (a.restriction, a.bookable) == ("MIN_STAY", False)
    assert "at least 4 nights" in a.message
    assert check_availability(king, FRI, FRI + timedelta(days=4)).bookable
    # A minimum on a night that is not the arrival does not apply.
    assert check_availability(king, FRI - timedelta(days=1), MON).bookable


def test_closed_to_arrival_and_departure(king):
    set_day(king, FRI, closed_to_arrival=True)
    assert check_availability(king, FRI, MON).restriction == "CLOSED_TO_ARRIVAL"
    assert check_availability(king, FRI - timedelta(days=1), MON).bookable  # staying through is fine
    set_day(king, MON, closed_to_departure=True)
    a = check_availability(king, FRI + timedelta(days=1), MON)
    assert (a.restriction, a.constraining_date) == ("CLOSED_TO_DEPARTURE", MON)
    assert check_availability(king, FRI + timedelta(days=1), MON + timedelta(days=1)).bookable


def test_a_night_with_no_inventory_open_is_named(king):
    far = FRI + timedelta(days=30)
    a = check_availability(king, far, far + timedelta(days=2))
    assert (a.restriction, a.constraining_date, a.available) == ("NO_INVENTORY", far, 0)


def test_reserve_takes_rooms_on_every_night_and_release_gives_them_back_once(king):
    with transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=2, holder="GH-1")
    assert sold(king) == [2, 2, 2]
    assert held_nights("GH-1") == nights_between(FRI, MON)
    # Reserving again for the same holder takes nothing more.
    with transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=2, holder="GH-1")
    assert sold(king) == [2, 2, 2]
    with transaction.atomic():
        assert inventory_release(holder="GH-1") == 6
    assert sold(king) == [0, 0, 0]
    with transaction.atomic():
        assert inventory_release(holder="GH-1") == 0
    assert sold(king) == [0, 0, 0]
    assert not InventoryHold.objects.filter(holder="GH-1").exists()


def test_release_of_some_nights_only(king):
    with transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="GH-2")
        assert inventory_release(holder="GH-2", nights=[MON - timedelta(days=1)]) == 1
    assert sold(king) == [1, 1, 0]
    assert held_nights("GH-2") == [FRI, FRI + timedelta(days=1)]


def test_sold_out_names_the_short_night_and_takes_nothing(king):
    saturday = FRI + timedelta(days=1)
    set_day(king, saturday, sold=4)
    with pytest.raises(SoldOut) as exc, transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=2, holder="GH-3")
    assert exc.value.details == {"date": str(saturday), "available": 1}
    assert "January 11, 2031" in exc.value.message
    assert sold(king) == [0, 4, 0]


def test_stop_sell_refuses_a_reservation(king):
    set_day(king, FRI, stop_sell=True)
    with pytest.raises(SoldOut), transaction.atomic():
        inventory_reserve(room_type=king, nights=[FRI], rooms=1, holder="GH-4")


def test_restrictions_are_enforced_when_asked(king):
    set_day(king, FRI, min_stay=5)
    with pytest.raises(RestrictionViolated) as exc, transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="GH-5",
                          enforce_restrictions=True, check_out=MON)
    assert exc.value.details["restriction"] == "MIN_STAY"
    with transaction.atomic():  # front desk or a modification may override restrictions
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="GH-5")
    assert sold(king) == [1, 1, 1]


def test_the_database_refuses_to_oversell(king):
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryDay.objects.filter(room_type=king, date=FRI).update(sold=F("total") + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        InventoryDay.objects.filter(room_type=king, date=FRI).update(sold=3, out_of_order=3)
    assert day(king, FRI).sold == 0


def test_open_inventory_is_idempotent_and_follows_the_physical_rooms(king):
    start, end = FRI - timedelta(days=2), FRI + timedelta(days=12)
    assert inventory_open(hotel=king.hotel, start=start, end=end) == 0
    assert InventoryDay.objects.filter(room_type=king).count() == 15
    RoomFactory(room_type=king)
    assert inventory_open(hotel=king.hotel, start=start, end=end + timedelta(days=1)) == 1
    assert set(InventoryDay.objects.filter(room_type=king).values_list("total", flat=True)) == {6}


def test_open_inventory_never_shrinks_below_what_is_sold(king):
    set_day(king, FRI, sold=5)
    king.rooms.first().delete()
    inventory_open(hotel=king.hotel, start=FRI, end=MON)
    assert (day(king, FRI).total, day(king, FRI).sold) == (5, 5)
    assert day(king, MON).total == 4


def test_open_inventory_for_a_room_type_without_rooms_opens_nothing_to_sell():
    hotel = HotelFactory()
    rt = RoomTypeFactory(hotel=hotel)
    inventory_open(hotel=hotel, start=FRI, end=FRI)
    assert check_availability(rt, FRI, FRI + timedelta(days=1)).available == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_guests_racing_for_the_last_room_one_wins():
    rt = RoomTypeFactory()
    RoomFactory(room_type=rt)
    inventory_open(hotel=rt.hotel, start=FRI, end=MON)
    barrier = threading.Barrier(2)
    outcomes = []

    def book(holder):
        try:
            barrier.wait(timeout=5)
            with transaction.atomic():
                inventory_reserve(room_type=rt, nights=nights_between(FRI, MON), rooms=1, holder=holder)
            outcomes.append("ok")
        except SoldOut:
            outcomes.append("sold out")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=book, args=(f"GH-R{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert sorted(outcomes) == ["ok", "sold out"]
    assert sold(rt) == [1, 1, 1]
