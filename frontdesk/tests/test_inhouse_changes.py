"""Changing a stay under way: extension, early departure, party, desk fees (issue 11, item 5).

The seed's stay: Deluxe King, AAA (10% off BAR 189 weekdays / 219 Saturday / 199 Sunday), Friday to Monday,
2 adults, 664.14 paid (room 546.30, tax 12% of gross 72.84, resort fee 15 a night 45.00); checked in to 1204
on Friday, Friday's night posted (207.78), changed on Saturday morning.
"""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Reservation
from bookings.payments import TestGateway
from frontdesk.inhouse import desk_fee_post, stay_change, stay_change_quote
from frontdesk.models import FolioLine, RoomAssignment
from frontdesk.selectors import check_out_preview
from frontdesk.services import charge_reverse, stay_check_in, stay_check_out, stay_nights_post
from hotelbooking.errors import InvalidDates, InvalidState, PriceChanged, RoomNotAvailable, ValidationFailed
from inventory.models import InventoryDay, InventoryHold, Room
from pricing.models import Fee, RatePlan

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_house(seed_stay, next_friday):
    with at(next_friday, 15):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
    stay_nights_post(reservation_id=seed_stay.pk, through=next_friday)
    seed_stay.refresh_from_db()
    return seed_stay


def _day(n, friday):
    return friday + timedelta(days=n)


def _change(stay, **kwargs):
    return stay_change(confirmation_number=stay.confirmation_number, **kwargs)


def _held(stay):
    return sorted(InventoryHold.objects.filter(holder=stay.holder).values_list("date", flat=True))


def _assignment(stay):
    return list(RoomAssignment.objects.filter(reservation=stay).values_list("room__number", "start_date", "end_date"))


def _balance(stay):
    stay.refresh_from_db()
    return check_out_preview(Reservation.objects.get(pk=stay.pk)).balance


def test_extension_prices_the_added_night_today_reserves_it_and_extends_the_room(in_house, next_friday):
    fri, sat, mon, tue = (_day(n, next_friday) for n in (0, 1, 3, 4))
    sold_monday = InventoryDay.objects.get(room_type__code="DELUXE-KING", date=mon).sold
    with at(sat, 10):
        quote = stay_change_quote(confirmation_number=in_house.confirmation_number, check_out=tue)
        change = _change(in_house, check_out=tue, expected_total="871.92")
        balance = _balance(in_house)

    # Monday at 189 - 10% = 170.10; room 716.40, tax 12% of 796.00 = 95.52, fees 4 x 15 = 60.00.
    breakdown = change.as_dict()["pricing_breakdown"]
    assert breakdown["added_nights"] == {"nights": [mon], "total": "170.10"}
    assert (breakdown["previous_total"], breakdown["new_total"], breakdown["difference"]) == (
        "664.14", "871.92", "207.78")
    assert quote.difference == change.difference == Decimal("207.78")
    in_house.refresh_from_db()
    assert (in_house.check_out, in_house.nights_count, in_house.grand_total) == (tue, 4, Decimal("871.92"))
    assert _held(in_house) == [fri, sat, _day(2, next_friday), mon]
    assert InventoryDay.objects.get(room_type__code="DELUXE-KING", date=mon).sold == sold_monday + 1
    assert _assignment(in_house) == [("1204", fri, tue)]
    assert balance == Decimal("207.78")  # owed at check-out, nothing charged now
    assert not in_house.payment_attempts.filter(step__startswith="MODIFICATION").exists()
    assert in_house.status_changes.last().note == (
        f"Changed in house (DATE_EXTENSION): departure {mon} -> {tue}; total 664.14 -> 871.92 USD; settled at "
        "check-out")


