"""A hotel with the seed's prices at a pinned instant (Thursday 2 January 2031, noon in New York), and the staff
who manage its rates."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inventory.services import inventory_open
from pricing.tests.pricing_setup import derived, fee, make_hotel, room_type_with_rates, tax
from tests.factories import RoomFactory, staff_user

NOW = datetime(2031, 1, 2, 12, 0, tzinfo=ZoneInfo("America/New_York"))
FRI = date(2031, 1, 10)
MANAGER_PERMS = ("ratecalendar.view_calendaredit", "ratecalendar.manage_rates")


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def hotel(clock, db):
    """CAL: Deluxe King (5 rooms, 189/219/199 on BAR), Standard Queen (8, 149/179/159), AAA = BAR less 10%, 12% tax
    on the gross rate, $15 a night; inventory open for 2031."""
    hotel, bar = make_hotel(code="CAL")
    derived(hotel, bar)
    tax(hotel)
    fee(hotel)
    for code, rooms, prices in (("DELUXE-KING", 5, ("189", "219", "199")),
                                ("STANDARD-QUEEN", 8, ("149", "179", "159"))):
        rt = room_type_with_rates(hotel, bar, code=code, weekday=prices[0], saturday=prices[1], sunday=prices[2],
                                  sort_order=len(hotel.room_types.all()))
        for _ in range(rooms):
            RoomFactory(room_type=rt, hotel=hotel)
    inventory_open(hotel=hotel, start=date(2031, 1, 1), end=date(2031, 12, 31))
    return hotel


@pytest.fixture
def manager(hotel):
    return staff_user("revenue", perms=MANAGER_PERMS, hotels=[hotel])
