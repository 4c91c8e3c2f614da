"""A promotion on a booking of several rooms comes off every room: the discount and totals to the cent."""

import pytest

from pricing.models import Promotion

from .pricing_setup import make_hotel, price, promo, room_type_with_rates

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, value, discount, room_total", [
    # 10% off 189 + 219 + 199 = 60.70 a room; two rooms.
    (Promotion.Kind.PERCENT, "10", "-121.40", "1092.60"),
    # An amount off the stay is per room.
    (Promotion.Kind.AMOUNT, "100", "-200.00", "1014.00"),
])
def test_a_promotion_comes_off_each_room(kind, value, discount, room_total):
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, max_adults=2, max_occupancy=2)
    d = price(bar, king, rooms=2, adults=2, promotion=promo(hotel, kind=kind, value=value)).as_dict()
    assert (d["subtotal"], d["promotion_discount"], d["room_total"], d["total"]) == (
        "1214.00", discount, room_total, room_total)
