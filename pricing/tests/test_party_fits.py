"""Who fits in a room: every limit of the room type counts (adults, children, guests in all), each up to and
including the limit, and a party too big for the rooms asked is refused before anything is priced."""

import pytest

from hotelbooking.errors import InvalidParty
from pricing.engine import party_fits
from tests.factories import RoomTypeFactory

from .pricing_setup import make_hotel, price, room_type_with_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def family_room():
    # Up to 2 adults and 2 children, but 3 guests in all.
    return RoomTypeFactory(code="FAMILY", max_adults=2, max_children=2, max_occupancy=3)


@pytest.mark.parametrize("adults, children, fits", [
    (2, 1, True),
    (1, 2, True),    # as many children as the room takes
    (2, 0, True),
    (2, 2, False),   # each limit kept, but 4 guests in a room for 3
    (3, 0, False),   # 3 guests is allowed, 3 adults is not
    (1, 3, False),   # too many children, though the adults fit
])
def test_one_room_unless_told(family_room, adults, children, fits):
    assert party_fits(family_room, adults, children) is fits


@pytest.mark.parametrize("adults, children, rooms, fits", [
    (4, 2, 2, True),
    (2, 4, 2, True),
    (4, 4, 2, False),  # 8 guests in two rooms for 3
    (1, 0, 2, False),  # an adult in every room
])
def test_several_rooms_multiply_each_limit(family_room, adults, children, rooms, fits):
    assert party_fits(family_room, adults, children, rooms) is fits


def test_a_party_over_the_room_types_occupancy_is_refused_when_quoting():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, max_adults=2, max_children=2, max_occupancy=3)
    with pytest.raises(InvalidParty) as exc:
        price(bar, king, adults=2, children=2)
    assert exc.value.message == ("Deluxe-King takes at most 2 adults, 2 children and 3 guests in all per room, "
                                 "with an adult in every room.")
    assert price(bar, king, adults=2, children=1).as_dict()["total"] == "607.00"
