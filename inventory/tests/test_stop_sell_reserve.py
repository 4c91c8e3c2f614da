"""A night the hotel stopped selling is sold out to a new stay, with restrictions enforced or not: the guest is
told the room type is sold out that night (SOLD_OUT, 0 left), not that a restriction was broken, and nothing
is taken."""

from datetime import date

import pytest

from hotelbooking.errors import SoldOut
from inventory.models import InventoryDay, InventoryHold, nights_between
from inventory.services import inventory_open, inventory_reserve
from tests.factories import RoomFactory, RoomTypeFactory

FRI, SAT, MON = date(2031, 1, 10), date(2031, 1, 11), date(2031, 1, 13)
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("enforce_restrictions", [True, False])
def test_a_stop_sell_night_is_sold_out_to_a_new_stay(enforce_restrictions):
    king = RoomTypeFactory(code="KING", name="Deluxe King")
    for _ in range(3):
        RoomFactory(room_type=king)
    inventory_open(hotel=king.hotel, start=FRI, end=MON)
    InventoryDay.objects.filter(room_type=king, date=SAT).update(stop_sell=True)
    with pytest.raises(SoldOut) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="web",
                          enforce_restrictions=enforce_restrictions, check_out=MON)
    assert exc.value.as_dict()["code"] == "SOLD_OUT"
    assert (exc.value.details["date"], exc.value.details["available"]) == (str(SAT), 0)
    assert exc.value.message.startswith("Sorry, Deluxe King is sold out on January 11, 2031 (0 left).")
    assert not InventoryHold.objects.filter(holder="web").exists()
    assert set(InventoryDay.objects.filter(room_type=king).values_list("sold", flat=True)) == {0}


def test_nights_a_booking_already_holds_stay_its_own_after_a_stop_sell():
    """A change that keeps its nights reserves them again: a stop-sell since does not take them away."""
    king = RoomTypeFactory(code="KING", name="Deluxe King")
    RoomFactory(room_type=king)
    inventory_open(hotel=king.hotel, start=FRI, end=MON)
    inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="res-1")
    InventoryDay.objects.filter(room_type=king, date=SAT).update(stop_sell=True)
    inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="res-1")
    assert list(InventoryDay.objects.filter(room_type=king, date__lt=MON).order_by("date")
                .values_list("sold", flat=True)) == [1, 1, 1]
