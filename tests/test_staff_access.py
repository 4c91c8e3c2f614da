"""Staff sessions obey permissions, and staff belong to hotels (issue 9, item 2): the API, the admin and the
front-desk console ask hotelbooking.permissions the same question."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from bookings.models import Payment, Reservation, Status
from bookings.payments import TestGateway
from bookings.services import booking_create
from bookings.tests.booking_setup import seed_body, seed_request
from frontdesk.models import FolioLine, RoomOutOfOrder
from frontdesk.permissions import FRONT_DESK_GROUP
from inventory.models import HotelAPIKey, InventoryDay
from tests.factories import (
    CancellationPolicyFactory,
    FeeFactory,
    GuestFactory,
    HotelFactory,
    InventoryDayFactory,
    PromotionFactory,
    RateFactory,
    ReservationFactory,
    RoomFactory,
    TaxFactory,
    api_key_for,
    staff_user,
)

pytestmark = pytest.mark.django_db

ALL_DESK_AND_BOOKING_WORK = (
    "bookings.view_reservation", "bookings.add_reservation", "bookings.modify_reservation",
    "bookings.cancel_reservation", "frontdesk.view_stay", "frontdesk.check_in_guest", "frontdesk.check_out_guest",
    "frontdesk.view_folioline", "frontdesk.post_charge", "inventory.view_room", "frontdesk.view_housekeepingtask",
    "frontdesk.change_housekeepingtask", "frontdesk.add_roomoutoforder", "frontdesk.change_roomoutoforder")


def session(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def booked(nyc, next_friday):
    return booking_create(request=seed_request(next_friday), gateway=TestGateway())


def _state(nyc):
    """Everything the refused requests could have changed."""
    return (list(Reservation.objects.order_by("pk").values_list("pk", "status", "check_in", "check_out")),
            Payment.objects.count(), RoomOutOfOrder.objects.count(), FolioLine.objects.count(),
            list(InventoryDay.objects.filter(room_type__hotel=nyc).order_by("pk")
                 .values_list("sold", "out_of_order")))


def _refused(response, status=403, code="FORBIDDEN"):
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code


# --- the API ----------------------------------------------------------------------------------------------

def test_a_staff_session_without_permissions_is_refused_everything_and_nothing_changes(nyc, booked, next_friday):
    client = session(staff_user(hotels=[nyc]))  # staff, at NYC, but no permission at all
    cn = booked.confirmation_number
    before = _state(nyc)

    _refused(client.post("/api/v1/bookings", seed_body(next_friday), format="json"))
    _refused(client.patch(f"/api/v1/bookings/{cn}", {"check_out": str(next_friday + timedelta(days=4))},
                          format="json"))
    _refused(client.delete(f"/api/v1/bookings/{cn}?reason=mine"))
    _refused(client.post(f"/api/v1/bookings/{cn}/cancel", {"reason": "mine"}, format="json"))
    _refused(client.post("/api/v1/hotels/NYC/rooms/1201/out-of-order",
                         {"start_date": str(next_friday), "end_date": str(next_friday + timedelta(days=300)),
                          "reason": "none"}, format="json"))
    _refused(client.get(f"/api/v1/reservations/{cn}/folio"))
    _refused(client.get(f"/api/v1/bookings/{cn}"))
    _refused(client.get("/api/v1/hotels/NYC/rooms"))

    assert _state(nyc) == before
    booked.refresh_from_db()
    assert booked.status == Status.CONFIRMED and str(booked.grand_total) == "664.140"


def test_each_permission_grants_its_own_work_only(nyc, booked):
    client = session(staff_user(perms=["bookings.view_reservation", "bookings.cancel_reservation"], hotels=[nyc]))
    cn = booked.confirmation_number
    assert client.get(f"/api/v1/bookings/{cn}").status_code == 200
    _refused(client.patch(f"/api/v1/bookings/{cn}", {"adults": 1}, format="json"))  # modify is another work
    _refused(client.get(f"/api/v1/reservations/{cn}/folio"))
    response = client.post(f"/api/v1/bookings/{cn}/cancel", {"reason": "Guest called"}, format="json")
    assert response.status_code == 200 and response.json()["financial"]["refund_amount"] == "664.14"
    booked.refresh_from_db()
    assert booked.status == Status.CANCELLED and booked.adults == 2


def test_a_clerk_of_another_hotel_finds_nothing_of_this_one_in_the_api(nyc, booked, next_friday):
    client = session(staff_user(perms=ALL_DESK_AND_BOOKING_WORK, hotels=[HotelFactory(code="BOS")]))
    cn = booked.confirmation_number
    before = _state(nyc)
    _refused(client.get(f"/api/v1/bookings/{cn}"), 404, "RESERVATION_NOT_FOUND")
    _refused(client.delete(f"/api/v1/bookings/{cn}?reason=x"), 404, "RESERVATION_NOT_FOUND")
    _refused(client.get(f"/api/v1/reservations/{cn}/folio"), 404, "RESERVATION_NOT_FOUND")
    _refused(client.get("/api/v1/hotels/NYC/rooms"), 404, "HOTEL_NOT_FOUND")
    _refused(client.post("/api/v1/hotels/NYC/rooms/1201/out-of-order",
                         {"start_date": str(next_friday), "end_date": str(next_friday + timedelta(days=2)),
                          "reason": "x"}, format="json"), 404, "HOTEL_NOT_FOUND")
    _refused(client.post("/api/v1/bookings", seed_body(next_friday), format="json"), 404, "HOTEL_NOT_FOUND")
    assert _state(nyc) == before


def test_a_superuser_reaches_every_hotel(nyc, booked):
    root = get_user_model().objects.create_superuser("root", password="pw")
    assert session(root).get(f"/api/v1/bookings/{booked.confirmation_number}").status_code == 200
    assert session(root).get("/api/v1/hotels/NYC/rooms").status_code == 200


def test_the_demo_front_desk_user_works_at_nyc_with_the_clerks_permissions(nyc, booked):
    desk = get_user_model().objects.get(username="frontdesk")
    assert list(desk.hotels.values_list("code", flat=True)) == ["NYC"]
    assert list(desk.groups.values_list("name", flat=True)) == [FRONT_DESK_GROUP]
    client = session(desk)
    cn = booked.confirmation_number
    assert client.get("/api/v1/hotels/NYC/rooms").status_code == 200
    assert client.get(f"/api/v1/reservations/{cn}/folio").json()["balance"] == "-664.14"
    assert client.get(f"/api/v1/bookings/{cn}").status_code == 200
    # Since the reservation desk, cancelling is a clerk's work too (waiving the penalty is a manager's).
    response = client.post(f"/api/v1/bookings/{cn}/cancel", {"reason": "phoned"}, format="json")
    assert response.status_code == 200 and response.json()["financial"]["refund_amount"] == "664.14"
    assert Reservation.objects.get(pk=booked.pk).status == Status.CANCELLED
    assert not desk.has_perm("frontdesk.waive_penalty") and not desk.has_perm("frontdesk.override_rate")


def test_the_front_office_manager_group_adds_overrides_and_waivers(nyc):
    from django.contrib.auth.models import Group

    from frontdesk.permissions import FRONT_OFFICE_MANAGER_GROUP

    manager = Group.objects.get(name=FRONT_OFFICE_MANAGER_GROUP)
    clerk = Group.objects.get(name=FRONT_DESK_GROUP)
    extra = set(manager.permissions.values_list("codename", flat=True)) - set(
        clerk.permissions.values_list("codename", flat=True))
    assert extra == {"override_rate", "waive_penalty", "credit_invoice"}  # credit notes: a manager's
    assert set(clerk.permissions.values_list("codename", flat=True)) >= {
        "add_reservation", "modify_reservation", "cancel_reservation", "assign_room", "move_room", "mark_no_show"}


def test_front_desk_group_command_assigns_users_to_hotels(nyc):
    user = get_user_model().objects.create_user("lea", is_staff=True)
    call_command("front_desk_group", "lea", "--hotel", "nyc", stdout=StringIO())
    assert list(user.hotels.values_list("code", flat=True)) == ["NYC"]
    assert user.groups.filter(name=FRONT_DESK_GROUP).exists()
    boss = get_user_model().objects.create_user("max", is_staff=True)
    call_command("front_desk_group", "max", "--manager", "--hotel", "nyc", stdout=StringIO())
    assert boss.has_perm("frontdesk.waive_penalty") and not user.has_perm("frontdesk.waive_penalty")


# --- the admin --------------------------------------------------------------------------------------------

@pytest.fixture
def two_hotels(nyc, booked):
    """NYC (the seed, with a booking) and BOS, a second hotel with one of everything."""
    from channelmanager.tests.channel_setup import make_channel

    bos = HotelFactory(code="BOS")
    rate = RateFactory(rate_plan__hotel=bos)
    room = RoomFactory(room_type=rate.room_type)
    bos_objects = {
        "inventory.hotel": bos, "inventory.roomtype": rate.room_type, "inventory.room": room,
        "inventory.inventoryday": InventoryDayFactory(room_type=rate.room_type),
        "pricing.rateplan": rate.rate_plan, "pricing.rate": rate, "pricing.tax": TaxFactory(hotel=bos),
        "pricing.fee": FeeFactory(hotel=bos), "pricing.promotion": PromotionFactory(hotel=bos),
        "pricing.cancellationpolicy": CancellationPolicyFactory(hotel=bos),
        "bookings.reservation": ReservationFactory(hotel=bos, room_type=rate.room_type, rate_plan=rate.rate_plan,
                                                   guest=GuestFactory(email="bos@example.com")),
    }
    bos_objects["bookings.guest"] = bos_objects["bookings.reservation"].guest
    bos_objects["frontdesk.stay"] = bos_objects["bookings.reservation"]
    bos_objects["inventory.hotelapikey"] = api_key_for(bos, name="BOS partner")[0]
    bos_objects["channelmanager.channel"] = make_channel(bos, rooms={}, rates={})
    nyc_objects = {
        "inventory.hotel": nyc, "inventory.roomtype": nyc.room_types.first(), "inventory.room": nyc.rooms.first(),
        "inventory.inventoryday": InventoryDay.objects.filter(room_type__hotel=nyc).first(),
        "pricing.rateplan": nyc.rate_plans.first(), "pricing.rate": nyc.rate_plans.get(code="BAR").rates.first(),
        "pricing.tax": nyc.taxes.first(), "pricing.fee": nyc.fees.first(), "pricing.promotion": nyc.promotions.first(),
        "pricing.cancellationpolicy": nyc.cancellation_policies.first(), "bookings.reservation": booked,
        "bookings.guest": booked.guest, "frontdesk.stay": booked,
        "inventory.hotelapikey": HotelAPIKey.objects.get(name="Demo partner"),
        "channelmanager.channel": make_channel(nyc, rooms={}, rates={}),
    }
    return bos, bos_objects, nyc_objects


def _admin_client(client, bos, models):
    perms = [f"{label.split('.')[0]}.{action}_{label.split('.')[1]}" for label in models
             for action in ("view", "change")]
    perms = [p for p in perms if p not in ("frontdesk.change_stay",)]
    user = staff_user("bos-clerk", perms=perms, hotels=[bos])
    client.force_login(user)
    return client


def _change_url(label, obj):
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_change", args=[quote(obj.pk)])


def test_a_clerk_sees_only_their_hotels_objects_in_every_admin(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    client = _admin_client(client, bos, bos_objects)
    for label in bos_objects:
        app, model = label.split(".")
        listing = client.get(reverse(f"admin:{app}_{model}_changelist")).content.decode()
        assert _change_url(label, bos_objects[label]) in listing, label  # their own hotel's row is there
        assert _change_url(label, nyc_objects[label]) not in listing, label  # the other hotel's is not
        assert client.get(_change_url(label, bos_objects[label])).status_code == 200, label
        other = client.get(_change_url(label, nyc_objects[label]))
        assert other.status_code == 302 and other["Location"] == reverse("admin:index"), label


def test_foreign_key_choices_offer_only_the_clerks_hotels(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    client = _admin_client(client, bos, bos_objects)
    user = get_user_model().objects.get(username="bos-clerk")
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__in=["add_room", "add_rate"]))
    form = client.get(reverse("admin:inventory_room_add")).context["adminform"].form
    assert list(form.fields["hotel"].queryset) == [bos]
    assert list(form.fields["room_type"].queryset) == [bos_objects["inventory.roomtype"]]
    form = client.get(reverse("admin:pricing_rate_add")).context["adminform"].form
    assert list(form.fields["rate_plan"].queryset) == [bos_objects["pricing.rateplan"]]
    # A forged POST naming another hotel's room type is refused by the form; nothing is created.
    response = client.post(reverse("admin:inventory_room_add"), {
        "hotel": nyc_objects["inventory.hotel"].pk, "room_type": nyc_objects["inventory.roomtype"].pk,
        "number": "999", "floor": 9, "status": "AVAILABLE", "features": ""})
    assert response.status_code == 200 and not nyc_objects["inventory.hotel"].rooms.filter(number="999").exists()


def test_admin_actions_touch_only_the_clerks_hotels(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    client = _admin_client(client, bos, bos_objects)
    nyc_key, bos_key = nyc_objects["inventory.hotelapikey"], bos_objects["inventory.hotelapikey"]
    client.post(reverse("admin:inventory_hotelapikey_changelist"),
                {"action": "revoke", "_selected_action": [nyc_key.pk, bos_key.pk]})
    nyc_key.refresh_from_db()
    bos_key.refresh_from_db()
    assert (nyc_key.revoked, bos_key.revoked) == (False, True)


def test_the_inventory_grid_of_another_hotel_is_not_found(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    client = _admin_client(client, bos, bos_objects)
    assert client.get(reverse("admin:inventory_hotel_grid", args=[bos.pk])).status_code == 200
    assert client.get(reverse("admin:inventory_hotel_grid", args=[nyc_objects["inventory.hotel"].pk])
                      ).status_code == 404


def test_a_clerk_cannot_cancel_another_hotels_booking_from_the_admin(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    user = staff_user("bos-manager", perms=["bookings.view_reservation", "bookings.cancel_reservation",
                                            "bookings.modify_reservation"], hotels=[bos])
    client.force_login(user)
    booked = nyc_objects["bookings.reservation"]
    response = client.post(reverse("admin:bookings_reservation_cancel", args=[booked.pk]), {"reason": "x"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    booked.refresh_from_db()
    assert booked.status == Status.CONFIRMED


# --- the front-desk console -------------------------------------------------------------------------------

def test_the_console_shows_a_clerk_only_their_hotel(client, two_hotels):
    bos, bos_objects, nyc_objects = two_hotels
    client.force_login(staff_user("bos-desk", groups=[FRONT_DESK_GROUP], hotels=[bos]))
    nyc_stay = nyc_objects["frontdesk.stay"]
    desk = client.get("/admin/frontdesk/stay/desk/")
    assert desk.status_code == 200 and [h.code for h in desk.context["hotels"]] == ["BOS"]
    assert nyc_stay.confirmation_number not in desk.content.decode()
    for url in ("/admin/frontdesk/stay/desk/?hotel=NYC", "/admin/frontdesk/stay/rack/?hotel=NYC",
                "/admin/frontdesk/stay/housekeeping/?hotel=NYC", f"/admin/frontdesk/stay/{nyc_stay.pk}/check-in/",
                f"/admin/frontdesk/stay/{nyc_stay.pk}/folio/", f"/admin/frontdesk/stay/{nyc_stay.pk}/check-out/"):
        assert client.get(url).status_code == 404, url
    before = RoomOutOfOrder.objects.count()
    response = client.post("/admin/frontdesk/stay/rack/?hotel=NYC", {"room": "1201", "start_date": "2030-01-01",
                                                                     "end_date": "2030-01-05", "reason": "x"})
    assert response.status_code == 404 and RoomOutOfOrder.objects.count() == before
    listing = client.get("/admin/frontdesk/stay/").content.decode()
    assert nyc_stay.confirmation_number not in listing