def test_extension_into_a_room_given_to_the_next_guest_is_refused(in_house, book, next_friday):
    mon, tue = _day(3, next_friday), _day(4, next_friday)
    nxt = book(mon, 2, email="next@example.com", first_name="Next")
    RoomAssignment.objects.create(reservation=nxt, room=Room.objects.get(number="1204"), start_date=mon,
                                  end_date=mon + timedelta(days=2))
    before = (_held(in_house), _assignment(in_house), in_house.grand_total)
    with at(_day(1, next_friday), 10), pytest.raises(RoomNotAvailable) as exc:
        _change(in_house, check_out=tue)
    assert exc.value.code == "ROOM_NOT_AVAILABLE"
    assert exc.value.message.startswith(f"Room 1204 is given to reservation {nxt.confirmation_number} from ")
    in_house.refresh_from_db()
    assert (_held(in_house), _assignment(in_house), in_house.grand_total) == before


def test_early_departure_without_a_fee_gives_the_nights_back_and_credits_the_folio(in_house, next_friday):
    fri, sat, sun = (_day(n, next_friday) for n in (0, 1, 2))
    sold_sunday = InventoryDay.objects.get(room_type__code="DELUXE-KING", date=sun).sold
    with at(sat, 10):
        change = _change(in_house, check_out=sun)
        balance = _balance(in_house)
    # Friday and Saturday: room 367.20, tax 12% of 408.00 = 48.96, fees 30.00.
    assert (change.plan.new_total, change.fee, change.difference) == (
        Decimal("446.16"), Decimal("0.00"), Decimal("-217.98"))
    assert change.fee_line is None
    assert _held(in_house) == [fri, sat]
    assert InventoryDay.objects.get(room_type__code="DELUXE-KING", date=sun).sold == sold_sunday - 1
    assert _assignment(in_house) == [("1204", fri, sun)]
    assert balance == Decimal("-217.98")  # a credit, refunded at check-out
    assert not FolioLine.objects.filter(reservation=in_house, kind="PENALTY").exists()

    with at(sun, 10):
        result = stay_check_out(confirmation_number=in_house.confirmation_number, gateway=TestGateway())
    assert (result.folio.totals.charges, result.folio.totals.refunds) == (Decimal("446.16"), Decimal("217.98"))


def test_early_departure_today_with_a_one_night_fee(in_house, next_friday):
    RatePlan.objects.filter(code="AAA").update(early_departure_fee=RatePlan.EarlyDeparture.ONE_NIGHT)
    fri, sat = _day(0, next_friday), _day(1, next_friday)
    with at(sat, 10):
        quote = stay_change_quote(confirmation_number=in_house.confirmation_number, check_out=sat)
        change = _change(in_house, check_out=sat)
        balance = _balance(in_house)
    # Saturday as booked: 197.10 + tax 26.28 + fee 15.00.
    assert quote.fee == change.fee == Decimal("238.38")
    line = change.fee_line
    assert (line.kind, line.amount, line.description, line.business_date) == (
        "PENALTY", Decimal("238.38"), f"Early departure: one night ({sat:%a %b} {sat.day})", sat)
    assert change.plan.new_total == Decimal("207.78")  # Friday only
    assert change.difference == Decimal("-217.98")  # -456.36 for the nights, +238.38 fee
    assert _held(in_house) == [fri]
    assert _assignment(in_house) == [("1204", fri, sat)]
    assert balance == Decimal("-217.98")


def test_early_departure_with_the_remaining_nights_and_policy_rules(in_house, next_friday):
    sat = _day(1, next_friday)
    RatePlan.objects.filter(code="AAA").update(early_departure_fee=RatePlan.EarlyDeparture.REMAINING_NIGHTS)
    with at(sat, 10):
        q = stay_change_quote(confirmation_number=in_house.confirmation_number, check_out=sat)
    assert q.fee == Decimal("456.36") and q.difference == Decimal("0.00")  # 238.38 + 217.98: nothing refunded
    RatePlan.objects.filter(code="AAA").update(early_departure_fee=RatePlan.EarlyDeparture.POLICY)
    with at(sat, 10):
        q = stay_change_quote(confirmation_number=in_house.confirmation_number, check_out=sat)
    # The AAA plan's policy: within 24 hours of (Saturday's) check-in, 100%.
    assert q.fee == Decimal("456.36")
    assert q.fee_description.startswith("Early departure: cancellation policy on the 2 nights not stayed")


