"""The public hotel list."""

from rest_framework.test import APIClient

from tests.factories import HotelFactory


def test_hotel_list_is_public(nyc):
    HotelFactory(code="LON", name="Grand Hotel London", timezone="Europe/London", currency="GBP")
    r = APIClient().get("/api/v1/hotels")
    assert r.status_code == 200
    assert r.json() == [
        {"code": "LON", "brand_code": "GH", "name": "Grand Hotel London", "address": "123 Main St, New York, NY 10001",
         "timezone": "Europe/London", "currency": "GBP", "check_in_time": "15:00", "check_out_time": "11:00"},
        {"code": "NYC", "brand_code": "GH", "name": "Grand Hotel NYC", "address": "123 Main St, New York, NY 10001",
         "timezone": "America/New_York", "currency": "USD", "check_in_time": "15:00", "check_out_time": "11:00"},
    ]
