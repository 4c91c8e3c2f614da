"""Photos uploaded in the admin (inlines on the room type and hotel), with previews; the amenity list."""

import re

import pytest
from django.contrib.auth import get_user_model

from inventory.models import Amenity, HotelPhoto, RoomTypePhoto
from tests.factories import HotelFactory, RoomTypeFactory

from .content_images import image_upload, size_of


@pytest.fixture
def boss(client, db):
    client.force_login(get_user_model().objects.create_superuser("boss", "boss@example.com", "pw"))
    return client


def _room_type_form(room_type, **changes) -> dict:
    data = {"hotel": room_type.hotel_id, "code": room_type.code, "name": room_type.name,
            "description": room_type.description, "max_adults": room_type.max_adults,
            "max_children": room_type.max_children, "max_occupancy": room_type.max_occupancy,
            "sort_order": room_type.sort_order, "bed_type": "QUEEN", "bed_count": 2, "size_m2": "28.5",
            "view": "GARDEN", "photos-TOTAL_FORMS": "1", "photos-INITIAL_FORMS": "0",
            "photos-MIN_NUM_FORMS": "0", "photos-MAX_NUM_FORMS": "1000", "_save": "Save"}
    data.update(changes)
    return data


def test_a_photo_uploaded_on_the_room_type_page_is_saved_with_its_renditions_and_previewed(boss):
    room_type = RoomTypeFactory(hotel=HotelFactory(code="ADM"), code="QUEEN")
    wifi = Amenity.objects.create(code="wifi", label="Free Wi-Fi", icon="wifi")
    url = f"/admin/inventory/roomtype/{room_type.pk}/change/"
    response = boss.post(url, _room_type_form(room_type, **{
        "amenities": [wifi.pk], "photos-0-image": image_upload(1800, 1200, name="Queen Room.JPG"),
        "photos-0-alt_text": "Two queen beds facing the garden", "photos-0-caption": "Garden side",
        "photos-0-sort_order": "0"}))
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    room_type.refresh_from_db()
    assert (room_type.bed_type, room_type.bed_count, str(room_type.size_m2), room_type.view) == (
        "QUEEN", 2, "28.5", "GARDEN")
    assert list(room_type.amenities.all()) == [wifi]
    photo = RoomTypePhoto.objects.get(room_type=room_type)
    assert photo.alt_text == "Two queen beds facing the garden" and photo.caption == "Garden side"
    assert (photo.width, photo.height) == (1800, 1200)
    assert [size_of(r) for r in (photo.image_480, photo.image_960, photo.image_1600)] == [
        (480, 320), (960, 640), (1600, 1067)]
    page = boss.get(url).content.decode()
    assert f'<img src="{photo.image_480.url}" alt="" width="160">' in page


def test_a_photo_without_alt_text_is_refused_and_nothing_is_saved(boss):
    room_type = RoomTypeFactory(hotel=HotelFactory(code="ADM"), code="QUEEN")
    response = boss.post(f"/admin/inventory/roomtype/{room_type.pk}/change/", _room_type_form(room_type, **{
        "photos-0-image": image_upload(1800, 1200), "photos-0-alt_text": "", "photos-0-sort_order": "0"}))
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors == [{"alt_text": ["This field is required."]}]
    assert not RoomTypePhoto.objects.exists()


def test_a_file_that_is_not_an_image_is_refused(boss):
    from django.core.files.uploadedfile import SimpleUploadedFile

    room_type = RoomTypeFactory(hotel=HotelFactory(code="ADM"), code="QUEEN")
    response = boss.post(f"/admin/inventory/roomtype/{room_type.pk}/change/", _room_type_form(room_type, **{
        "photos-0-image": SimpleUploadedFile("menu.jpg", b"%PDF-1.4 not an image"),
        "photos-0-alt_text": "The menu", "photos-0-sort_order": "0"}))
    assert response.status_code == 200
    assert "Upload a valid image" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not RoomTypePhoto.objects.exists()


def test_the_hotel_page_has_a_photo_inline_and_shows_the_logo_and_map_link(boss):
    hotel = HotelFactory(code="ADH")
    hotel.logo = image_upload(900, 300, name="logo.png", fmt="PNG")
    hotel.save()
    HotelPhoto.objects.create(hotel=hotel, image=image_upload(1000, 700), alt_text="The lobby")
    page = boss.get(f"/admin/inventory/hotel/{hotel.pk}/change/").content.decode()
    assert 'name="photos-TOTAL_FORMS"' in page and 'name="photos-0-alt_text"' in page
    assert f'<img src="{hotel.logo_rendition.url}" alt="" height="48">' in page
    assert 'href="https://www.openstreetmap.org/search?query=123+Main+St' in page
    assert re.search(r'name="brand_color"[^>]*maxlength="7"', page)


def test_amenities_are_listed_with_their_drawing(boss):
    Amenity.objects.create(code="wifi", label="Free Wi-Fi", icon="wifi")
    page = boss.get("/admin/inventory/amenity/").content.decode()
    assert "Free Wi-Fi" in page and '<svg class="icon"' in page
