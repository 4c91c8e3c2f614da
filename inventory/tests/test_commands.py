"""Management commands: create_api_key, open_inventory, and seed_demo's idempotency."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from inventory.models import HotelAPIKey, InventoryDay
from tests.factories import HotelFactory, RoomFactory, RoomTypeFactory


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_api_key_prints_the_key_alone_on_its_last_line_and_it_works(nyc):
    lon = HotelFactory(code="LON")
    output = run("create_api_key", "Acme Travel", "--hotel", "nyc", "--hotel", "LON")
    key = output.rstrip("\n").splitlines()[-1]
    assert key.count(".") == 1 and " " not in key
    api_key = HotelAPIKey.objects.get(name="Acme Travel")
    assert api_key.scope == "partner"
    assert set(api_key.hotels.all()) == {nyc, lon}
    assert key not in api_key.hashed_key
    assert HotelAPIKey.objects.is_valid(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert client.get("/api/v1/hotels").status_code == 200  # accepted, not 401


def test_create_api_key_front_desk_scope(nyc):
    key = run("create_api_key", "Front desk", "--hotel", "NYC", "--scope", "frontdesk").splitlines()[-1]
    assert HotelAPIKey.objects.get_from_key(key).scope == "frontdesk"


def test_create_api_key_refuses_unknown_hotels(nyc):
    with pytest.raises(CommandError, match="Unknown hotel"):
        run("create_api_key", "Acme", "--hotel", "NYC", "--hotel", "XXX")
    assert not HotelAPIKey.objects.filter(name="Acme").exists()


@pytest.mark.django_db
def test_open_inventory_command():
    rt = RoomTypeFactory(hotel=HotelFactory(code="BOS"))
    RoomFactory.create_batch(3, room_type=rt)
    output = run("open_inventory", "bos", "2031-01-01", "2031-01-31")
    assert "Opened 31 room-type nights for BOS" in output
    assert InventoryDay.objects.filter(room_type=rt).count() == 31
    assert set(InventoryDay.objects.values_list("total", flat=True)) == {3}
    assert "Opened 1 room-type nights" in run("open_inventory", "BOS", "2031-01-01", "2031-02-01")


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (("NOPE", "2031-01-01", "2031-01-02"), "No hotel NOPE"),
    (("BOS", "2031-01-05", "2031-01-01"), "before the first"),
])
def test_open_inventory_command_refuses_bad_input(args, message):
    HotelFactory(code="BOS")
    with pytest.raises(CommandError, match=message):
        run("open_inventory", *args)


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}  # a tableless one has none


def test_seed_demo_twice_changes_no_row_counts(nyc):
    run("seed_demo", "--photos")  # with the placeholder photos too
    before = _row_counts()
    totals_before = list(InventoryDay.objects.order_by("pk").values_list("pk", "total", "sold"))
    output = run("seed_demo")
    assert _row_counts() == before
    assert list(InventoryDay.objects.order_by("pk").values_list("pk", "total", "sold")) == totals_before
    assert "0 new room-type nights" in output


def test_seed_demo_opens_a_year_of_inventory(nyc):
    king = nyc.room_types.get(code="DELUXE-KING")
    days = InventoryDay.objects.filter(room_type=king)
    assert days.filter(date__gte=timezone.localdate() + timedelta(days=365)).exists()
    assert set(days.values_list("total", flat=True)) == {5}
