"""Split folios: a company pays the room and taxes, the guest the rest; routing, moves with their record, closed
(invoiced) folios, the channel's folio, and who may do it."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.payments import TestGateway
from bookings.services import BookingRequest, GuestDetails, booking_create
from frontdesk.models import BillingParty, Folio, FolioLine, FolioLineMove, FolioRoute, StayRecord
from frontdesk.selectors import folio_get
from frontdesk.services import charge_post, charge_reverse, stay_check_in, stay_nights_post
from tests.factories import HotelFactory, api_key_for, staff_user

from .conftest import NEW_YORK, at

pytestmark = pytest.mark.django_db

ACME = {"kind": "COMPANY", "name": "ACME Corp", "address": "1 Main St", "postal_code": "10001", "city": "New York",
        "country": "us", "vat_id": "US-99-1234567", "contact_name": "Wile E.", "email": "ap@acme.example"}


def _book(next_friday, *, channel="DIRECT", source=""):
    """Friday to Monday, Deluxe King, AAA, 2 adults: 546.30 room, 72.84 tax, 45.00 resort fee = 664.14, nothing
    collected at booking (pay at the hotel, or the channel collects)."""
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("Ann", "Lee", "ann@example.com"),
        card=None, channel=channel, source=source, collect_payment=False), gateway=TestGateway())


@pytest.fixture
def stay(nyc, next_friday):
    with at(next_friday, 9):
        return _book(next_friday)


def _url(r, tail):
    return f"/api/v1/reservations/{r.confirmation_number}/{tail}"


def _open_acme(client, r, route=("ROOM", "TAX")):
    response = client.post(_url(r, "folios"), {"kind": "COMPANY", "party": ACME, "route": list(route)},
                           format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def _check_in(r, day):
    with at(day):
        stay_check_in(confirmation_number=r.confirmation_number, room_numbers=["1204"])


def _bill(client, r, number):
    return next(f for f in client.get(_url(r, "folio")).json()["folios"] if f["number"] == number)


def test_a_company_pays_room_and_taxes_and_the_guest_settles_only_the_rest(frontdesk_client, stay, next_friday):
    with at(next_friday, 9):
        acme = _open_acme(frontdesk_client, stay)
    assert (acme["number"], acme["kind"], acme["billed_to"]) == (2, "COMPANY", "ACME Corp")
    assert acme["billing_party"]["vat_id"] == "US-99-1234567" and acme["billing_party"]["country"] == "US"
    _check_in(stay, next_friday)
    for night in range(3):  # the night audits
        stay_nights_post(reservation_id=stay.pk, through=next_friday + timedelta(days=night))
    with at(next_friday + timedelta(days=1)):
        charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")

    folio = frontdesk_client.get(_url(stay, "folio")).json()
    assert {x["type"] for x in folio["lines"]} == {"FEE", "MINIBAR"}  # what the guest sees: their own lines
    assert (folio["totals"]["fees"], folio["totals"]["incidentals"], folio["balance"]) == ("45.00", "12.50", "57.50")
    company = folio["folios"][1]
    assert [x["amount"] for x in company["lines"] if x["type"] == "ROOM"] == ["170.10", "197.10", "179.10"]
    assert (company["totals"]["room"], company["totals"]["taxes"], company["balance"]) == ("546.30", "72.84",
                                                                                          "619.14")
    assert folio["routes"] == [{"type": "ROOM", "folio": 2}, {"type": "TAX", "folio": 2}]

    departure = next_friday + timedelta(days=3)
    with at(departure, 9):
        owed = frontdesk_client.post(_url(stay, "check-out"), format="json")
        assert owed.status_code == 402 and owed.json()["error"]["balance"] == "57.50"  # the guest's share only
        done = frontdesk_client.post(_url(stay, "check-out"), {"paid_at_desk": True}, format="json").json()
    assert done["status"] == "CHECKED_OUT"
    assert (done["bill"]["totals"]["paid"], done["bill"]["balance"]) == ("57.50", "0.00")
    acme_after = next(f for f in done["bill"]["folios"] if f["number"] == 2)
    assert (acme_after["balance"], acme_after["totals"]["paid"]) == ("619.14", "0.00")  # ACME owes, by invoice
    assert StayRecord.objects.get(reservation=stay).total_spent == Decimal("676.64")  # whoever paid it


def test_every_kind_of_charge_goes_where_it_is_routed(frontdesk_client, stay, next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=["STAY", "INCIDENTALS", "PENALTY"])
    assert set(FolioRoute.objects.filter(reservation=stay).values_list("kind", flat=True)) == set(FolioRoute.KINDS)
    _check_in(stay, next_friday)
    stay_nights_post(reservation_id=stay.pk, through=next_friday)
    with at(next_friday, 18):
        lines = [charge_post(confirmation_number=stay.confirmation_number, kind=kind, amount="10.00",
                             currency="USD") for kind in FolioLine.INCIDENTALS]
        correction = charge_reverse(confirmation_number=stay.confirmation_number, line_id=lines[0].pk,
                                    reason="Not ours")
    on = dict(FolioLine.objects.filter(reservation=stay).values_list("pk", "folio__number"))
    assert {on[line.pk] for line in lines} == {2} and on[correction.pk] == 2  # the reversal follows its line
    assert sorted(FolioLine.objects.filter(reservation=stay, folio__number=2, kind__in=["ROOM", "TAX", "FEE"])
                  .values_list("kind", flat=True)) == ["FEE", "ROOM", "TAX"]

    back = frontdesk_client.post(_url(stay, "folio-routes"), {"kinds": ["minibar"], "folio": 1}, format="json")
    assert back.status_code == 200 and {"type": "MINIBAR", "folio": 2} not in back.json()["routes"]
    with at(next_friday, 19):
        minibar = charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="7.25",
                              currency="USD")
    assert minibar.folio.number == 1
    folio = folio_get(stay)
    assert folio.totals.balance == Decimal("7.25")  # the guest owes the one charge routed back to them
    assert folio.folios[1].totals.charges == Decimal("207.78") + Decimal("70.00")  # Friday's night + 7 extras

    bad = frontdesk_client.post(_url(stay, "folio-routes"), {"kinds": ["CASINO"], "folio": 2}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "kinds"
    missing = frontdesk_client.post(_url(stay, "folio-routes"), {"kinds": ["ROOM"], "folio": 9}, format="json")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "FOLIO_NOT_FOUND"


def test_a_minibar_charge_moved_to_the_company_leaves_a_record(frontdesk_client, stay, next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=[])
    _check_in(stay, next_friday)
    with at(next_friday, 20):
        line = charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="12.50",
                           currency="USD")
        response = frontdesk_client.post(_url(stay, "folio-moves"), {
            "lines": [line.pk], "folio": 2, "reason": "ACME pays the minibar"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["totals"]["incidentals"] == "0.00" and body["balance"] == "0.00"
    assert body["folios"][1]["totals"]["incidentals"] == "12.50"
    [record] = body["moves"]
    assert {k: record[k] for k in ("line", "from_folio", "to_folio", "reason")} == {
        "line": line.pk, "from_folio": 1, "to_folio": 2, "reason": "ACME pays the minibar"}
    assert record["moved_by"].startswith("API key Front desk")
    move = FolioLineMove.objects.get()
    assert (move.from_folio.number, move.to_folio.number, move.line_id) == (1, 2, line.pk)
    assert move.moved_at == datetime.combine(next_friday, time(20), tzinfo=NEW_YORK)  # the desk's clock

    again = frontdesk_client.post(_url(stay, "folio-moves"), {"lines": [line.pk], "folio": 2, "reason": "x"},
                                  format="json")
    assert again.status_code == 400  # already there
    no_reason = frontdesk_client.post(_url(stay, "folio-moves"), {"lines": [line.pk], "folio": 1, "reason": " "},
                                      format="json")
    assert no_reason.status_code == 400 and FolioLineMove.objects.count() == 1


def test_a_closed_folio_takes_nothing_and_gives_nothing_up(frontdesk_client, stay, next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=["MINIBAR"])
    _check_in(stay, next_friday)
    with at(next_friday, 20):
        on_acme = charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="12.50",
                              currency="USD")
        on_guest = charge_post(confirmation_number=stay.confirmation_number, kind="SPA", amount="80.00",
                               currency="USD")
    Folio.objects.filter(reservation=stay, number=2).update(closed_at=timezone.now())  # invoiced

    onto = frontdesk_client.post(_url(stay, "folio-moves"), {"lines": [on_guest.pk], "folio": 2, "reason": "x"},
                                 format="json")
    off = frontdesk_client.post(_url(stay, "folio-moves"), {"lines": [on_acme.pk], "folio": 1, "reason": "x"},
                                format="json")
    route = frontdesk_client.post(_url(stay, "folio-routes"), {"kinds": ["SPA"], "folio": 2}, format="json")
    for refused in (onto, off, route):
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "FOLIO_CLOSED"
        assert refused.json()["error"]["folio"] == 2
    assert dict(FolioLine.objects.filter(reservation=stay).values_list("pk", "folio__number")) == {
        on_acme.pk: 2, on_guest.pk: 1}
    assert not FolioLineMove.objects.exists()

    # A minibar charge routed to the invoiced folio opens the next folio of ACME, and the route follows it.
    with at(next_friday, 21):
        later = charge_post(confirmation_number=stay.confirmation_number, kind="MINIBAR", amount="6.00",
                            currency="USD")
    third = later.folio
    assert (third.number, third.kind, third.billing_party.name, third.closed_at) == (3, "COMPANY", "ACME Corp", None)
    assert FolioRoute.objects.get(reservation=stay, kind="MINIBAR").folio == third
    assert _bill(frontdesk_client, stay, 2)["totals"]["charges"] == "12.50"  # the invoice's folio is unchanged


def test_an_ota_booking_the_channel_collected_bills_the_stay_to_the_channels_folio(frontdesk_client, nyc,
                                                                                    next_friday):
    with at(next_friday, 9):
        r = _book(next_friday, channel="OTA", source="BOOKING_COM")
    _check_in(r, next_friday)
    with at(next_friday, 20):
        charge_post(confirmation_number=r.confirmation_number, kind="RESTAURANT", amount="40.00", currency="USD")
    with at(next_friday + timedelta(days=3), 9):
        body = frontdesk_client.post(_url(r, "check-out"), {"paid_at_desk": True}, format="json").json()
    bill = body["bill"]
    assert [x["type"] for x in bill["lines"]] == ["RESTAURANT"]  # the guest's folio: what the guest pays
    assert (bill["totals"]["charges"], bill["totals"]["paid"], bill["balance"]) == ("40.00", "40.00", "0.00")
    channel = bill["folios"][1]
    assert (channel["number"], channel["kind"], channel["billed_to"]) == (2, "CHANNEL", "BOOKING_COM")
    assert (channel["totals"]["charges"], channel["balance"]) == ("664.14", "664.14")
    assert not FolioLine.objects.filter(reservation=r, kind="TRANSFER").exists()


def test_a_clerk_without_the_permission_is_refused_and_nothing_changes(client, nyc, stay, next_friday):
    viewer = staff_user("viewer", perms=["frontdesk.view_folioline"], hotels=[nyc])
    client.force_login(viewer)
    assert client.get(_url(stay, "folios")).status_code == 200
    response = client.post(_url(stay, "folios"), {"kind": "COMPANY", "party": ACME}, content_type="application/json")
    assert response.status_code == 403
    routes = client.post(_url(stay, "folio-routes"), {"kinds": ["ROOM"], "folio": 1}, content_type="application/json")
    assert routes.status_code == 403
    assert not BillingParty.objects.exists() and Folio.objects.filter(reservation=stay).count() <= 1


def test_another_hotels_clerk_sees_nothing_of_this_hotels_folios(client, frontdesk_client, nyc, stay, next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay)
    boston = HotelFactory(code="BOS")
    _, key = api_key_for(boston, scope="frontdesk", name="Boston desk")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert other.get(_url(stay, "folios")).status_code == 404
    moved = other.post(_url(stay, "folio-routes"), {"kinds": ["ROOM"], "folio": 1}, format="json")
    assert moved.status_code == 404
    clerk = staff_user("bos-clerk", groups=["Front desk"], hotels=[boston])
    client.force_login(clerk)
    assert client.get(_url(stay, "folios")).status_code == 404
    assert FolioRoute.objects.filter(reservation=stay, folio__number=2).count() == 2  # untouched


def test_billing_parties_are_listed_searched_and_created_for_front_desk_keys(frontdesk_client, nyc):
    created = frontdesk_client.post("/api/v1/billing-parties", {**ACME, "kind": "TRAVEL_AGENT", "name": "Globetrot",
                                                                "email": "desk@globetrot.example"},
                                    format="json")
    assert created.status_code == 201 and created.json()["kind"] == "TRAVEL_AGENT"
    frontdesk_client.post("/api/v1/billing-parties", ACME, format="json")
    names = [p["name"] for p in frontdesk_client.get("/api/v1/billing-parties").json()]
    assert names == ["ACME Corp", "Globetrot"]
    assert [p["name"] for p in frontdesk_client.get("/api/v1/billing-parties?q=acme").json()] == ["ACME Corp"]
    bad = frontdesk_client.post("/api/v1/billing-parties", {**ACME, "country": "USA"}, format="json")
    assert bad.status_code == 400


def test_the_console_folio_page_opens_a_company_folio_routes_and_moves_a_line(clerk_client, stay, next_friday):
    _check_in(stay, next_friday)
    page = f"/admin/frontdesk/stay/{stay.pk}/"
    with at(next_friday, 18):
        opened = clerk_client.post(page + "folios/open/", {"kind": "COMPANY", "name": "ACME Corp",
                                                          "vat_id": "DE123", "country": "de", "route": ["STAY"]})
        assert opened.status_code == 302
        spa = charge_post(confirmation_number=stay.confirmation_number, kind="SPA", amount="80.00", currency="USD")
        moved = clerk_client.post(page + "folios/move/", {"lines": [spa.pk], "folio": "2", "reason": "ACME pays"})
        assert moved.status_code == 302
        refused = clerk_client.post(page + "folios/move/", {"lines": [spa.pk], "folio": "7", "reason": "x"},
                                    follow=True)
    assert "has no folio 7. (FOLIO_NOT_FOUND)" in refused.content.decode()
    stay_nights_post(reservation_id=stay.pk, through=next_friday)
    html = clerk_client.get(page + "folio/").content.decode()
    assert "Folio 2 — ACME Corp" in html and "VAT DE123" in html
    assert "from folio 1 to folio 2 by maria — ACME pays" in html
    assert "Room → folio 2" in html.replace("&rarr;", "→")
    from frontdesk.audit import stay_history

    [moved] = [h for h in stay_history(stay) if h.what == "Folio line moved"]  # the stay's history shows it
    assert (moved.who, moved.summary) == ("maria", "Spa (80.00): ACME pays")
    assert [(c.field, c.before, c.after) for c in moved.changes] == [("folio", "1", "2")]
    bill = folio_get(stay).folios[1]
    assert bill.totals.charges == Decimal("80.00") + Decimal("207.78")  # the spa and Friday's night
    assert bill.folio.billing_party.country == "DE"


def test_a_no_show_penalty_routed_to_the_company_is_the_companys_to_pay(frontdesk_client, stay, next_friday):
    from frontdesk.services import night_audits_run_due

    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=["PENALTY"])
    with at(next_friday + timedelta(days=1), 4):
        night_audits_run_due(gateway=TestGateway())
    stay.refresh_from_db()
    folio = folio_get(stay)
    assert stay.status == "NO_SHOW" and folio.lines == [] and folio.totals.balance == Decimal("0.00")
    [penalty] = folio.folios[1].lines
    assert (penalty.kind, penalty.amount, folio.folios[1].totals.balance) == ("PENALTY", Decimal("664.14"),
                                                                             Decimal("664.14"))


def test_an_old_booking_with_a_transfer_line_still_reads_as_it_did(frontdesk_client, stay, next_friday):
    """Reservations checked in before the channel's folio existed keep their TRANSFER line on the guest's folio."""
    from frontdesk.services import guest_folio

    _check_in(stay, next_friday)
    stay_nights_post(reservation_id=stay.pk, through=next_friday)
    FolioLine.objects.create(reservation=stay, folio=guest_folio(stay), kind="TRANSFER", amount=Decimal("-207.78"),
                             description="Room and tax billed to BOOKING_COM", currency="USD",
                             business_date=next_friday, posting_key="channel-transfer")
    body = frontdesk_client.get(_url(stay, "folio")).json()
    assert (body["totals"]["transfers"], body["totals"]["charges"], body["balance"]) == ("-207.78", "0.00", "0.00")
    assert [f["number"] for f in body["folios"]] == [1]
    assert "TRANSFER" in [x["type"] for x in body["folios"][0]["lines"]]


def test_the_folio_reads_in_a_fixed_number_of_queries(stay, next_friday, django_assert_num_queries):
    _check_in(stay, next_friday)
    stay_nights_post(reservation_id=stay.pk, through=next_friday + timedelta(days=2))
    with django_assert_num_queries(5):  # lines, payments, folios, routes, moves
        folio_get(stay)


def test_the_admin_shows_a_hotels_folios_and_moves_only_to_its_staff(client, frontdesk_client, nyc, stay,
                                                                    next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay)
    boston = HotelFactory(code="BOS")
    client.force_login(staff_user("bos-clerk", groups=["Front desk"], hotels=[boston],
                                  perms=["frontdesk.view_folio", "frontdesk.view_foliolinemove"]))
    listing = client.get("/admin/frontdesk/folio/")
    assert listing.status_code == 200 and stay.confirmation_number not in listing.content.decode()
    folio = Folio.objects.get(reservation=stay, number=2)
    assert client.get(f"/admin/frontdesk/folio/{folio.pk}/change/").status_code in (302, 404)
    parties = client.get("/admin/frontdesk/billingparty/?q=acme")  # the group's parties, shared by its hotels
    assert parties.status_code == 200 and "ACME Corp" in parties.content.decode()


def test_a_charge_posted_through_the_api_lands_on_its_routed_folio_and_says_so(frontdesk_client, stay, next_friday):
    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=["RESTAURANT"])
        second = frontdesk_client.post(_url(stay, "folios"), {"kind": "GUEST", "label": "Ben Lee"}, format="json")
    assert second.status_code == 201 and (second.json()["number"], second.json()["billed_to"]) == (3, "Ben Lee")
    _check_in(stay, next_friday)
    with at(next_friday, 20):
        response = frontdesk_client.post(_url(stay, "charges"), {"type": "RESTAURANT", "amount": "64.00",
                                                                 "currency": "USD"}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["charge"]["folio"], response.json()["balance"]) == (2, "0.00")


def test_a_night_moved_by_hand_to_the_company_leaves_the_desk_row_owing_the_rest(frontdesk_client, stay,
                                                                                  next_friday):
    from frontdesk.desk_rows import desk_rows_annotate

    with at(next_friday, 9):
        _open_acme(frontdesk_client, stay, route=[])
    _check_in(stay, next_friday)
    with at(next_friday + timedelta(days=1), 12):
        stay_nights_post(reservation_id=stay.pk, through=next_friday)
        friday = FolioLine.objects.get(reservation=stay, kind="ROOM", business_date=next_friday)
        assert friday.amount == Decimal("170.10")
        moved = frontdesk_client.post(_url(stay, "folio-moves"), {
            "lines": [friday.pk], "folio": 2, "reason": "ACME pays the first night"}, format="json")
        assert moved.status_code == 201, moved.json()
    [row] = desk_rows_annotate([type(stay).objects.get(pk=stay.pk)])
    assert row.balance == Decimal("494.04") and row.paid_status == "Unpaid"  # 664.14 less the night ACME pays
