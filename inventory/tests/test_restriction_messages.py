"""A new stay refused by a restriction tells the guest which and when, in words (not the generic message)."""

from datetime import date

import pytest

from hotelbooking.errors import RestrictionViolated
from inventory.models import InventoryDay, nights_between
from inventory.services import inventory_open, inventory_reserve
from tests.factories import RoomFactory, RoomTypeFactory

FRI, MON = date(2031, 1, 10), date(2031, 1, 13)
pytestmark = pytest.mark.django_db


def test_a_stay_arriving_on_a_day_closed_to_arrival_is_refused_in_words():
    king = RoomTypeFactory(code="KING")
    RoomFactory(room_type=king)
    inventory_open(hotel=king.hotel, start=FRI, end=MON)
    InventoryDay.objects.filter(room_type=king, date=FRI).update(closed_to_arrival=True)
    with pytest.raises(RestrictionViolated) as exc:
        inventory_reserve(room_type=king, nights=nights_between(FRI, MON), rooms=1, holder="web",
                          enforce_restrictions=True, check_out=MON)
    assert exc.value.message == "Arrivals are closed on 2031-01-10."
    assert exc.value.details == {"restriction": "CLOSED_TO_ARRIVAL", "date": "2031-01-10"}
