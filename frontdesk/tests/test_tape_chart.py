"""The tape chart: rooms by type down the side, fourteen nights across, a bar per stay, out-of-order blocks and
the bookings still without a room (frontdesk/tape_chart)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frontdesk.assignments import room_assign
from frontdesk.permissions import FRONT_DESK_GROUP
from frontdesk.services import room_out_of_order_set, stay_check_in
from frontdesk.tape_chart.selectors import tape_chart

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, nyc):
    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user("maria", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=FRONT_DESK_GROUP))
    nyc.staff.add(user)
    client.force_login(user)
    return client


@pytest.fixture
def fortnight(nyc, book, next_friday):
    """Friday at 3 pm: Ann in house in 1201, John arriving today in 1203, Zoe arriving Sunday without a room,
    1205 out of order Saturday and Sunday nights."""
    ann = book(next_friday, nights=3, email="ann@example.com", first_name="Ann", last_name="Lee")
    john = book(next_friday, nights=3)
    zoe = book(next_friday + timedelta(days=2), nights=3, email="zoe@example.com", first_name="Zoe",
               last_name="Park")
    with at(next_friday, 15):
        stay_check_in(confirmation_number=ann.confirmation_number, room_numbers=["1201"])
        room_assign(confirmation_number=john.confirmation_number, room_number="1203")
        room_out_of_order_set(hotel=nyc, room_number="1205", start=next_friday + timedelta(days=1),
                              end=next_friday + timedelta(days=3), reason="Repainting")
    return {"ann": ann, "john": john, "zoe": zoe}


def _cell(page: str, attr: str) -> str:
    match = re.search(rf'<td colspan="(\d+)" class="bar [^"]*"[^>]*{attr}[^>]*>(.*?)</td>', page, re.S)
    assert match, attr
    return match.group(0)


def test_the_chart_shows_bars_blocks_and_the_bookings_without_a_room(desk_client, fortnight, next_friday):
    ann, john, zoe = fortnight["ann"], fortnight["john"], fortnight["zoe"]
    with at(next_friday, 15):
        response = desk_client.get(f"/admin/frontdesk/stay/tape-chart/?hotel=NYC&start={next_friday.isoformat()}")
    assert response.status_code == 200
    page = response.content.decode()
    friday, saturday = next_friday.isoformat(), (next_friday + timedelta(days=1)).isoformat()

    john_bar = _cell(page, f'data-confirmation="{john.confirmation_number}"')
    assert 'colspan="3"' in john_bar and "tc-arriving" in john_bar and f'data-date="{friday}"' in john_bar
    assert ">John Smith</a>" in john_bar
    assert f'href="/admin/frontdesk/stay/{john.pk}/check-in/"' in john_bar  # arriving today: the check-in page
    ann_bar = _cell(page, f'data-confirmation="{ann.confirmation_number}"')
    assert "tc-in-house" in ann_bar and ">Ann Lee</a>" in ann_bar
    assert f'href="/admin/frontdesk/stay/{ann.pk}/folio/"' in ann_bar
    ooo = _cell(page, 'title="Out of order')
    assert 'colspan="2"' in ooo and f'data-date="{saturday}"' in ooo and "Out of order: Repainting" in ooo

    row = re.search(r'<tr class="tc-room" id="room-1203".*?</tr>', page, re.S).group(0)
    assert row.count('<td class="free') == 11 and row.count('class="bar ') == 1  # 3 nights + 11 free = 14
    assert page.index('id="type-DELUXE-KING"') < page.index('id="room-1201"') < page.index('id="room-1205"')
    assert 'class="tc-legend"' in page and "In house" in page and "Arriving / confirmed" in page and "Departed" in page

    assert "Not yet assigned a room (1)" in page
    waiting = re.search(rf'<li class="tc-waiting" id="waiting-{zoe.confirmation_number}".*?</li>', page, re.S).group(0)
    assert "Zoe Park" in waiting and 'draggable="true"' in waiting and 'data-free="1202 1204 "' in waiting
    assert re.findall(r'<option value="(\d+)"', waiting) == ["1202", "1204"]
    assert f'action="/admin/frontdesk/stay/{zoe.pk}/assign-room/"' in waiting


def test_the_chart_moves_by_two_weeks_and_refuses_a_bad_date(desk_client, fortnight, next_friday):
    with at(next_friday, 15):
        later = desk_client.get(f"/admin/frontdesk/stay/tape-chart/?start={(next_friday + timedelta(days=14))}")
        bad = desk_client.get("/admin/frontdesk/stay/tape-chart/?start=soon")
        today = desk_client.get("/admin/frontdesk/stay/tape-chart/")
    assert later.status_code == 200 and later.context["chart"].start == next_friday + timedelta(days=14)
    assert fortnight["john"].confirmation_number not in later.content.decode()
    assert "Not yet assigned a room (0)" in later.content.decode()
    prev = (next_friday).isoformat()
    assert f'id="tc-previous" href="?hotel=NYC&amp;start={prev}"' in later.content.decode()
    assert bad.status_code == 200 and bad.context["chart"].start == next_friday
    assert "The start date must be a date" in bad.content.decode()
    assert today.context["chart"].start == next_friday and 'class="day today' in today.content.decode()


def test_picking_a_room_from_the_list_assigns_it(desk_client, fortnight, next_friday):
    zoe = fortnight["zoe"]
    with at(next_friday, 15):
        response = desk_client.post(f"/admin/frontdesk/stay/{zoe.pk}/assign-room/",
                                    {"room": "1204", "start": next_friday.isoformat()}, follow=True)
    page = response.content.decode()
    assert "Room 1204 is assigned to Zoe Park" in page and "Not yet assigned a room (0)" in page
    bar = _cell(page, f'data-confirmation="{zoe.confirmation_number}"')
    assert 'colspan="3"' in bar and f'data-date="{(next_friday + timedelta(days=2)).isoformat()}"' in bar


def test_the_chart_reads_in_a_fixed_number_of_queries(nyc, book, fortnight, next_friday,
                                                      django_assert_max_num_queries):
    with at(next_friday, 15), django_assert_max_num_queries(4):
        chart = tape_chart(hotel=nyc, start=next_friday, today=next_friday)
        assert sum(len(g.rows) for g in chart.groups) == 16 and len(chart.unassigned) == 1
    for i in range(4):  # more stays, assigned and not, change nothing in the number of queries
        extra = book(next_friday + timedelta(days=i), nights=2, room_type="STANDARD-QUEEN",
                     email=f"x{i}@example.com")
        if i % 2:
            room_assign(confirmation_number=extra.confirmation_number, room_number=f"110{i}")
    with at(next_friday, 15), django_assert_max_num_queries(4):
        chart = tape_chart(hotel=nyc, start=next_friday, today=next_friday)
        assert len(chart.unassigned) == 3


def test_the_page_reads_in_the_same_number_of_queries_however_many_stays(desk_client, book, fortnight, next_friday):
    url = f"/admin/frontdesk/stay/tape-chart/?hotel=NYC&start={next_friday.isoformat()}"
    with at(next_friday, 15):
        desk_client.get(url)
        with CaptureQueriesContext(connection) as few:
            desk_client.get(url)
        for i in range(3):
            extra = book(next_friday + timedelta(days=i), nights=2, room_type="STANDARD-QUEEN",
                         email=f"x{i}@example.com")
            room_assign(confirmation_number=extra.confirmation_number, room_number=f"110{i + 1}")
        with CaptureQueriesContext(connection) as many:
            desk_client.get(url)
    assert len(many) == len(few) <= 15
