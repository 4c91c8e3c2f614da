"""A stay priced without a party (as the channel rate push does) is priced for one adult and no children: a
single room without children's beds can be priced, and a per-guest fee counts one guest."""

import pytest

from pricing.engine import quote_stay
from pricing.models import Fee
from pricing.selectors import pricing_context_load

from .pricing_setup import BOOKED_ON, FRI, MON, fee, make_hotel, room_type_with_rates

pytestmark = pytest.mark.django_db


def test_a_stay_quoted_without_a_party_is_for_one_adult():
    hotel, bar = make_hotel()
    single = room_type_with_rates(hotel, bar, code="SINGLE", max_adults=1, max_children=0, max_occupancy=1)
    fee(hotel, kind=Fee.Kind.PER_GUEST_PER_NIGHT, amount="5", name="City levy")
    ctx = pricing_context_load(hotel=hotel, rate_plan=bar, room_type_ids=[single.id], check_in=FRI, check_out=MON)
    q = quote_stay(ctx, room_type=single, check_in=FRI, check_out=MON, booked_on=BOOKED_ON)
    assert (q.adults, q.children, q.rooms) == (1, 0, 1)
    # 3 nights x 1 guest x 5.00
    assert q.as_dict()["fee_lines"] == [{"name": "City levy", "amount": "15.00"}]
    assert q.as_dict()["total"] == "622.00"
