"""Extras at the desk: a clerk adds breakfast (or parking) to a walk-in or phone booking; "Update prices" shows the
total with them, the booking is made at that total, and the extras are on the reservation like a guest's own."""

import pytest

from bookings.models import Reservation
from hotelbooking.money import fmt

from .test_desk_booking import URL, _post, _quote, _stay

pytestmark = pytest.mark.django_db

# The seed's breakfast: 24.50 per person per night, 12% tax: for two adults one night 49.00 + 5.88.
BREAKFAST_FOR_TWO_ONE_NIGHT = "54.88"


def test_the_form_offers_the_hotels_extras_and_update_prices_shows_the_total_with_them(client, clerk, nyc, tonight):
    client.force_login(clerk)
    page = client.get(URL, {**_stay(nyc, *tonight), "room_type": "DELUXE-KING"}).content.decode()
    assert 'name="extra_BRKF"' in page and 'name="extra_PARK"' in page and 'id="update-rooms"' in page

    without = _quote(nyc, tonight).total
    updated = _post(client, nyc, tonight, extra_BRKF="1", update_rooms="1")
    assert updated.status_code == 200 and Reservation.objects.count() == 0  # priced, nothing booked
    total = updated.context["priced"].booking.total
    assert fmt(total - without, "USD") == f"{BREAKFAST_FOR_TWO_ONE_NIGHT} USD"
    text = updated.content.decode()
    assert f"1 room with extras: {fmt(total, 'USD')}" in text and 'id="extras-total"' in text
    assert updated.context["form"]["expected_total"].value() == total


def test_the_booking_is_made_with_the_extras_at_the_total_shown(client, clerk, nyc, tonight):
    client.force_login(clerk)
    shown = _post(client, nyc, tonight, extra_BRKF="1", update_rooms="1").context["priced"].booking.total
    response = _post(client, nyc, tonight, extra_BRKF="1", expected_total=str(shown))
    assert response.status_code == 302, response.context["form"].errors
    r = Reservation.objects.get()
    assert r.grand_total == shown
    assert [(e.code, e.quantity, fmt(e.amount, "USD")) for e in r.extras.all()] == [("BRKF", 1, "49.00 USD")]


def test_two_rooms_each_take_the_extras(client, clerk, nyc, tonight):
    client.force_login(clerk)
    one_room = _post(client, nyc, tonight, extra_PARK="1", update_rooms="1").context["priced"].booking.total
    two = _post(client, nyc, tonight, extra_PARK="1", update_rooms="1", room_type_2="DELUXE-KING", adults_2="2",
                children_2="0", child_ages_2="")
    assert two.context["priced"].booking.total == 2 * one_room
    response = _post(client, nyc, tonight, extra_PARK="1", room_type_2="DELUXE-KING", adults_2="2", children_2="0",
                     child_ages_2="", expected_total=str(2 * one_room))
    assert response.status_code == 302, response.context["form"].errors
    assert sorted(e.code for r in Reservation.objects.all() for e in r.extras.all()) == ["PARK", "PARK"]


def test_a_bad_quantity_is_a_form_error_not_a_booking(client, clerk, nyc, tonight):
    client.force_login(clerk)
    for bad in ("-1", "99", "two"):
        response = _post(client, nyc, tonight, extra_BRKF=bad)
        assert response.status_code == 200 and response.context["form"].errors.get("extra_BRKF"), bad
    assert Reservation.objects.count() == 0
