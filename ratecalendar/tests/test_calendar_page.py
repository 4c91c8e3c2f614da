"""The calendar page: what each cell shows, in a fixed number of queries; who may see and edit it; the form's
preview, apply and undo through the admin."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from inventory.models import Hotel, InventoryDay, RoomType
from pricing.models import RateOverride, RatePlan
from ratecalendar.models import CalendarEdit
from ratecalendar.selectors import rate_calendar
from tests.factories import HotelFactory, RateFactory, RoomTypeFactory, staff_user

from .conftest import FRI, MANAGER_PERMS

pytestmark = pytest.mark.django_db
SAT = FRI + timedelta(days=1)


def url(hotel, what=""):
    return f"/admin/ratecalendar/calendaredit/hotel/{hotel.pk}/{what}"


def cells_of(html, row_id) -> list[str]:
    body = html[html.index(f'id="{row_id}"'):]
    return body[:body.index("</tbody>")]


def form_data(hotel, **overrides):
    data = {"start": FRI.isoformat(), "end": SAT.isoformat(), "weekdays": [str(d) for d in range(7)],
            "room_types": [str(RoomType.objects.get(hotel=hotel, code="DELUXE-KING").pk)],
            "rate_plans": [str(RatePlan.objects.get(hotel=hotel, code="BAR").pk)], "action": "PRICE_SET",
            "value": "180"}
    data.update(overrides)
    return data


# --- the selector ----------------------------------------------------------------------------------------

def test_each_cell_shows_sold_and_left_the_plans_prices_and_the_restrictions(hotel):
    king = RoomType.objects.get(hotel=hotel, code="DELUXE-KING")
    InventoryDay.objects.filter(room_type=king, date=SAT).update(
        sold=2, stop_sell=False, min_stay=2, max_stay=7, closed_to_arrival=True, min_advance_days=3,
        max_advance_days=60, rooms_to_sell=4)
    InventoryDay.objects.filter(room_type=king, date=FRI).update(stop_sell=True, closed_to_departure=True)
    RateOverride.objects.create(rate_plan=RatePlan.objects.get(hotel=hotel, code="BAR"), room_type=king, date=SAT,
                                amount=Decimal("250"))
    calendar = rate_calendar(hotel=hotel, start=FRI, days=3)
    row = next(r for r in calendar.rows if r.room_type == king)
    fri, sat, sun = row.days
    assert [(c.sold, c.left) for c in row.days] == [(0, 0), (2, 2), (0, 5)]
    assert [b.label for b in fri.badges] == ["Closed", "CTD"]
    assert [b.label for b in sat.badges] == ["Min 2", "Max 7", "CTA", "≥3d", "≤60d", "Sell 4"]
    assert sun.badges == []
    assert [(p.plan.code, p.is_derived, p.derivation, [str(c.amount) for c in p.cells]) for p in row.plans] == [
        ("BAR", False, "", ["189.00", "250.00", "199.00"]),
        ("AAA", True, "BAR less 10%", ["170.10", "225.00", "179.10"])]
    assert [[c.overridden for c in p.cells] for p in row.plans] == [[False, True, False], [False, True, False]]
    assert (calendar.previous_week, calendar.next_week, calendar.next_month) == (
        FRI - timedelta(days=7), FRI + timedelta(days=7), FRI + timedelta(days=31))


def test_a_night_without_a_rate_or_inventory_shows_nothing_rather_than_zero(hotel):
    king = RoomType.objects.get(hotel=hotel, code="DELUXE-KING")
    king.rates.update(end_date=FRI)
    InventoryDay.objects.filter(room_type=king, date=SAT).delete()
    row = next(r for r in rate_calendar(hotel=hotel, start=FRI, days=2).rows if r.room_type == king)
    assert [c.amount for c in row.plans[0].cells] == [Decimal("189.00"), None]
    assert [c.is_open for c in row.days] == [True, False]


def test_twenty_room_types_by_31_nights_take_the_same_five_queries_as_one(hotel, django_assert_num_queries):
    with django_assert_num_queries(5):
        small = rate_calendar(hotel=hotel, start=FRI)
    bar = RatePlan.objects.get(hotel=hotel, code="BAR")
    for i in range(18):
        rt = RoomTypeFactory(hotel=hotel, code=f"RT{i:02d}")
        RateFactory(rate_plan=bar, room_type=rt, start_date=date(2031, 1, 1), end_date=date(2031, 12, 31))
    RatePlan.objects.create(hotel=hotel, code="AAB", name="Another", parent=bar, derivation="AMOUNT",
                            derivation_value=Decimal("5"), cancellation_policy=bar.cancellation_policy)
    with django_assert_num_queries(5):
        big = rate_calendar(hotel=hotel, start=FRI)
    assert (len(small.rows), len(big.rows), len(big.dates), len(big.rows[0].plans)) == (2, 20, 31, 3)
    assert [str(c.amount) for c in big.rows[0].plans[2].cells[:2]] == ["184.00", "214.00"]  # AAB: BAR less 5.00


# --- the page and who may use it -------------------------------------------------------------------------

def test_the_page_shows_the_grid_the_form_and_week_links(hotel, manager, client):
    client.force_login(manager)
    r = client.get(url(hotel), {"start": FRI.isoformat()})
    assert r.status_code == 200
    html = r.content.decode()
    king = cells_of(html, "rt-DELUXE-KING")
    assert '<span class="sold">0</span>/<span class="left">5</span>' in king
    assert re.search(r'<tr class="plan derived" data-plan="AAA">\s*<th scope="row">AAA<span class="follows">BAR '
                     r'less 10%</span></th>\s*<td class="price">170.10</td><td class="price">197.10</td>', king)
    assert f'href="?start={FRI + timedelta(days=7)}" id="cal-next-week"' in html
    assert f'href="?start={FRI - timedelta(days=7)}" id="cal-prev-week"' in html
    assert 'id="bulk-edit"' in html and "Set minimum advance booking (days)" in html
    assert "the one that starts latest wins" in html
    assert "/static/js/rate-calendar.js" in html and "<script>" not in html


def test_without_the_permission_the_page_is_forbidden_and_another_hotel_is_not_found(hotel, client):
    client.force_login(staff_user("clerk", perms=("bookings.view_reservation",), hotels=[hotel]))
    assert client.get(url(hotel)).status_code == 403
    other = HotelFactory(code="OTH")
    client.force_login(staff_user("elsewhere", perms=MANAGER_PERMS, hotels=[other]))
    assert client.get(url(hotel)).status_code == 404
    assert client.post(url(hotel, "apply/"), form_data(hotel)).status_code == 404
    assert not RateOverride.objects.exists()


def test_a_viewer_sees_the_calendar_but_cannot_preview_or_apply(hotel, client):
    client.force_login(staff_user("viewer", perms=("ratecalendar.view_calendaredit",), hotels=[hotel]))
    html = client.get(url(hotel)).content.decode()
    assert 'id="rt-DELUXE-KING"' in html and 'id="bulk-edit"' not in html
    assert client.post(url(hotel, "preview/"), form_data(hotel)).status_code == 403
    assert client.post(url(hotel, "apply/"), form_data(hotel)).status_code == 403
    assert not RateOverride.objects.exists()


def test_preview_apply_and_undo_through_the_pages(hotel, manager, client):
    client.force_login(manager)
    r = client.post(url(hotel, "preview/"), form_data(hotel))
    assert r.status_code == 200
    html = r.content.decode()
    assert "2 cells will change, and 2 derived-plan prices with them." in html
    assert re.search(r'<td>DELUXE-KING</td><td>BAR</td><td>Sat 2031-01-11</td><td>Price</td>\s*'
                     r'<td class="num before">219.00</td>\s*<td class="num after">180.00</td>', html)
    assert re.search(r'AAA <span class="follows">follows BAR</span></td><td>Fri 2031-01-10</td>\s*'
                     r'<td class="num before">170.10</td><td class="num after">162.00</td>', html)
    assert not RateOverride.objects.exists()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)

    r = client.post(url(hotel, "apply/"), {**form_data(hotel), "digest": digest})
    assert r.status_code == 302 and r["Location"] == f"{url(hotel)}?start=2031-01-10"
    edit = CalendarEdit.objects.get()
    assert (edit.created_by, edit.cell_count) == (manager, 2)
    html = client.get(r["Location"]).content.decode()
    assert "Applied: Set the price: 180 USD · 2 nights from 2031-01-10 to 2031-01-11 (every day)" in html
    assert f'action="/admin/ratecalendar/calendaredit/{edit.pk}/undo/"' in html
    assert ('<td class="price override">180.00</td><td class="price override">180.00</td><td class="price">199.00'
            in cells_of(html, "rt-DELUXE-KING"))

    r = client.post(f"/admin/ratecalendar/calendaredit/{edit.pk}/undo/")
    assert r.status_code == 302
    assert not RateOverride.objects.exists()
    html = client.get(r["Location"]).content.decode()
    assert "Undone: Set the price" in html and '<span class="state">undone</span>' in html


def test_an_outdated_preview_is_shown_again_with_the_new_figures(hotel, manager, client):
    client.force_login(manager)
    html = client.post(url(hotel, "preview/"), form_data(hotel)).content.decode()
    digest = re.search(r'name="digest" value="([0-9a-f]+)"', html).group(1)
    king = RoomType.objects.get(hotel=hotel, code="DELUXE-KING")
    RateOverride.objects.create(rate_plan=RatePlan.objects.get(hotel=hotel, code="BAR"), room_type=king, date=SAT,
                                amount=Decimal("230"))
    r = client.post(url(hotel, "apply/"), {**form_data(hotel), "digest": digest})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Prices or restrictions changed since the preview." in html
    assert '<td class="num before">230.00</td>' in html
    assert not CalendarEdit.objects.exists()


@pytest.mark.parametrize("overrides, message", [
    ({"value": "-5"}, "A price cannot be negative."),
    ({"start": "2030-12-31"}, "Past nights cannot be changed."),
    ({"weekdays": []}, "Choose at least one weekday."),
    ({"room_types": []}, "Choose at least one room type."),
    ({"action": "NUKE"}, "Select a valid choice. NUKE is not one of the available choices."),
    ({"start": "not a date"}, "Enter a valid date."),
])
def test_bad_input_is_shown_in_the_form_and_nothing_is_written(hotel, manager, client, overrides, message):
    client.force_login(manager)
    r = client.post(url(hotel, "preview/"), form_data(hotel, **overrides))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not RateOverride.objects.exists() and not CalendarEdit.objects.exists()


def test_an_undo_that_conflicts_says_why_on_the_page(hotel, manager, client):
    client.force_login(manager)
    client.post(url(hotel, "apply/"), form_data(hotel, action="CLOSE"))
    edit = CalendarEdit.objects.get()
    InventoryDay.objects.filter(room_type__code="DELUXE-KING", date=SAT).update(stop_sell=False)
    r = client.post(f"/admin/ratecalendar/calendaredit/{edit.pk}/undo/", follow=True)
    assert "These nights were changed again after this edit: DELUXE-KING 2031-01-11" in r.content.decode()


def test_the_history_lists_edits_of_the_staff_members_hotels_only(hotel, manager, client):
    from ratecalendar.services import EditRequest, edit_apply

    other = HotelFactory(code="OTH")
    other_type = RoomTypeFactory(hotel=other, code="OTHER")
    InventoryDay.objects.create(room_type=other_type, date=FRI, total=3)
    edit_apply(hotel=other, request=EditRequest(start=FRI, end=FRI, weekdays=frozenset(range(7)),
                                                room_type_ids=(other_type.pk,), rate_plan_ids=(), action="CLOSE"))
    client.force_login(manager)
    client.post(url(hotel, "apply/"), form_data(hotel, action="CLOSE"))
    html = client.get("/admin/ratecalendar/calendaredit/").content.decode()
    assert "Calendar: CAL" in html and "Calendar: OTH" not in html
    assert html.count('<td class="field-summary">Close (stop-sell) · ') == 1
    mine = CalendarEdit.objects.get(hotel=hotel)
    page = client.get(f"/admin/ratecalendar/calendaredit/{mine.pk}/change/").content.decode()
    assert "<td>DELUXE-KING</td><td></td><td>2031-01-10</td><td>stop sell</td><td>False</td><td>True</td>" in page
    assert 'form="undo-form"' in page
    assert client.get(f"/admin/ratecalendar/calendaredit/{CalendarEdit.objects.get(hotel=other).pk}/change/"
                      ).status_code == 302  # not found among the user's: the admin sends them back


def test_superusers_reach_every_hotel(hotel, admin_client):
    assert admin_client.get(url(hotel)).status_code == 200
    assert Hotel.objects.count() == 1


def test_names_and_codes_are_escaped_in_the_grid(hotel, admin_client):
    RoomType.objects.filter(hotel=hotel, code="DELUXE-KING").update(name='<img src=x onerror="alert(1)">')
    html = admin_client.get(url(hotel), {"start": FRI.isoformat()}).content.decode()
    assert '<img src=x' not in html
    assert '<span class="name">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</span>' in html


def test_the_revenue_manager_group_may_edit_and_no_api_key_may(hotel, client):
    from hotelbooking.permissions import KEY_WORK, staff_may

    manager = staff_user("rm", groups=["Revenue manager"], hotels=[hotel])
    assert staff_may(manager, "view_rates", hotel) and staff_may(manager, "manage_rates", hotel)
    desk = staff_user("desk", groups=["Front desk"], hotels=[hotel])
    assert not staff_may(desk, "view_rates", hotel)
    assert all("manage_rates" not in work and "view_rates" not in work for work in KEY_WORK.values())
    client.force_login(manager)
    assert client.post(url(hotel, "apply/"), form_data(hotel)).status_code == 302
    assert CalendarEdit.objects.get().created_by == manager
