"""The admin: every catalogue page loads, the inventory grid, opening inventory, API keys."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from inventory.models import HotelAPIKey, InventoryDay, nights_between
from inventory.services import inventory_reserve
from tests.factories import HotelFactory, RoomFactory, RoomTypeFactory

MY_APPS = {"inventory", "pricing"}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


def my_models():
    return [m for m in admin.site._registry if m._meta.app_label in MY_APPS]


def test_every_catalogue_changelist_and_add_page_loads(staff_client, nyc):
    assert len(my_models()) >= 12
    for model in my_models():
        opts = model._meta
        r = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert r.status_code == 200, opts.label
        if admin.site._registry[model].has_add_permission(r.wsgi_request):
            r = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
            assert r.status_code == 200, opts.label


def test_every_registered_changelist_loads(staff_client, nyc):
    """All apps' admin pages, not only the catalogue's: a smoke test of the whole admin."""
    for model in admin.site._registry:
        opts = model._meta
        r = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert r.status_code == 200, opts.label
    assert staff_client.get(reverse("admin:index")).status_code == 200


def test_every_catalogue_change_page_loads(staff_client, nyc):
    for model in my_models():
        obj = model.objects.first()
        if obj is None:
            continue
        opts = model._meta
        r = staff_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert r.status_code == 200, opts.label


def test_changelist_filters_and_date_hierarchy(staff_client, nyc):
    today = timezone.localdate()
    url = reverse("admin:inventory_inventoryday_changelist")
    r = staff_client.get(url, {"room_type__hotel__id__exact": nyc.pk, "date__year": today.year,
                               "date__month": today.month, "stop_sell__exact": 0})
    assert r.status_code == 200
    assert "DELUXE-KING" in r.content.decode()


def test_the_hotel_page_links_to_its_inventory_grid(staff_client, nyc):
    html = staff_client.get(reverse("admin:inventory_hotel_change", args=[nyc.pk])).content.decode()
    assert reverse("admin:inventory_hotel_grid", args=[nyc.pk]) in html


def test_the_grid_shows_sold_and_available_per_night(staff_client, nyc):
    king = nyc.room_types.get(code="DELUXE-KING")
    # The 10th of a month a few weeks out: the three nights shown stay in the month the grid displays.
    arrival = (timezone.localdate() + timedelta(days=40)).replace(day=10)
    with transaction.atomic():
        inventory_reserve(room_type=king, nights=nights_between(arrival, arrival + timedelta(days=2)), rooms=2,
                          holder="GH-ADMIN")
    InventoryDay.objects.filter(room_type=king, date=arrival + timedelta(days=2)).update(stop_sell=True)
    url = reverse("admin:inventory_hotel_grid", args=[nyc.pk])
    r = staff_client.get(url, {"month": f"{arrival:%Y-%m}"})
    assert r.status_code == 200
    html = r.content.decode()
    assert f"{arrival:%B %Y}" in html
    rows = {row.room_type.code: row for row in r.context["grid"].rows}
    assert list(rows) == ["DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"]
    cells = {c.date: c for c in rows["DELUXE-KING"].cells}
    assert (cells[arrival].sold, cells[arrival].available) == (2, 3)
    assert (cells[arrival + timedelta(days=2)].sold, cells[arrival + timedelta(days=2)].available) == (0, 0)
    assert re.search(rf'data-date="{arrival.isoformat()}" data-sold="2" data-available="3"', html)
    assert '<span class="sold">2</span>/<span class="available">3</span>' in html
    assert "stop sell" in html


def test_the_grid_navigates_by_month(staff_client, nyc):
    url = reverse("admin:inventory_hotel_grid", args=[nyc.pk])
    html = staff_client.get(url, {"month": "2031-01"}).content.decode()
    assert "January 2031" in html
    assert '?month=2030-12' in html and '?month=2031-02' in html
    for bad in ("garbage", "2031-13", "9999-12", "0001-01"):
        assert staff_client.get(url, {"month": bad}).status_code == 200


def test_the_grid_is_for_staff_only(client, nyc):
    url = reverse("admin:inventory_hotel_grid", args=[nyc.pk])
    r = client.get(url)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    client.force_login(get_user_model().objects.create_user("guest", password="x"))
    assert client.get(url).status_code == 302


def test_the_open_inventory_action_asks_for_a_range_then_opens_it(staff_client, db):
    hotel = HotelFactory(code="BOS")
    RoomFactory.create_batch(2, room_type=RoomTypeFactory(hotel=hotel))
    url = reverse("admin:inventory_hotel_changelist")
    r = staff_client.post(url, {"action": "open_inventory", "_selected_action": [hotel.pk]})
    assert r.status_code == 200
    today = timezone.localdate()
    assert r.context["form"].initial == {"start": today, "end": today + timedelta(days=364)}
    r = staff_client.post(url, {"action": "open_inventory", "_selected_action": [hotel.pk], "apply": "1",
                                "start": today.isoformat(), "end": (today + timedelta(days=364)).isoformat()},
                          follow=True)
    assert r.status_code == 200
    assert InventoryDay.objects.filter(room_type__hotel=hotel).count() == 365
    assert "BOS: opened 365 new room-type nights" in r.content.decode()


def test_the_open_inventory_action_refuses_a_backwards_range(staff_client, db):
    hotel = HotelFactory(code="BOS")
    url = reverse("admin:inventory_hotel_changelist")
    r = staff_client.post(url, {"action": "open_inventory", "_selected_action": [hotel.pk], "apply": "1",
                                "start": "2031-02-01", "end": "2031-01-01"})
    assert r.status_code == 200
    assert "The last night is before the first." in r.content.decode()
    assert not InventoryDay.objects.exists()


def test_editing_restrictions_cannot_oversell(staff_client, nyc):
    day = InventoryDay.objects.filter(room_type__code="DELUXE-KING").order_by("date").last()
    InventoryDay.objects.filter(pk=day.pk).update(sold=4)
    url = reverse("admin:inventory_inventoryday_change", args=[day.pk])
    r = staff_client.post(url, {"out_of_order": 2, "min_stay": "", "stop_sell": "on"})
    assert r.status_code == 200
    assert "at most 1 can be out of order" in r.content.decode()
    r = staff_client.post(url, {"out_of_order": 1, "min_stay": 2, "stop_sell": "on"})
    assert r.status_code == 302
    day.refresh_from_db()
    assert (day.out_of_order, day.min_stay, day.stop_sell, day.sold) == (1, 2, True, 4)


def test_creating_an_api_key_shows_it_once(staff_client, nyc):
    r = staff_client.post(reverse("admin:inventory_hotelapikey_add"),
                          {"name": "Acme Travel", "scope": "partner", "hotels": [nyc.pk]}, follow=True)
    assert r.status_code == 200
    messages = [str(m) for m in r.context["messages"]]
    key = re.search(r"The API key for Acme Travel is: (\S+)\. ", messages[0]).group(1)
    api_key = HotelAPIKey.objects.get(name="Acme Travel")
    assert HotelAPIKey.objects.get_from_key(key) == api_key
    assert list(api_key.hotels.all()) == [nyc]
    html = staff_client.get(reverse("admin:inventory_hotelapikey_change", args=[api_key.pk])).content.decode()
    assert key not in html


def test_revoking_keys_from_the_list(staff_client, nyc):
    api_key, key = HotelAPIKey.objects.create_key(name="Old partner")
    r = staff_client.post(reverse("admin:inventory_hotelapikey_changelist"),
                          {"action": "revoke", "_selected_action": [api_key.pk]}, follow=True)
    assert r.status_code == 200
    api_key.refresh_from_db()
    assert api_key.revoked
    assert not HotelAPIKey.objects.is_valid(key)
