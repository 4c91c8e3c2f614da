"""Each report reads in a fixed number of queries: per report, never per night, booking, hotel or line."""

from datetime import timedelta

import pytest

from inventory.models import Hotel
from reports.selectors import (
    Window,
    cancellations_report,
    daily_report,
    day_lists,
    on_the_books,
    pace_report,
    performance_report,
    pickup_report,
    production_report,
)
from tests.factories import HotelFactory, InventoryDayFactory, RoomTypeFactory

from .conftest import d

pytestmark = pytest.mark.django_db

WINDOWS = {"one night": Window.nights(d(6, 7), d(6, 7)), "June": Window.nights(d(6, 1), d(6, 30)),
           "a year": Window.nights(d(1, 1), d(12, 31))}


@pytest.fixture(params=["one hotel", "three hotels"])
def hotels(request, june):
    if request.param == "three hotels":
        for code, currency in (("BOS", "USD"), ("PAR", "EUR")):
            hotel = HotelFactory(code=code, currency=currency)
            InventoryDayFactory(room_type=RoomTypeFactory(hotel=hotel), date=d(6, 7))
    return Hotel.objects.all()


@pytest.mark.parametrize("window", WINDOWS.values(), ids=WINDOWS.keys())
def test_the_reports_read_in_a_fixed_number_of_queries(hotels, window, django_assert_num_queries):
    with django_assert_num_queries(8):
        performance_report(hotels=hotels.all(), window=window)
    with django_assert_num_queries(7):
        pickup_report(hotels=hotels.all(), window=window, since=d(5, 1))
    with django_assert_num_queries(12):
        pace_report(hotels=hotels.all(), window=window)
    with django_assert_num_queries(5):
        production_report(hotels=hotels.all(), window=window)
    with django_assert_num_queries(4):
        cancellations_report(hotels=hotels.all(), window=window)


def test_the_books_the_day_lists_and_the_daily_report(hotels, django_assert_num_queries):
    with django_assert_num_queries(8):
        on_the_books(hotels=hotels)
    for day in (d(6, 7), d(6, 13), d(6, 25)):
        with django_assert_num_queries(3):
            day_lists(hotels=hotels.all(), day=day)
    nyc = Hotel.objects.get(code="NYC")
    for day in (d(6, 1), d(6, 25) + timedelta(days=5)):
        with django_assert_num_queries(22):
            daily_report(hotel=nyc, business_date=day)
