"""Changing a booking: the seed's "extend by one night" and its siblings, through the service and the API."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db.models import F

from bookings.models import HandledEvent, OutboxEvent, Payment, Reservation, Status
from bookings.modifications import ModificationRequest, modification_quote, reservation_modify
from bookings.payments import TestGateway
from bookings.services import amount_paid, transition
from hotelbooking.errors import ModificationNotAllowed, PaymentFailed, PriceChanged, SoldOut
from inventory.models import InventoryDay, InventoryHold, RoomType
from pricing.models import Rate

from .test_manage_support import _fresh_cache, book, check_in_at, sold, state  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal


def modify(r, **changes):
    return reservation_modify(confirmation_number=r.confirmation_number, request=ModificationRequest(**changes),
                              gateway=TestGateway())


def free_to_change(r):
    """Two days before arrival: no cancellation penalty reached, so a shorter stay refunds its difference."""
    return time_machine.travel(check_in_at(r) - timedelta(hours=48), tick=False)


def nights(r):
    return list(Reservation.objects.get(pk=r.pk).nights.values_list("date", "rate", "rate_plan_discount"))


def test_extension_keeps_booked_nights_and_charges_the_difference(nyc, next_friday, django_capture_on_commit_callbacks):
    r = book(next_friday)
    monday, tuesday = next_friday + timedelta(days=3), next_friday + timedelta(days=4)
    with django_capture_on_commit_callbacks(execute=True):
        result = modify(r, check_out=tuesday)
    data = result.as_dict()
    assert data["modification"] == "DATE_EXTENSION" and data["changes"] == ["DATE_EXTENSION"]
    assert data["original_dates"] == {"check_in": next_friday, "check_out": monday}
    assert data["new_dates"] == {"check_in": next_friday, "check_out": tuesday}
    b = data["pricing_breakdown"]
    assert b["unchanged_nights"] == {"nights": [next_friday + timedelta(days=i) for i in range(3)], "total": "546.30"}
    assert b["added_nights"] == {"nights": [monday], "total": "170.10"}  # AAA: 189.00 less 10%
    assert b["removed_nights"] == {"nights": [], "total": "0.00"}
    # Taxes on 796.00 gross (12% = 95.52) and four resort fees (60.00): 716.40 + 95.52 + 60.00.
    assert (b["previous_total"], b["new_total"], b["difference"]) == ("664.14", "871.92", "207.78")
    assert b["additional_payment_required"] is True and b["refund_due"] is False
    assert b["new_pricing"]["taxes"] == "95.52" and b["new_pricing"]["fees"] == "60.00"
    assert data["payment"] == {"action": "CHARGED", "amount": "207.78", "card_brand": "visa", "last_four": "4242"}

    r.refresh_from_db()
    assert (r.status, r.check_out, r.grand_total, r.room_total, r.taxes, r.fees) == (
        Status.CONFIRMED, tuesday, D("871.92"), D("716.40"), D("95.52"), D("60.00"))
    assert [n[1] for n in nights(r)] == [D("189.00"), D("219.00"), D("199.00"), D("189.00")]
    assert sold(r.room_type, next_friday, 5) == [1, 1, 1, 1, 0]
    assert amount_paid(r) == D("871.92")
    extra = Payment.objects.get(reservation=r, purpose="MODIFICATION")
    assert (extra.kind, extra.amount, extra.last_four) == ("CHARGE", D("207.78"), "4242")
    note = r.status_changes.last()
    assert (note.from_status, note.to_status) == ("CONFIRMED", "CONFIRMED")
    assert "DATE_EXTENSION" in note.note and "664.14 -> 871.92" in note.note
    event = OutboxEvent.objects.get(reservation=r, name="ReservationModified")
    assert event.payload["charged"] == "207.78"
    assert HandledEvent.objects.filter(event_id=event.pk, handler="bookings.notifications_manage.send_modified")
    email = mail.outbox[-1]
    assert "changed" in email.subject and r.confirmation_number in email.subject
    assert f"{tuesday:%A, %B} {tuesday.day}" in email.body and "871.92" in email.body and "207.78" in email.body
    assert "871.92" in email.alternatives[0][0]
    thursday = next_friday - timedelta(days=1)
    assert f"Free cancellation until {thursday:%B} {thursday.day}, {thursday.year} 3:00 PM (America/New_York)" \
        in email.body


def test_reduction_refunds_the_difference(nyc, next_friday):
    r = book(next_friday)
    sunday = next_friday + timedelta(days=2)
    with free_to_change(r):
        data = modify(r, check_out=sunday).as_dict()
    b = data["pricing_breakdown"]
    assert data["modification"] == "DATE_REDUCTION"
    assert b["removed_nights"] == {"nights": [sunday], "total": "179.10"}
    # Fri + Sat: 367.20 room, 12% of 408.00 = 48.96, two resort fees 30.00.
    assert (b["new_total"], b["difference"], b["refund_due"], b["amount_to_refund"]) == (
        "446.16", "-217.98", True, "217.98")
    assert data["payment"]["action"] == "REFUNDED" and data["payment"]["amount"] == "217.98"
    r.refresh_from_db()
    assert r.grand_total == D("446.16") and len(nights(r)) == 2
    refund = Payment.objects.get(reservation=r, kind="REFUND")
    assert (refund.amount, refund.purpose, refund.refund_of.purpose) == (D("217.98"), "MODIFICATION", "BOOKING")
    assert amount_paid(r) == D("446.16")
    assert sold(r.room_type, next_friday, 3) == [1, 1, 0]
    assert InventoryHold.objects.filter(holder=r.holder).count() == 2


def test_shift_shares_nights_and_moves_only_the_ends(nyc, next_friday):
    r = book(next_friday)
    saturday, tuesday = next_friday + timedelta(days=1), next_friday + timedelta(days=4)
    data = modify(r, check_in=saturday, check_out=tuesday).as_dict()
    b = data["pricing_breakdown"]
    assert data["modification"] == "DATE_SHIFT"
    assert b["unchanged_nights"] == {"nights": [saturday, saturday + timedelta(days=1)], "total": "376.20"}
    assert b["removed_nights"] == {"nights": [next_friday], "total": "170.10"}
    assert b["added_nights"] == {"nights": [next_friday + timedelta(days=3)], "total": "170.10"}
    assert (b["new_total"], b["difference"]) == ("664.14", "0.00")
    assert data["payment"]["action"] == "NONE"
    assert sold(r.room_type, next_friday, 5) == [0, 1, 1, 1, 0]
    r.refresh_from_db()
    assert (r.check_in, r.check_out) == (saturday, tuesday)
    # The free-cancellation deadline follows the new arrival: 15:00 New York the day before.
    assert r.free_until.astimezone(nyc.tz).date() == next_friday
    assert Payment.objects.filter(reservation=r).count() == 1


def test_room_type_change_reprices_every_night_and_moves_all_inventory(nyc, next_friday):
    r = book(next_friday)
    suite = RoomType.objects.get(hotel=nyc, code="JUNIOR-SUITE")
    data = modify(r, room_type_code="junior-suite").as_dict()
    b = data["pricing_breakdown"]
    assert data["modification"] == "ROOM_CHANGE" and data["room_type"] == "JUNIOR-SUITE"
    assert b["repriced_all_nights"] is True
    # AAA on the suite: 296.10 + 341.10 + 314.10; 12% of 1057.00 = 126.84; fees 45.00.
    assert (b["unchanged_nights"]["total"], b["new_total"], b["difference"]) == ("951.30", "1123.14", "459.00")
    assert sold(r.room_type, next_friday, 3) == [0, 0, 0]
    assert sold(suite, next_friday, 3) == [1, 1, 1]
    r.refresh_from_db()
    assert r.room_type == suite and [n[1] for n in nights(r)] == [D("329.00"), D("379.00"), D("349.00")]
    assert amount_paid(r) == D("1123.14")


def test_rate_plan_change_reprices_every_night(nyc, next_friday):
    r = book(next_friday)
    data = modify(r, rate_plan_code="BAR").as_dict()
    assert data["modification"] == "RATE_PLAN_CHANGE"
    assert (data["pricing_breakdown"]["new_total"], data["pricing_breakdown"]["difference"]) == ("724.84", "60.70")
    r.refresh_from_db()
    assert r.rate_plan.code == "BAR" and r.rate_plan_discount == D("0.00")


def test_several_changes_name_the_weightiest(nyc, next_friday):
    r = book(next_friday)
    data = modify(r, room_type_code="JUNIOR-SUITE", check_out=next_friday + timedelta(days=4), adults=3).as_dict()
    assert data["modification"] == "ROOM_CHANGE"
    assert data["changes"] == ["ROOM_CHANGE", "DATE_EXTENSION", "OCCUPANCY_CHANGE"]


def test_rates_changed_since_booking_apply_only_to_added_nights(nyc, next_friday):
    r = book(next_friday)
    Rate.objects.filter(rate_plan__code="BAR", room_type=r.room_type).update(
        monday=F("monday") + 20, friday=F("friday") + 20, saturday=F("saturday") + 20, sunday=F("sunday") + 20)
    b = modify(r, check_out=next_friday + timedelta(days=4)).as_dict()["pricing_breakdown"]
    assert b["unchanged_nights"]["total"] == "546.30"  # still the booked 170.10 + 197.10 + 179.10
    assert b["added_nights"]["total"] == "188.10"  # Monday now 209.00, less 10%
    # 734.40 room; 12% of 816.00 = 97.92; four resort fees.
    assert (b["new_total"], b["difference"]) == ("892.32", "228.18")
    assert [n[1] for n in nights(r)] == [D("189.00"), D("219.00"), D("199.00"), D("209.00")]


def test_sold_out_extension_names_the_night_and_changes_nothing(nyc, next_friday):
    r = book(next_friday)
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=r.room_type, date=monday).update(sold=F("total"))
    before = state(r)
    with pytest.raises(SoldOut) as exc:
        modify(r, check_out=monday + timedelta(days=1))
    assert exc.value.details["date"] == str(monday) and f"{monday:%B} {monday.day}" in exc.value.message
    assert state(r) == before


def test_declined_additional_payment_leaves_everything_as_it_was(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    Payment.objects.filter(reservation=r).update(card_token=TestGateway.DECLINING_TOKEN_PREFIX + "abc")
    before = state(r)
    response = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}",
                                    {"check_out": str(next_friday + timedelta(days=4))}, format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "PAYMENT_FAILED"
    assert response.json()["error"]["retry_action"] == "UPDATE_PAYMENT"
    assert state(r) == before
    assert sold(r.room_type, next_friday, 4) == [1, 1, 1, 0]


def test_only_a_confirmed_reservation_changes(nyc, next_friday):
    r = book(next_friday)
    transition(r, "cancel", reason="test")
    r.save()
    with pytest.raises(ModificationNotAllowed) as exc:
        modify(r, check_out=next_friday + timedelta(days=4))
    assert exc.value.details["state"] == "CANCELLED" and "cancelled" in exc.value.message


def test_expected_total_guards_against_a_price_change(nyc, next_friday):
    r = book(next_friday)
    with pytest.raises(PriceChanged) as exc:
        modify(r, check_out=next_friday + timedelta(days=4), expected_total=D("800.00"))
    assert exc.value.details["new_total"] == "871.92"
    assert modify(r, check_out=next_friday + timedelta(days=4), expected_total=D("871.92")).charge is not None


def test_nothing_to_change_writes_nothing(nyc, next_friday):
    r = book(next_friday)
    before = state(r)
    result = modify(r, check_out=r.check_out, adults=2)
    assert result.plan.modification == "NO_CHANGE" and result.as_dict()["payment"]["action"] == "NONE"
    assert state(r) == before


def test_quote_changes_nothing(nyc, next_friday):
    r = book(next_friday)
    before = state(r)
    plan = modification_quote(confirmation_number=r.confirmation_number,
                              request=ModificationRequest(check_out=next_friday + timedelta(days=4)))
    assert plan.as_dict()["pricing_breakdown"]["difference"] == "207.78"
    assert state(r) == before


def test_declined_payment_does_not_stop_a_refund(nyc, next_friday):
    r = book(next_friday)
    Payment.objects.filter(reservation=r).update(card_token=TestGateway.DECLINING_TOKEN_PREFIX + "abc")
    with free_to_change(r):
        assert modify(r, check_out=next_friday + timedelta(days=2)).as_dict()["payment"]["action"] == "REFUNDED"
        with pytest.raises(PaymentFailed):
            modify(r, check_out=next_friday + timedelta(days=3))


# --- API -------------------------------------------------------------------------------------------------

def test_api_patch_extends_with_the_issue_shape(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    monday = next_friday + timedelta(days=3)
    response = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number.lower()}",
                                    {"check_out": str(monday + timedelta(days=1))}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["modification"] == "DATE_EXTENSION" and body["status"] == "CONFIRMED"
    assert body["original_dates"] == {"check_in": str(next_friday), "check_out": str(monday)}
    assert body["new_dates"] == {"check_in": str(next_friday), "check_out": str(monday + timedelta(days=1))}
    b = body["pricing_breakdown"]
    assert b["unchanged_nights"]["total"] == "546.30" and b["added_nights"] == {"nights": [str(monday)],
                                                                                "total": "170.10"}
    assert (b["previous_total"], b["new_total"], b["difference"]) == ("664.14", "871.92", "207.78")
    assert b["additional_payment_required"] is True and b["refund_due"] is False
    assert body["payment"]["action"] == "CHARGED"


def test_api_modification_quote_changes_nothing(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    response = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote",
                                   {"check_out": str(next_friday + timedelta(days=4))}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["pricing_breakdown"]["new_total"] == "871.92"
    assert "payment" not in response.json()
    r.refresh_from_db()
    assert r.grand_total == D("664.14")


@pytest.mark.parametrize("body,code,status", [
    ({}, "VALIDATION_ERROR", 400),
    ({"check_out": "next week"}, "INVALID_DATES", 400),
    ({"check_in": "2001-01-01"}, "INVALID_DATES", 400),
    ({"adults": 0}, "INVALID_PARTY", 400),
    ({"adults": 4}, "INVALID_PARTY", 400),
    ({"room_type": "PENTHOUSE"}, "UNKNOWN_ROOM_TYPE", 400),
    ({"rate_plan": "NOPE"}, "UNKNOWN_RATE_PLAN", 400),
])
def test_api_patch_refuses_bad_input(nyc, next_friday, hotel_partner_client, body, code, status):
    r = book(next_friday)
    before = state(r)
    response = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}", body, format="json")
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert state(r) == before
    assert Payment.objects.filter(reservation=r).count() == 1


def test_api_sold_out_is_409_naming_the_date(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=r.room_type, date=monday).update(sold=F("total"))
    response = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}",
                                    {"check_out": str(monday + timedelta(days=1))}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "SOLD_OUT" and response.json()["error"]["date"] == str(monday)


def test_api_modifying_a_cancelled_booking_is_409_naming_the_state(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/cancel", {"reason": "x"}, format="json")
    response = hotel_partner_client.patch(f"/api/v1/bookings/{r.confirmation_number}",
                                    {"check_out": str(next_friday + timedelta(days=4))}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "MODIFICATION_NOT_ALLOWED" and error["state"] == "CANCELLED"


def test_api_other_hotels_bookings_are_not_found(nyc, next_friday):
    from rest_framework.test import APIClient

    from tests.factories import HotelFactory, api_key_for

    r = book(next_friday)
    _, key = api_key_for(HotelFactory(code="BOS"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    for response in (
        client.patch(f"/api/v1/bookings/{r.confirmation_number}", {"adults": 1}, format="json"),
        client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote", {"adults": 1}, format="json"),
    ):
        assert response.status_code == 404 and response.json()["error"]["code"] == "RESERVATION_NOT_FOUND"
    assert APIClient().patch(f"/api/v1/bookings/{r.confirmation_number}", {"adults": 1},
                             format="json").status_code == 401


def test_api_quote_says_sold_out_before_the_guest_confirms(nyc, next_friday, hotel_partner_client):
    r = book(next_friday)
    monday = next_friday + timedelta(days=3)
    InventoryDay.objects.filter(room_type=r.room_type, date=monday).update(stop_sell=True)
    response = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote",
                                   {"check_out": str(monday + timedelta(days=1))}, format="json")
    assert response.status_code == 409 and response.json()["error"]["date"] == str(monday)
    # Kept nights are the guest's own: a full house on them does not stop a change elsewhere.
    InventoryDay.objects.filter(room_type=r.room_type, date=next_friday).update(sold=F("total"))
    response = hotel_partner_client.post(f"/api/v1/bookings/{r.confirmation_number}/modification-quote",
                                   {"adults": 1}, format="json")
    assert response.status_code == 200 and response.json()["modification"] == "OCCUPANCY_CHANGE"
