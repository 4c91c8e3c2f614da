"""Promotion windows on their first and last day, and a minimum stay met exactly: the guest gets the discount."""

from datetime import date, timedelta

import pytest

from hotelbooking.errors import UnknownPromoCode

from .pricing_setup import BOOKED_ON, FRI, MON, make_hotel, price, promo, room_type_with_rates

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel_bar_king():
    hotel, bar = make_hotel()
    return hotel, bar, room_type_with_rates(hotel, bar)


def discount(quote) -> str:
    return quote.as_dict()["promotion_discount"]


def test_a_booking_window_includes_its_first_and_last_day(hotel_bar_king):
    hotel, bar, king = hotel_bar_king
    window = promo(hotel, code="WINDOW", book_start=BOOKED_ON, book_end=BOOKED_ON + timedelta(days=2))
    for booked_on in (BOOKED_ON, BOOKED_ON + timedelta(days=1), BOOKED_ON + timedelta(days=2)):
        assert discount(price(bar, king, promotion=window, booked_on=booked_on)) == "-60.70"
    for booked_on in (BOOKED_ON - timedelta(days=1), BOOKED_ON + timedelta(days=3)):
        with pytest.raises(UnknownPromoCode, match="cannot be booked today"):
            price(bar, king, promotion=window, booked_on=booked_on)


def test_a_minimum_stay_met_exactly_qualifies(hotel_bar_king):
    hotel, bar, king = hotel_bar_king
    three = promo(hotel, code="THREE", min_nights=3)
    assert discount(price(bar, king, promotion=three)) == "-60.70"
    with pytest.raises(UnknownPromoCode, match="at least 3 nights"):
        price(bar, king, FRI, MON - timedelta(days=1), promotion=three)


def test_a_stay_window_includes_its_first_and_last_night(hotel_bar_king):
    hotel, bar, king = hotel_bar_king
    # Friday 189.00 and Sunday 199.00 are the window's ends; 10% off each, Saturday (inside) too.
    window = promo(hotel, code="EDGES", stay_start=FRI, stay_end=MON - timedelta(days=1))
    q = price(bar, king, promotion=window)
    assert [str(n.promotion_discount) for n in q.nights] == ["18.90", "21.90", "19.90"]
    only_sunday = promo(hotel, code="SUNDAY", stay_start=MON - timedelta(days=1), stay_end=date(2031, 2, 1))
    assert [str(n.promotion_discount) for n in price(bar, king, promotion=only_sunday).nights] == [
        "0", "0", "19.90"]
    only_friday = promo(hotel, code="FRIDAY", stay_start=date(2030, 12, 1), stay_end=FRI)
    assert [str(n.promotion_discount) for n in price(bar, king, promotion=only_friday).nights] == [
        "18.90", "0", "0"]
