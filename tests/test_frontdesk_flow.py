"""The seed's fifth scenario end to end: a guest books through a partner, arrives, stays, spends, and leaves.

Booking through the partner API, the front desk through its own key; domain events go through the outbox
to (eager) Celery, so the housekeeping task and the loyalty bonus come from the real event handlers.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bookings.models import Reservation, Status
from frontdesk.models import HousekeepingTask, LoyaltyEntry, NightAuditRun
from frontdesk.tasks import run_due_night_audits
from inventory.models import Room

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def at(day, hour, minute=0):
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=NY), tick=False)


def test_arrive_stay_spend_and_check_out(partner_client, frontdesk_client, next_friday,
                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booked = partner_client.post("/api/v1/bookings", {
            "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": next_friday.isoformat(),
            "check_out": (next_friday + timedelta(days=3)).isoformat(), "adults": 2,
            "guest": {"first_name": "John", "last_name": "Smith", "email": "john@example.com",
                      "loyalty_number": "GH123456"},
            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }, format="json")
    assert booked.status_code == 201, booked.json()
    cn = booked.json()["confirmation_number"]
    assert booked.json()["pricing"]["grand_total"] == "664.14"
    assert LoyaltyEntry.objects.get(kind="BOOKING").points == 100  # ReservationConfirmed handler
    desk = f"/api/v1/reservations/{cn}"

    # Friday 15:10 in New York: the desk picks a suggested room and checks the guest in.
    with at(next_friday, 15, 10), django_capture_on_commit_callbacks(execute=True):
        assert partner_client.post(f"{desk}/check-in", {"room_numbers": ["1201"]}, format="json").status_code == 404
        suggested = frontdesk_client.get(f"{desk}/room-suggestions").json()[0]["number"]
        checked_in = frontdesk_client.post(f"{desk}/check-in", {"room_numbers": [suggested]}, format="json")
        assert checked_in.status_code == 200 and checked_in.json()["key_cards_issued"] == 2
        rack = {r["number"]: r for r in frontdesk_client.get("/api/v1/hotels/NYC/rooms").json()}
        assert rack[suggested]["status"] == "OCCUPIED" and rack[suggested]["current_guest"]["name"] == "John Smith"
        minibar = frontdesk_client.post(f"{desk}/charges", {"type": "MINIBAR", "description": "Minibar",
                                                            "amount": "12.50", "currency": "USD"}, format="json")
        assert minibar.status_code == 201

    # Each night's audit (03:00 hotel time, the beat task every 15 minutes) posts that night.
    for day in (1, 2):
        with at(next_friday + timedelta(days=day), 3, 15):
            run_due_night_audits()
    assert NightAuditRun.objects.count() == 2
    with at(next_friday + timedelta(days=1), 17):
        spa = frontdesk_client.post(f"{desk}/charges", {"type": "SPA", "description": "Massage",
                                                        "amount": "80.00", "currency": "USD"}, format="json")
        assert spa.json()["balance"] == "-125.48"  # 664.14 paid; two nights (207.78 + 238.38) and 92.50 spent

    # Monday 10:30: check-out posts the last night, charges the 92.50 left and shows the bill.
    with at(next_friday + timedelta(days=3), 10, 30), django_capture_on_commit_callbacks(execute=True):
        out = frontdesk_client.post(f"{desk}/check-out", format="json")
    assert out.status_code == 200, out.json()
    bill = out.json()["bill"]
    assert bill["totals"]["charges"] == "756.64" and bill["totals"]["incidentals"] == "92.50"
    assert [p["amount"] for p in bill["payments"]] == ["664.14", "92.50"] and bill["balance"] == "0.00"
    assert out.json()["loyalty_points_earned"] == 7566
    assert Reservation.objects.get(confirmation_number=cn).status == Status.CHECKED_OUT

    # GuestCheckedOut went through the outbox: housekeeping has the room, and cleaning it frees it.
    task = HousekeepingTask.objects.get()
    assert task.room.number == suggested and Room.objects.get(number=suggested).status == "NEEDS_CLEANING"
    for step in ("IN_PROGRESS", "DONE"):
        frontdesk_client.post(f"/api/v1/housekeeping-tasks/{task.pk}/transition", {"status": step}, format="json")
    assert Room.objects.get(number=suggested).status == "AVAILABLE"
    assert sum(e.points for e in LoyaltyEntry.objects.all()) == 7666
