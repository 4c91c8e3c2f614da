from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import OutboxEvent
from frontdesk.models import RoomOutOfOrder
from frontdesk.services import out_of_order_sync, stay_check_in
from inventory.models import InventoryDay, Room, RoomType
from inventory.services import check_availability
from pricing.search import hotel_today

from .conftest import at

pytestmark = pytest.mark.django_db


def _ooo(client, number, start, end, reason="Leaking pipe"):
    return client.post(f"/api/v1/hotels/NYC/rooms/{number}/out-of-order",
                       {"start_date": start.isoformat(), "end_date": end.isoformat(), "reason": reason},
                       format="json")


def test_room_rack_shows_every_room_with_its_guest(frontdesk_client, seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
        rack = frontdesk_client.get("/api/v1/hotels/NYC/rooms").json()
    assert len(rack) == 16
    room = next(r for r in rack if r["number"] == "1204")
    assert room["floor"] == 12 and room["status"] == "OCCUPIED"
    assert room["room_type"] == {"code": "DELUXE-KING", "name": "Deluxe King Room"}
    assert room["current_guest"] == {"name": "John Smith", "confirmation_number": seed_stay.confirmation_number,
                                     "check_in": next_friday.isoformat(),
                                     "check_out": (next_friday + timedelta(days=3)).isoformat()}
    assert next(r for r in rack if r["number"] == "1201")["current_guest"] is None
    occupied = frontdesk_client.get("/api/v1/hotels/NYC/rooms?status=OCCUPIED").json()
    assert [r["number"] for r in occupied] == ["1204"]
    suites = frontdesk_client.get("/api/v1/hotels/NYC/rooms?room_type=JUNIOR-SUITE").json()
    assert [r["number"] for r in suites] == ["1401", "1402", "1403"]
    bad = frontdesk_client.get("/api/v1/hotels/NYC/rooms?status=DIRTY")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VALIDATION_ERROR"
    unknown = frontdesk_client.get("/api/v1/hotels/NYC/rooms?room_type=PENTHOUSE")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "UNKNOWN_ROOM_TYPE"
    assert frontdesk_client.get("/api/v1/hotels/XXX/rooms").json()["error"]["code"] == "HOTEL_NOT_FOUND"


def test_room_rack_takes_the_same_queries_for_any_number_of_rooms(frontdesk_client, book, nyc, next_friday):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert frontdesk_client.get("/api/v1/hotels/NYC/rooms").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    suite = RoomType.objects.get(hotel=nyc, code="JUNIOR-SUITE")
    for n in range(20):
        Room.objects.create(hotel=nyc, room_type=suite, number=f"15{n:02d}", floor=15)
    for i, number in enumerate(["1201", "1202", "1203"]):
        r = book(next_friday, email=f"g{i}@example.com")
        with at(next_friday):
            stay_check_in(confirmation_number=r.confirmation_number, room_numbers=[number])
    assert count() == before


def test_suggestions_offer_clean_rooms_of_the_type_nearest_the_wishes(frontdesk_client, book, nyc, next_friday):
    r = book(next_friday, special_requests="Quiet room please", email="q@example.com")
    Room.objects.filter(number="1203").update(features="quiet, city view")
    Room.objects.filter(number="1205").update(status=Room.Status.NEEDS_CLEANING)
    body = frontdesk_client.get(f"/api/v1/reservations/{r.confirmation_number}/room-suggestions").json()
    assert [s["number"] for s in body] == ["1203", "1201", "1202", "1204"]
    assert body[0]["reasons"] == ["quiet (special request)"]
    view = frontdesk_client.get(f"/api/v1/reservations/{r.confirmation_number}/room-suggestions?features=city view")
    assert view.json()[0]["number"] == "1203" and "city view" in view.json()[0]["reasons"]


def test_out_of_order_takes_the_room_out_of_sellable_inventory(frontdesk_client, nyc):
    today = hotel_today(nyc)
    suite = RoomType.objects.get(hotel=nyc, code="JUNIOR-SUITE")
    start, end = today + timedelta(days=2), today + timedelta(days=5)
    assert check_availability(suite, start, end).available == 3
    response = _ooo(frontdesk_client, "1402", start, end)
    assert response.status_code == 201, response.json()
    period_id = response.json()["id"]
    assert check_availability(suite, start, end).available == 2
    assert check_availability(suite, end, end + timedelta(days=1)).available == 3
    assert Room.objects.get(number="1402").status == Room.Status.AVAILABLE  # not yet: it starts in two days
    event = OutboxEvent.objects.get(name="InventoryChanged")
    assert event.payload["room_type_id"] == suite.pk and event.payload["reason"] == "OUT_OF_ORDER"
    assert event.payload["dates"] == [(start + timedelta(days=i)).isoformat() for i in range(3)]
    # The night audit turns the room OUT_OF_ORDER when the period begins, and back when it ends.
    out_of_order_sync(hotel=nyc, today=start)
    assert Room.objects.get(number="1402").status == Room.Status.OUT_OF_ORDER
    out_of_order_sync(hotel=nyc, today=end)
    assert Room.objects.get(number="1402").status == Room.Status.AVAILABLE

    lifted = frontdesk_client.post(f"/api/v1/out-of-order/{period_id}/lift", format="json")
    assert lifted.status_code == 200 and lifted.json()["lifted"] is True
    assert check_availability(suite, start, end).available == 3
    assert OutboxEvent.objects.filter(name="InventoryChanged").count() == 2
    again = frontdesk_client.post(f"/api/v1/out-of-order/{period_id}/lift", format="json")
    assert again.status_code == 409


def test_out_of_order_starting_today_blocks_the_room_now(frontdesk_client, nyc):
    today = hotel_today(nyc)
    assert _ooo(frontdesk_client, "1101", today, today + timedelta(days=1)).status_code == 201
    assert Room.objects.get(number="1101").status == Room.Status.OUT_OF_ORDER
    assert InventoryDay.objects.get(room_type__code="STANDARD-QUEEN", date=today).out_of_order == 1
    rack = frontdesk_client.get("/api/v1/hotels/NYC/rooms?status=OUT_OF_ORDER").json()
    assert rack[0]["number"] == "1101" and rack[0]["out_of_order"]["reason"] == "Leaking pipe"


def test_out_of_order_refused_when_it_would_oversell(frontdesk_client, nyc):
    day = hotel_today(nyc) + timedelta(days=3)
    InventoryDay.objects.filter(room_type__code="JUNIOR-SUITE", date=day).update(sold=3)
    response = _ooo(frontdesk_client, "1401", day - timedelta(days=1), day + timedelta(days=1))
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "OUT_OF_ORDER_WOULD_OVERSELL" and error["date"] == day.isoformat()
    assert not RoomOutOfOrder.objects.exists()
    assert not InventoryDay.objects.filter(out_of_order__gt=0).exists()


def test_out_of_order_input_errors(frontdesk_client, nyc, seed_stay, next_friday):
    today = hotel_today(nyc)
    assert _ooo(frontdesk_client, "9999", today, today + timedelta(days=1)).json()["error"]["code"] == "ROOM_NOT_FOUND"
    backwards = _ooo(frontdesk_client, "1401", today + timedelta(days=2), today + timedelta(days=1))
    assert backwards.status_code == 400 and backwards.json()["error"]["code"] == "INVALID_DATES"
    past = _ooo(frontdesk_client, "1401", today - timedelta(days=1), today + timedelta(days=1))
    assert past.json()["error"]["code"] == "INVALID_DATES"
    assert _ooo(frontdesk_client, "1401", today, today + timedelta(days=2)).status_code == 201
    overlap = _ooo(frontdesk_client, "1401", today + timedelta(days=1), today + timedelta(days=3))
    assert overlap.status_code == 409 and overlap.json()["error"]["code"] == "ROOM_NOT_AVAILABLE"
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
    busy = _ooo(frontdesk_client, "1201", next_friday, next_friday + timedelta(days=1))
    assert busy.status_code == 409 and "assigned to reservation" in busy.json()["error"]["message"]


def test_out_of_order_room_cannot_be_assigned(frontdesk_client, seed_stay, next_friday):
    assert _ooo(frontdesk_client, "1205", next_friday + timedelta(days=1), next_friday + timedelta(days=2)) \
        .status_code == 201
    with at(next_friday):
        response = frontdesk_client.post(f"/api/v1/reservations/{seed_stay.confirmation_number}/check-in",
                                         {"room_numbers": ["1205"]}, format="json")
        suggestions = frontdesk_client.get(
            f"/api/v1/reservations/{seed_stay.confirmation_number}/room-suggestions").json()
    assert response.status_code == 409 and "out of order" in response.json()["error"]["message"]
    assert "1205" not in [s["number"] for s in suggestions]


def test_front_desk_today(frontdesk_client, book, seed_stay, next_friday):
    other = book(next_friday, email="jane@example.com", first_name="Jane")
    with at(next_friday, 16):
        stay_check_in(confirmation_number=other.confirmation_number, room_numbers=["1201"])
        body = frontdesk_client.get("/api/v1/hotels/NYC/front-desk").json()
    assert body["date"] == next_friday.isoformat()
    assert [a["confirmation_number"] for a in body["arrivals"]] == [seed_stay.confirmation_number]
    assert [(a["guest_name"], a["rooms"]) for a in body["in_house"]] == [("Jane Smith", ["1201"])]
    assert body["departures"] == [] and body["checked_out"] == []


def test_suggestions_for_a_high_or_low_floor_put_those_rooms_first(frontdesk_client, seed_stay, nyc):
    king = RoomType.objects.get(hotel=nyc, code="DELUXE-KING")
    Room.objects.create(hotel=nyc, room_type=king, number="1801", floor=18)
    Room.objects.create(hotel=nyc, room_type=king, number="301", floor=3)
    url = f"/api/v1/reservations/{seed_stay.confirmation_number}/room-suggestions"
    high = frontdesk_client.get(f"{url}?floor=high").json()
    assert high[0]["number"] == "1801" and high[0]["reasons"] == ["highest floor available"]
    low = frontdesk_client.get(f"{url}?floor=LOW").json()
    assert low[0]["number"] == "301" and low[0]["reasons"] == ["lowest floor available"]
    assert frontdesk_client.get(f"{url}?floor=17").json()[0]["number"] == "1801"
