from datetime import date, timedelta
from decimal import Decimal

import pytest

from bookings.models import Payment
from frontdesk.folio import FIRST_NIGHT, NightLine, nightly_totals, stay_postings
from frontdesk.models import FolioLine
from frontdesk.selectors import folio_get, stay_plan
from frontdesk.services import stay_check_in, stay_nights_post
from inventory.models import HotelAPIKey

from .conftest import at

pytestmark = pytest.mark.django_db


def _charge(client, reservation, **body):
    data = {"type": "MINIBAR", "description": "Minibar", "amount": "12.50", "currency": "USD", **body}
    return client.post(f"/api/v1/reservations/{reservation.confirmation_number}/charges", data, format="json")


@pytest.fixture
def in_house(seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
    seed_stay.refresh_from_db()
    return seed_stay


def test_nightly_postings_add_up_to_the_booked_total_to_the_cent(seed_stay):
    postings = stay_plan(seed_stay)
    by_night = {}
    for p in postings:
        by_night.setdefault(p.night, []).append((p.kind, p.amount))
    friday = seed_stay.check_in
    # AAA: 10% off 189 / 219 / 199; 12% tax on the gross rates (72.84 in all) and the 15.00 resort fee a night.
    assert by_night[friday] == [("ROOM", Decimal("170.10")), ("TAX", Decimal("22.68")), ("FEE", Decimal("15.00"))]
    assert by_night[friday + timedelta(days=1)] == [("ROOM", Decimal("197.10")), ("TAX", Decimal("26.28")),
                                                   ("FEE", Decimal("15.00"))]
    assert by_night[friday + timedelta(days=2)] == [("ROOM", Decimal("179.10")), ("TAX", Decimal("23.88")),
                                                   ("FEE", Decimal("15.00"))]
    assert sum(p.amount for p in postings) == Decimal("664.14") == seed_stay.grand_total
    assert nightly_totals(postings) == [Decimal("207.78"), Decimal("238.38"), Decimal("217.98")]


class _Booked:
    """A reservation as the allocation sees it: three nights, a 10.00 tax and a 25.00 per-stay fee."""

    currency, room_count, grand_total = "USD", 1, Decimal("335.00")
    taxes, fees = Decimal("10.00"), Decimal("25.00")
    charge_lines = {"taxes": [{"name": "City tax", "amount": "10.00"}],
                    "fees": [{"name": "Cleaning", "amount": "25.00"}]}
    room_type = type("RT", (), {"name": "Room"})()


def test_rounding_remainder_lands_on_one_night_and_per_stay_fees_on_the_first():
    nights = [NightLine(date(2030, 1, d), Decimal("100.00")) for d in (1, 2, 3)]
    postings = stay_postings(_Booked, nights, {("fees", "Cleaning"): FIRST_NIGHT})
    assert [p.amount for p in postings if p.kind == "TAX"] == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert [p.amount for p in postings if p.kind == "FEE"] == [Decimal("25.00"), Decimal("0.00"), Decimal("0.00")]
    assert sum(p.amount for p in postings) == Decimal("335.00")


def test_prepaid_guest_shows_a_credit_that_nightly_postings_consume(in_house, next_friday):
    folio = folio_get(in_house)
    assert folio.totals.charges == Decimal("0.00") and folio.totals.paid == Decimal("664.14")
    assert folio.totals.balance == Decimal("-664.14")
    assert stay_nights_post(reservation_id=in_house.pk, through=next_friday) == 3
    assert stay_nights_post(reservation_id=in_house.pk, through=next_friday) == 0  # never twice
    assert folio_get(in_house).totals.balance == Decimal("-456.36")  # 664.14 - 207.78


def test_post_a_charge_records_who_and_updates_the_balance(frontdesk_client, in_house, next_friday):
    with at(next_friday, 20):
        response = _charge(frontdesk_client, in_house, description="Two sodas")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["charge"]["type"] == "MINIBAR" and body["charge"]["amount"] == "12.50"
    desk_key = HotelAPIKey.objects.get(name="Front desk")
    assert body["charge"]["description"] == "Two sodas"
    assert body["charge"]["posted_by"] == f"API key Front desk ({desk_key.prefix})"  # the desk's own key
    assert body["charge"]["date"] == next_friday.isoformat()
    assert body["balance"] == "-651.64" and body["currency"] == "USD"


def test_charges_only_for_checked_in_guests(frontdesk_client, seed_stay):
    response = _charge(frontdesk_client, seed_stay)
    assert response.status_code == 409
    assert response.json()["error"] == {"code": "INVALID_STATE", "retryable": False, "state": "CONFIRMED",
                                        "message": "Can only post charges for checked-in guests."}
    assert not FolioLine.objects.exists()


def test_charges_are_in_the_hotels_currency(frontdesk_client, in_house):
    response = _charge(frontdesk_client, in_house, currency="EUR")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_CURRENCY" and error["message"] == "Charges at Grand Hotel NYC are in USD."


@pytest.mark.parametrize("amount", ["0", "-5.00", "12.505", "abc"])
def test_charge_amount_must_be_positive_money(frontdesk_client, in_house, amount):
    response = _charge(frontdesk_client, in_house, amount=amount)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert not FolioLine.objects.exists()


def test_charge_type_must_be_an_incidental(frontdesk_client, in_house):
    response = _charge(frontdesk_client, in_house, type="ROOM")
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATION_ERROR"


def test_a_mistaken_charge_is_reversed_never_deleted(frontdesk_client, in_house):
    posted = _charge(frontdesk_client, in_house, type="SPA", description="Massage", amount="80.00")
    line_id = posted.json()["charge"]["id"]
    url = f"/api/v1/reservations/{in_house.confirmation_number}/charges/{line_id}/reverse"
    response = frontdesk_client.post(url, {"reason": "Wrong room"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["charge"]["type"] == "CORRECTION" and body["charge"]["amount"] == "-80.00"
    assert body["charge"]["reverses"] == line_id and body["charge"]["description"] == "Reversal of Massage: Wrong room"
    assert body["balance"] == "-664.14"
    assert FolioLine.objects.filter(pk=line_id).exists()
    again = frontdesk_client.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "INVALID_STATE"
    folio = frontdesk_client.get(f"/api/v1/reservations/{in_house.confirmation_number}/folio").json()
    original = next(x for x in folio["lines"] if x["id"] == line_id)
    assert original["reversed_by"] == body["charge"]["id"]
    assert folio["totals"]["incidentals"] == "80.00" and folio["totals"]["corrections"] == "-80.00"


def test_room_nights_cannot_be_reversed(frontdesk_client, in_house, next_friday):
    stay_nights_post(reservation_id=in_house.pk, through=next_friday)
    room_line = FolioLine.objects.get(reservation=in_house, kind="ROOM")
    url = f"/api/v1/reservations/{in_house.confirmation_number}/charges/{room_line.pk}/reverse"
    response = frontdesk_client.post(url, {}, format="json")
    assert response.status_code == 409 and "Only incidental charges" in response.json()["error"]["message"]
    missing = frontdesk_client.post(f"/api/v1/reservations/{in_house.confirmation_number}/charges/999999/reverse",
                                    {}, format="json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "CHARGE_NOT_FOUND"


def test_folio_lists_lines_payments_and_balance(frontdesk_client, in_house, next_friday):
    stay_nights_post(reservation_id=in_house.pk, through=next_friday)
    with at(next_friday, 21):
        _charge(frontdesk_client, in_house)
    body = frontdesk_client.get(f"/api/v1/reservations/{in_house.confirmation_number}/folio").json()
    assert [(x["type"], x["amount"]) for x in body["lines"]] == [
        ("ROOM", "170.10"), ("TAX", "22.68"), ("FEE", "15.00"), ("MINIBAR", "12.50")]
    assert body["payments"][0]["type"] == "CHARGE" and body["payments"][0]["amount"] == "664.14"
    assert body["payments"][0]["purpose"] == "BOOKING" and body["payments"][0]["last_four"] == "4242"
    assert body["totals"]["charges"] == "220.28" and body["totals"]["paid"] == "664.14"
    assert body["balance"] == "-443.86"
    assert Payment.objects.filter(reservation=in_house).count() == 1


def test_a_reversal_cannot_itself_be_reversed(frontdesk_client, in_house):
    """Undoing a reversal by reversing it would hide the history: staff post the charge again instead, and are
    told so."""
    posted = _charge(frontdesk_client, in_house, type="MINIBAR", amount="12.50")
    cn = in_house.confirmation_number
    line_id = posted.json()["charge"]["id"]
    reversal = frontdesk_client.post(f"/api/v1/reservations/{cn}/charges/{line_id}/reverse", {}, format="json")
    reversal_id = reversal.json()["charge"]["id"]
    response = frontdesk_client.post(f"/api/v1/reservations/{cn}/charges/{reversal_id}/reverse", {}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "INVALID_STATE"
    assert f"corrects charge {line_id}" in response.json()["error"]["message"]
    assert "post the charge again" in response.json()["error"]["message"]
    assert FolioLine.objects.filter(reservation=in_house, kind="CORRECTION").count() == 1