def test_no_departure_before_today(in_house, next_friday):
    with at(_day(1, next_friday), 10), pytest.raises(InvalidDates) as exc:
        _change(in_house, check_out=next_friday)
    assert exc.value.code == "INVALID_DATES"


def test_a_stale_total_is_refused(in_house, next_friday):
    with at(_day(1, next_friday), 10), pytest.raises(PriceChanged):
        _change(in_house, check_out=_day(4, next_friday), expected_total="800.00")
    in_house.refresh_from_db()
    assert in_house.grand_total == Decimal("664.14")


def test_party_change_prices_per_guest_fees_from_today(seed_stay, nyc, book, next_friday):
    Fee.objects.create(hotel=nyc, name="City levy", kind=Fee.Kind.PER_GUEST_PER_NIGHT, amount=Decimal("2.50"))
    stay = book(next_friday + timedelta(days=7))  # booked with the levy: 2 guests x 3 nights = 15.00
    friday = next_friday + timedelta(days=7)
    assert stay.grand_total == Decimal("679.14")
    with at(friday, 15):
        stay_check_in(confirmation_number=stay.confirmation_number, room_numbers=["1203"])
    stay_nights_post(reservation_id=stay.pk, through=friday)
    with at(friday + timedelta(days=1), 10):
        change = _change(stay, adults=3)
        balance = _balance(stay)
    # Friday at 2 guests, Saturday and Sunday at 3: 5.00 + 15.00 = 20.00 of levy, 5.00 more.
    assert change.plan.changes == ["OCCUPANCY_CHANGE"]
    assert (change.plan.new_total, change.difference) == (Decimal("684.14"), Decimal("5.00"))
    stay.refresh_from_db()
    assert (stay.adults, stay.grand_total) == (3, Decimal("684.14"))
    assert balance == Decimal("5.00")
    with at(friday + timedelta(days=3), 10):
        result = stay_check_out(confirmation_number=stay.confirmation_number, gateway=TestGateway())
    assert result.folio.totals.charges == Decimal("684.14")  # to the cent, whatever was posted before
    # Friday's levy was posted at 5.00; the new levy (20.00) is spread 6.66 / 6.67 / 6.67: Friday's 1.66 is one line.
    adjustment = FolioLine.objects.get(reservation=stay, posting_key="restate:1")
    assert (adjustment.kind, adjustment.amount) == ("CORRECTION", Decimal("1.66"))


def test_a_party_too_big_for_the_room_is_refused(in_house, next_friday):
    from hotelbooking.errors import InvalidParty

    with at(_day(1, next_friday), 10), pytest.raises(InvalidParty):
        _change(in_house, adults=4)


def test_late_check_out_fee_is_posted_once(in_house, nyc, next_friday):
    with at(_day(1, next_friday), 10), pytest.raises(ValidationFailed) as exc:
        desk_fee_post(confirmation_number=in_house.confirmation_number, fee="LATE_CHECK_OUT")
    assert "does not offer a late check-out fee" in exc.value.message
    nyc.late_check_out_fee = Decimal("40.00")
    nyc.save(update_fields=["late_check_out_fee"])
    with at(_day(1, next_friday), 10):
        line = desk_fee_post(confirmation_number=in_house.confirmation_number, fee="LATE_CHECK_OUT")
        with pytest.raises(InvalidState) as exc:
            desk_fee_post(confirmation_number=in_house.confirmation_number, fee="late_check_out")
    assert (line.kind, line.amount, line.description) == ("OTHER", Decimal("40.00"), "Late check-out fee")
    assert exc.value.message.startswith("The late check-out fee is already on the folio (40.00 USD")
    assert FolioLine.objects.filter(reservation=in_house, description="Late check-out fee").count() == 1
    with at(_day(1, next_friday), 11):  # reversed by mistake? it can be posted again
        charge_reverse(confirmation_number=in_house.confirmation_number, line_id=line.pk, reason="Wrong guest")
        again = desk_fee_post(confirmation_number=in_house.confirmation_number, fee="LATE_CHECK_OUT")
    assert again.amount == Decimal("40.00")


