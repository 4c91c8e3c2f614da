"""The staff console in the Django admin, used by a front-desk group member who is not a superuser."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from bookings.models import Status
from frontdesk.models import FolioLine, HousekeepingTask
from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_DESK_PERMISSIONS
from frontdesk.services import charge_post, stay_check_in
from inventory.models import Room

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client, nyc):
    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():  # a flush by a transactional test removes it
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user("maria", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=FRONT_DESK_GROUP))
    nyc.staff.add(user)  # a clerk works at a hotel: without it the console shows no hotel
    client.force_login(user)
    return client


def test_the_group_has_exactly_the_console_permissions(nyc):
    call_command("front_desk_group", verbosity=0)
    group = Group.objects.get(name=FRONT_DESK_GROUP)
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert perms == set(FRONT_DESK_PERMISSIONS)
    assert not any(code.startswith("delete_") for _, code in perms)


def test_console_pages_load(desk_client, seed_stay, next_friday):
    with at(next_friday):
        pages = ["/admin/?all=1", "/admin/frontdesk/stay/", "/admin/frontdesk/stay/?today=arrivals",
                 "/admin/frontdesk/stay/desk/", "/admin/frontdesk/stay/rack/", "/admin/frontdesk/stay/housekeeping/",
                 f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/", f"/admin/frontdesk/stay/{seed_stay.pk}/folio/",
                 "/admin/frontdesk/folioline/", "/admin/frontdesk/housekeepingtask/",
                 "/admin/frontdesk/roomoutoforder/", "/admin/frontdesk/loyaltyentry/"]
        for url in pages:
            response = desk_client.get(url)
            assert response.status_code == 200, url
        desk = desk_client.get("/admin/frontdesk/stay/desk/").content.decode()
    assert seed_stay.confirmation_number in desk and "Arrivals (1)" in desk


def test_console_is_closed_to_staff_outside_the_group(client, nyc, seed_stay):
    user = User.objects.create_user("visitor", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/frontdesk/stay/desk/").status_code == 403
    assert client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/").status_code == 403
    assert client.get("/admin/frontdesk/stay/").status_code == 403


def test_check_in_from_the_console_offers_only_valid_rooms(desk_client, seed_stay, next_friday):
    Room.objects.filter(number="1205").update(status=Room.Status.NEEDS_CLEANING)
    url = f"/admin/frontdesk/stay/{seed_stay.pk}/check-in/"
    with at(next_friday, 15):
        page = desk_client.get(url)
        offered = [choice[0] for choice in page.context["form"].fields["rooms"].choices]
        assert offered == ["1201", "1202", "1203", "1204"]  # Deluxe Kings that are clean; not 1205, not 11xx
        wrong = desk_client.post(url, {"rooms": ["1101"], "key_cards_per_room": 2})
        assert wrong.status_code == 200 and "1101" in str(wrong.context["form"].errors)
        response = desk_client.post(url, {"rooms": ["1202"], "key_cards_per_room": 2})
    assert response.status_code == 302
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_IN
    assert Room.objects.get(number="1202").status == Room.Status.OCCUPIED
    assert seed_stay.status_changes.last().actor == "maria"


def test_charge_and_check_out_from_the_console(desk_client, seed_stay, next_friday):
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
        response = desk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/charge/",
                                    {"type": "MINIBAR", "amount": "12.50", "currency": "USD", "description": ""})
        assert response.status_code == 302
        line = FolioLine.objects.get(kind="MINIBAR")
        assert line.posted_by.username == "maria" and line.amount == 12.5
        charge_post(confirmation_number=seed_stay.confirmation_number, kind="SPA", amount="80.00", currency="USD")
        assert desk_client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/charge/").status_code == 200
        reverse = desk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/charge/{line.pk}/reverse/",
                                   {"reason": "Not taken"})
        assert reverse.status_code == 302 and FolioLine.objects.filter(reverses=line).exists()
    with at(next_friday + timedelta(days=3), 10):
        preview = desk_client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/check-out/")
        assert preview.status_code == 200 and str(preview.context["preview"].balance) == "80.00"
        bill = desk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-out/")
    assert bill.status_code == 200
    html = bill.content.decode()
    assert "Final bill" in html and "756.64" not in html and "744.14" in html  # 664.14 + 80.00 spa
    assert bill.context["folio"].totals.balance == 0
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_OUT


def test_housekeeping_board_moves_tasks(desk_client, seed_stay, nyc):
    task = HousekeepingTask.objects.create(room=Room.objects.get(number="1203"), reservation=seed_stay)
    Room.objects.filter(number="1203").update(status=Room.Status.NEEDS_CLEANING)
    board = desk_client.get("/admin/frontdesk/stay/housekeeping/")
    assert "1203" in board.content.decode()
    desk_client.post(f"/admin/frontdesk/stay/housekeeping/{task.pk}/IN_PROGRESS/")
    desk_client.post(f"/admin/frontdesk/stay/housekeeping/{task.pk}/DONE/")
    task = HousekeepingTask.objects.get(pk=task.pk)  # protected FSM fields cannot be refreshed in place
    assert task.status == "DONE" and Room.objects.get(number="1203").status == Room.Status.AVAILABLE


def test_out_of_order_from_the_rack(desk_client, nyc):
    from pricing.search import hotel_today

    today = hotel_today(nyc)
    response = desk_client.post("/admin/frontdesk/stay/rack/?hotel=NYC", {
        "room": "1403", "start_date": today.isoformat(), "end_date": (today + timedelta(days=2)).isoformat(),
        "reason": "Repainting"})
    assert response.status_code == 302
    assert Room.objects.get(number="1403").status == Room.Status.OUT_OF_ORDER


def test_room_rack_with_an_unknown_status_filter_shows_a_message_not_a_server_error(desk_client, nyc):
    response = desk_client.get("/admin/frontdesk/stay/rack/?hotel=NYC&status=BOGUS")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Status must be one of AVAILABLE" in page and "1101" in page
    assert desk_client.get("/admin/frontdesk/stay/rack/?hotel=NYC&status=available").status_code == 200


def test_check_out_from_the_console_with_the_balance_paid_at_the_desk(desk_client, seed_stay, next_friday):
    from bookings.models import Payment

    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1201"])
        charge_post(confirmation_number=seed_stay.confirmation_number, kind="SPA", amount="80.00", currency="USD")
    Payment.objects.filter(reservation=seed_stay).update(card_token="tok_decline_card_on_file")
    with at(next_friday + timedelta(days=3), 10):
        preview = desk_client.get(f"/admin/frontdesk/stay/{seed_stay.pk}/check-out/").content.decode()
        assert "balance paid at the desk" in preview
        declined = desk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-out/", follow=True)
        assert "could not be charged" in declined.content.decode()
        bill = desk_client.post(f"/admin/frontdesk/stay/{seed_stay.pk}/check-out/", {"paid_at_desk": "1"})
    assert bill.status_code == 200 and bill.context["folio"].totals.balance == 0
    seed_stay.refresh_from_db()
    assert seed_stay.status == Status.CHECKED_OUT
    assert Payment.objects.get(reservation=seed_stay, purpose="CHECK_OUT_AT_DESK").amount == 80
