"""inventory_reserve for a holder that already holds some of the nights: what it holds stays, more rooms on a
night grow its own hold (never another holder's), and every night it does not hold yet is checked."""

from datetime import timedelta

import pytest
from django.db import transaction

from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay, InventoryHold, nights_between
from inventory.services import inventory_reserve

from .test_stay_restrictions import FRI, MON, SAT, king, set_day  # noqa: F401 (king is a fixture)

pytestmark = pytest.mark.django_db


def take(rt, nights, rooms, holder):
    with transaction.atomic():
        inventory_reserve(room_type=rt, nights=nights, rooms=rooms, holder=holder)


def holds(rt) -> dict[tuple[str, object], int]:
    return {(h.holder, h.date): h.rooms for h in InventoryHold.objects.filter(room_type=rt)}


def sold(rt, night) -> int:
    return InventoryDay.objects.get(room_type=rt, date=night).sold


def test_more_rooms_on_a_held_night_grow_that_holders_hold_and_no_one_elses(king):  # noqa: F811
    take(king, [FRI], 1, "GH-A")
    take(king, [FRI], 1, "GH-B")
    take(king, [FRI], 2, "GH-A")  # A now wants two rooms that night: one more
    assert holds(king) == {("GH-A", FRI): 2, ("GH-B", FRI): 1}
    assert sold(king, FRI) == 3


def test_a_longer_stay_of_a_holder_checks_every_night_it_does_not_hold_yet(king):  # noqa: F811
    take(king, [FRI], 1, "GH-A")
    set_day(king, SAT, sold=3)  # Saturday is full
    with pytest.raises(SoldOut) as exc:
        take(king, nights_between(FRI, MON), 1, "GH-A")
    assert exc.value.message == ("Sorry, Deluxe King Room is sold out on January 11, 2031 (0 left). "
                                 "Please choose different dates or room type.")
    assert exc.value.details == {"date": str(SAT), "available": 0}
    assert holds(king) == {("GH-A", FRI): 1}  # nothing more taken
    assert [sold(king, FRI + timedelta(days=i)) for i in range(3)] == [1, 3, 0]


def test_nights_a_holder_holds_stay_held_when_they_are_closed_to_sale_since(king):  # noqa: F811
    take(king, [FRI, SAT], 1, "GH-A")
    set_day(king, FRI, stop_sell=True)
    take(king, [FRI, SAT], 1, "GH-A")  # the same stay again (a retry): nothing to take, nothing refused
    assert holds(king) == {("GH-A", FRI): 1, ("GH-A", SAT): 1}
    assert [sold(king, FRI), sold(king, SAT), sold(king, MON)] == [1, 1, 0]