def test_early_check_in_fee(in_house, nyc, next_friday):
    nyc.early_check_in_fee = Decimal("25.00")
    nyc.save(update_fields=["early_check_in_fee"])
    with at(next_friday, 16):
        line = desk_fee_post(confirmation_number=in_house.confirmation_number, fee="EARLY_CHECK_IN")
    assert (line.amount, line.description, line.business_date) == (Decimal("25.00"), "Early check-in fee",
                                                                    next_friday)


# --- the console -------------------------------------------------------------------------------------------

@pytest.fixture
def desk_client(client, nyc):
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from frontdesk.permissions import FRONT_DESK_GROUP
    from tests.factories import staff_user

    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():
        call_command("front_desk_group", verbosity=0)
    client.force_login(staff_user("maria", groups=[FRONT_DESK_GROUP], hotels=[nyc]))
    return client


def test_change_stay_from_the_console_shows_the_price_then_applies(desk_client, in_house, next_friday):
    RatePlan.objects.filter(code="AAA").update(early_departure_fee=RatePlan.EarlyDeparture.ONE_NIGHT)
    url = f"/admin/frontdesk/stay/{in_house.pk}/change-stay/"
    sun = _day(2, next_friday)
    with at(_day(1, next_friday), 10):
        assert desk_client.get(url).status_code == 200
        form = {"check_out": sun.isoformat(), "adults": "2", "children": "0"}
        preview = " ".join(desk_client.post(url, form).content.decode().split())
        done = desk_client.post(url, {**form, "confirm": "1", "expected_total": "446.16"}, follow=True)
    assert "664.14 &rarr; <strong>446.16 USD</strong>" in preview
    assert "Early-departure fee</th><td>217.98" in preview
    assert "<strong>0.00 USD</strong>, settled at check-out" in preview  # -217.98 for the night, +217.98 fee
    assert "now leaves on" in done.content.decode()
    in_house.refresh_from_db()
    assert in_house.check_out == sun


def test_a_bad_departure_is_a_message_not_a_500(desk_client, in_house, next_friday):
    url = f"/admin/frontdesk/stay/{in_house.pk}/change-stay/"
    with at(_day(1, next_friday), 10):
        page = desk_client.post(url, {"check_out": next_friday.isoformat(), "adults": "2", "children": "0"})
        stale = desk_client.post(url, {"check_out": _day(4, next_friday).isoformat(), "adults": "2",
                                       "children": "0", "confirm": "1", "expected_total": "1.00"})
    assert page.status_code == 200 and "(INVALID_DATES)" in page.content.decode()
    assert stale.status_code == 200 and "(PRICE_CHANGED)" in stale.content.decode()
    with at(_day(1, next_friday), 10):
        junk = desk_client.post(url, {"check_out": _day(4, next_friday).isoformat(), "adults": "2",
                                      "children": "0", "confirm": "1", "expected_total": "NaN"})
        nul = desk_client.post(f"/admin/frontdesk/stay/{in_house.pk}/move-room/",
                               {"from_room": "1204", "to_room": "12\x0005", "reprice": "0", "confirm": "1"})
    assert junk.status_code == 200 and "(VALIDATION_ERROR)" in junk.content.decode()
    assert nul.status_code == 200


def test_late_check_out_fee_from_the_console(desk_client, nyc, in_house, next_friday):
    nyc.late_check_out_fee = Decimal("40")
    nyc.save(update_fields=["late_check_out_fee"])
    url = f"/admin/frontdesk/stay/{in_house.pk}/fee/LATE_CHECK_OUT/"
    with at(_day(1, next_friday), 10):
        folio = desk_client.get(f"/admin/frontdesk/stay/{in_house.pk}/folio/").content.decode()
        first = desk_client.post(url, follow=True).content.decode()
        second = desk_client.post(url, follow=True).content.decode()
    assert "Late check-out fee (40.00 USD)" in folio
    assert "Posted Late check-out fee: 40.00 USD." in first
    assert "already on the folio" in second and "(INVALID_STATE)" in second
    assert FolioLine.objects.filter(reservation=in_house, description="Late check-out fee").count() == 1
