"""A stay with no rate loaded is refused with the night and the plan named, never priced by guesswork (or a 500)."""

from datetime import timedelta

import pytest

from hotelbooking.errors import RateNotAvailable
from tests.factories import RoomTypeFactory

from .pricing_setup import FRI, make_hotel, price, room_type_with_rates

pytestmark = pytest.mark.django_db


def test_a_room_type_without_any_rate_is_refused_on_its_first_night():
    hotel, bar = make_hotel()
    suite = RoomTypeFactory(hotel=hotel, code="SUITE", name="Garden Suite")  # no rate loaded at all
    with pytest.raises(RateNotAvailable) as exc:
        price(bar, suite)
    assert exc.value.as_dict()["code"] == "RATE_NOT_AVAILABLE"
    assert exc.value.message == "No BAR rate is loaded for Garden Suite on 2031-01-10."
    assert exc.value.details["date"] == str(FRI)


def test_the_refusal_names_the_first_night_without_a_rate():
    hotel, bar = make_hotel()
    short = room_type_with_rates(hotel, bar, code="SHORT", start=FRI, end=FRI + timedelta(days=1))
    with pytest.raises(RateNotAvailable) as exc:
        price(bar, short)
    assert exc.value.message == "No BAR rate is loaded for Short on 2031-01-12."
