"""A desk booking of several rooms, possibly of different room types (issue 11, "phone booking with two room
types"): "Add a room" on step two adds a room line, the lines are priced together with the booking service's own
pricing, and Book makes one multi-room booking (a lead and its companions), all or nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.models import Channel, Payment, Reservation, Status
from bookings.payments import TestGateway
from bookings.payments.models import PaymentAttempt
from bookings.services import RoomRequest, booking_quote_rooms
from hotelbooking.money import fmt
from inventory.models import InventoryDay
from pricing.search import hotel_today

from .test_desk_booking import (  # noqa: F401 (fixtures)
    CARD,
    URL,
    clerk,
    manager,
    stripe_fake,
    stripe_on,
)
from .test_desk_booking import _sold as sold

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone_dates(nyc):
    """A phone booking for a week ahead, two nights (hotel time)."""
    start = hotel_today(nyc) + timedelta(days=7)
    return start, start + timedelta(days=2)


def _form(dates, **extra):
    """Step two's post: Deluxe King for 2 adults (step one's line), a Standard Queen for 1 adult and a child of 7."""
    check_in, check_out = dates
    return {"hotel": "NYC", "check_in": check_in.isoformat(), "check_out": check_out.isoformat(), "adults": "2",
            "children": "0", "child_ages": "", "rate_plan": "BAR", "booked_how": "PHONE",
            "room_type": "DELUXE-KING", "room_type_2": "STANDARD-QUEEN", "adults_2": "1", "children_2": "1",
            "child_ages_2": "7", "guarantee": "AT_HOTEL", "first_name": "Ana", "last_name": "Lopez",
            "email": "ana@example.com", "phone": "+1 212 555 0101", "loyalty_number": "", "special_requests": "",
            "expected_total": "", "idempotency_key": "", **extra}


def _priced(nyc, dates, second="STANDARD-QUEEN"):
    return booking_quote_rooms(hotel=nyc, rate_plan_code="BAR", check_in=dates[0], check_out=dates[1],
                               rooms=[RoomRequest("DELUXE-KING", 2, 0), RoomRequest(second, 1, 1, [7])])


def _nights(dates):
    return [dates[0] + timedelta(days=i) for i in range((dates[1] - dates[0]).days)]


def test_a_phone_booking_of_two_room_types_paid_at_the_hotel_books_a_lead_and_a_companion(
        client, clerk, nyc, phone_dates):  # noqa: F811
    client.force_login(clerk)
    priced = _priced(nyc, phone_dates)
    before = {rt: [sold(nyc, rt, d) for d in _nights(phone_dates)] for rt in ("DELUXE-KING", "STANDARD-QUEEN")}
    response = client.post(URL, _form(phone_dates, expected_total=str(priced.total)))
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Reservation.objects.get(lead__isnull=True)
    (companion,) = Reservation.objects.filter(lead=lead)
    assert response["Location"] == f"/admin/frontdesk/stay/book/{lead.pk}/done/"
    assert (lead.status, companion.status) == (Status.CONFIRMED, Status.CONFIRMED)
    assert companion.confirmation_number == f"{lead.confirmation_number}-2"
    assert (lead.room_type.code, lead.adults, lead.children) == ("DELUXE-KING", 2, 0)
    assert (companion.room_type.code, companion.adults, companion.children, companion.child_ages) == \
        ("STANDARD-QUEEN", 1, 1, [7])
    assert [lead.grand_total, companion.grand_total] == [r.total for r in priced.rooms]
    assert lead.grand_total + companion.grand_total == priced.total
    for rt, counts in before.items():
        assert [sold(nyc, rt, d) for d in _nights(phone_dates)] == [c + 1 for c in counts]
    for r in (lead, companion):
        assert (r.channel, r.source) == (Channel.PHONE, "Front desk (phone)")
        assert r.payment_terms["guarantee"] == "PAY_AT_HOTEL" and r.payment_terms["due_now"] == "0.00"
        assert Decimal(r.payment_terms["due_later"]) == r.grand_total
    assert Payment.objects.count() == 0 and PaymentAttempt.objects.count() == 0


def test_by_card_one_gateway_charge_of_the_sum_and_one_payment_per_room(client, clerk, nyc, phone_dates):  # noqa: F811
    client.force_login(clerk)
    priced = _priced(nyc, phone_dates)
    assert priced.due_now == priced.total  # BAR is prepaid
    response = client.post(URL, _form(phone_dates, guarantee="CARD", expected_total=str(priced.total), **CARD))
    assert response.status_code == 302, response.content.decode()[:2000]
    lead = Reservation.objects.get(lead__isnull=True)
    companion = Reservation.objects.get(lead=lead)
    (attempt,) = PaymentAttempt.objects.filter(step="BOOKING")
    assert attempt.operation == PaymentAttempt.Operation.CHARGE and attempt.amount == priced.total
    payments = {p.reservation_id: p for p in Payment.objects.all()}
    assert set(payments) == {lead.pk, companion.pk}
    assert payments[lead.pk].amount == lead.grand_total and payments[companion.pk].amount == companion.grand_total
    assert len({p.gateway_reference for p in payments.values()}) == 1  # one charge, allocated per room
    page = client.get(response["Location"]).content.decode()
    assert f'id="booked-total">{fmt(priced.total, "USD")}<' in page
    assert f'id="booked-charged">{fmt(priced.total, "USD")}<' in page


@pytest.mark.parametrize("second", ["STANDARD-QUEEN", "DELUXE-KING"])
def test_the_second_line_sold_out_says_so_naming_room_2_and_books_and_holds_nothing(
        client, clerk, nyc, phone_dates, second):  # noqa: F811
    """A Standard Queen sold out on the second night; or a second Deluxe King when only one is left: two lines of
    one type need two rooms."""
    client.force_login(clerk)
    total = _priced(nyc, phone_dates, second).total
    night = _nights(phone_dates)[1]
    day = InventoryDay.objects.get(room_type__hotel=nyc, room_type__code=second, date=night)
    left = 1 if second == "DELUXE-KING" else 0
    InventoryDay.objects.filter(pk=day.pk).update(sold=day.total - day.out_of_order - left)
    before = {d.pk: d.sold for d in InventoryDay.objects.filter(room_type__hotel=nyc)}
    data = _form(phone_dates, room_type_2=second, expected_total=str(total), adults_2="1", children_2="1")
    shown = client.post(URL, {**data, "update_rooms": "1"})  # the page warns before Book is pressed
    assert shown.status_code == 200 and Reservation.objects.count() == 0
    assert any(m.startswith("Room 2: ") and "sold out" in m for m in shown.context["priced"].short)
    response = client.post(URL, data)
    assert response.status_code == 200
    page = response.content.decode()
    form = response.context["form"]
    assert form.error_code == "SOLD_OUT"  # the booking service's answer, naming the room
    assert [e for e in form.non_field_errors() if e.startswith("Room 2: ") and "sold out" in e]
    assert "SOLD_OUT" in page and 'value="Lopez"' in page
    assert Reservation.objects.count() == 0 and Payment.objects.count() == 0
    assert {d.pk: d.sold for d in InventoryDay.objects.filter(room_type__hotel=nyc)} == before  # nothing held


def test_add_a_room_re_renders_the_form_with_a_line_more_keeping_what_was_typed_but_the_card(
        client, clerk, nyc, phone_dates):  # noqa: F811
    client.force_login(clerk)
    data = _form(phone_dates, guarantee="CARD", **CARD)
    for key in ("room_type_2", "adults_2", "children_2", "child_ages_2"):
        del data[key]
    response = client.post(URL, {**data, "add_room": "1"})
    assert response.status_code == 200 and Reservation.objects.count() == 0
    form, priced = response.context["form"], response.context["priced"]
    assert form.line_indexes == [2] and not form.is_bound
    page = response.content.decode()
    assert 'name="room_type_2"' in page and 'value="Lopez"' in page
    assert TestGateway.SUCCEEDS not in page and 'value="123"' not in page
    # The new line takes the first room type with rooms left, for one adult; the booking is priced together.
    assert form.initial["room_type_2"] == "DELUXE-KING" and form.initial["adults_2"] == "1"
    expected = booking_quote_rooms(hotel=nyc, rate_plan_code="BAR", check_in=phone_dates[0],
                                   check_out=phone_dates[1],
                                   rooms=[RoomRequest("DELUXE-KING", 2, 0), RoomRequest("DELUXE-KING", 1, 0)])
    assert priced.booking.total == expected.total and Decimal(form.initial["expected_total"]) == expected.total
    assert f'id="rooms-total">{expected.total}<' in page
    assert f'id="rooms-due-now">{expected.due_now}<' in page
    # The party changed on the new line, then "Update prices": the figures follow.
    again = client.post(URL, {**data, "room_type_2": "STANDARD-QUEEN", "adults_2": "1", "children_2": "1",
                              "child_ages_2": "7", "update_rooms": "1"})
    totals = [r.total for r in _priced(nyc, phone_dates).rooms]
    assert [r.total for r in again.context["priced"].booking.rooms] == totals
    assert [row["total"] for row in again.context["room_rows"]] == totals


def test_removing_a_line_keeps_the_others_and_books_what_is_left(client, clerk, nyc, phone_dates):  # noqa: F811
    client.force_login(clerk)
    data = _form(phone_dates, room_type_3="JUNIOR-SUITE", adults_3="2", children_3="0", child_ages_3="")
    response = client.post(URL, {**data, "remove_room": "2"})  # the Standard Queen goes; the suite is room 2
    assert response.status_code == 200 and Reservation.objects.count() == 0
    form = response.context["form"]
    assert form.line_indexes == [2]
    assert (form.initial["room_type_2"], form.initial["adults_2"]) == ("JUNIOR-SUITE", "2")
    assert "room_type_3" not in form.initial
    rows = response.context["room_rows"]
    expected = booking_quote_rooms(hotel=nyc, rate_plan_code="BAR", check_in=phone_dates[0],
                                   check_out=phone_dates[1],
                                   rooms=[RoomRequest("DELUXE-KING", 2, 0), RoomRequest("JUNIOR-SUITE", 2, 0)])
    assert [row["total"] for row in rows] == [r.total for r in expected.rooms]
    # Removing the last added line leaves a one-room booking, booked exactly as before (no companions).
    single = client.post(URL, {**{k: v for k, v in data.items() if not k.endswith("_3")}, "remove_room": "2"})
    assert single.context["form"].line_indexes == []
    initial = single.context["form"].initial
    booked = client.post(URL, {**{k: v for k, v in data.items() if not k.endswith(("_2", "_3"))},
                               "expected_total": initial["expected_total"]})
    assert booked.status_code == 302
    r = Reservation.objects.get()
    assert r.lead_id is None and r.room_type.code == "DELUXE-KING" and r.status == Status.CONFIRMED


def test_a_manager_has_no_price_override_on_several_rooms_and_a_forged_one_gets_the_services_refusal(
        client, manager, nyc, phone_dates):  # noqa: F811
    client.force_login(manager)
    one = client.get(URL, {k: v for k, v in _form(phone_dates).items() if not k.endswith("_2")})
    assert 'id="price-override"' in one.content.decode()
    two = client.post(URL, {**_form(phone_dates), "update_rooms": "1"})
    assert 'id="price-override"' not in two.content.decode()
    forged = client.post(URL, _form(phone_dates, override_total="100", override_reason="regular"))
    assert forged.status_code == 200 and Reservation.objects.count() == 0
    assert "A price override is given for a single-room booking" in forged.content.decode()


def test_the_confirmation_lists_every_room_with_its_check_in_and_folio(client, clerk, nyc):  # noqa: F811
    client.force_login(clerk)
    today = hotel_today(nyc)
    dates = (today, today + timedelta(days=1))  # arriving today: each room may be checked in
    priced = _priced(nyc, dates)
    response = client.post(URL, _form(dates, expected_total=str(priced.total), booked_how="WALK_IN"))
    assert response.status_code == 302
    lead = Reservation.objects.get(lead__isnull=True)
    companion = Reservation.objects.get(lead=lead)
    page = client.get(response["Location"]).content.decode()
    assert 'id="booked-rooms"' in page
    for r, name, party in ((lead, "Deluxe King Room", "2 adults"),
                           (companion, "Standard Queen Room", "1 adult, 1 child (age 7)")):
        assert r.confirmation_number in page and name in page and party in page
        assert fmt(r.grand_total, "USD") in page
        assert f'href="/admin/frontdesk/stay/{r.pk}/check-in/"' in page
        assert f'href="/admin/frontdesk/stay/{r.pk}/folio/"' in page
    assert f'id="booked-total">{fmt(priced.total, "USD")}<' in page
    assert 'id="booked-charged">0.00 USD<' in page
    # The companion's own page is the booking's too.
    assert lead.confirmation_number in client.get(f"{URL}{companion.pk}/done/").content.decode()


def test_a_guest_search_keeps_the_added_lines(client, clerk, nyc, phone_dates):  # noqa: F811
    client.force_login(clerk)
    query = {k: v for k, v in _form(phone_dates).items()
             if k in ("hotel", "check_in", "check_out", "adults", "children", "child_ages", "rate_plan",
                      "booked_how", "room_type") or k.endswith("_2")}
    page = client.get(URL, {**query, "guest_q": "Lopez"})
    assert page.status_code == 200
    assert page.context["form"].line_indexes == [2]
    assert page.context["priced"].booking.total == _priced(nyc, phone_dates).total
    search = page.content.decode().split('id="guest-search"')[1].split("</form>")[0]
    assert 'name="room_type_2" value="STANDARD-QUEEN"' in search and 'name="child_ages_2" value="7"' in search


def test_with_stripe_on_the_card_page_keeps_the_lines_and_asks_the_element_for_the_bookings_sum(
        client, clerk, nyc, phone_dates, stripe_on):  # noqa: F811
    client.force_login(clerk)
    priced = _priced(nyc, phone_dates)
    plain = client.post(URL, {**_form(phone_dates), "update_rooms": "1"})
    card_url = plain.context["card_page_url"]
    assert "room_type_2=STANDARD-QUEEN" in card_url and "child_ages_2=7" in card_url
    card_page = client.get(card_url)
    html = card_page.content.decode()
    assert card_page.context["form"].line_indexes == [2]
    assert f'data-amount="{int(priced.due_now * 100)}"' in html and 'id="add-room"' not in html
    response = client.post(URL, _form(phone_dates, guarantee="CARD", payment_method="pm_card_visa",
                                      expected_total=str(priced.total)))
    assert response.status_code == 302, response.content.decode()[:2000]
    rooms = Reservation.objects.get(lead__isnull=True).booking_rooms()
    assert [r.status for r in rooms] == [Status.CONFIRMED, Status.CONFIRMED]
    assert sum(p.amount for p in Payment.objects.all()) == priced.total and Payment.objects.count() == 2
