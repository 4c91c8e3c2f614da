"""GET /api/v1/hotels/{code}/content: the hotel's and its room types' content, beside the availability answer."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from inventory.models import Amenity, HotelPhoto, RoomType, RoomTypePhoto

from .content_images import image_upload


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def nyc_with_photos(nyc):
    king = nyc.room_types.get(code="DELUXE-KING")
    HotelPhoto.objects.create(hotel=nyc, image=image_upload(2000, 1000), alt_text="The lobby", caption="Lobby")
    RoomTypePhoto.objects.create(room_type=king, image=image_upload(1200, 800), alt_text="King bed by the window")
    return nyc


def test_the_content_of_the_demo_hotel_and_its_room_types(api, nyc_with_photos, django_assert_max_num_queries):
    with django_assert_max_num_queries(7):  # the hotel, its photos, amenities, room types, theirs (and a savepoint)
        response = api.get("/api/v1/hotels/nyc/content")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"hotel", "room_types"}
    hotel = body["hotel"]
    assert hotel["code"] == "NYC" and hotel["name"] == "Grand Hotel NYC"
    assert hotel["description"].startswith("A 1920s landmark two blocks from Penn Station")
    assert hotel["latitude"] == 40.750568 and hotel["longitude"] == -73.993519
    assert hotel["map_url"] == ("https://www.openstreetmap.org/?mlat=40.750568&mlon=-73.993519"
                                "#map=17/40.750568/-73.993519")
    assert (hotel["check_in_time"], hotel["check_out_time"]) == ("15:00", "11:00")
    assert hotel["house_rules"][1] == "Quiet hours from 10 PM to 7 AM" and len(hotel["house_rules"]) == 4
    assert hotel["brand"] == {"color": "#1F4E79", "text_color": "#ffffff", "logo_url": None}  # no logo without --photos
    assert [a["code"] for a in hotel["amenities"]] == ["wifi", "fitness", "restaurant", "valet-parking", "step-free"]
    assert hotel["amenities"][0] == {"code": "wifi", "label": "Free Wi-Fi", "icon": "wifi"}
    [photo] = hotel["photos"]
    assert photo["alt_text"] == "The lobby" and photo["caption"] == "Lobby"
    assert [(r["width"], r["height"]) for r in photo["renditions"]] == [(480, 240), (960, 480), (1600, 800)]
    assert all(r["url"].startswith("http://testserver/media/CACHE/images/photos/nyc/") and r["url"].endswith(".jpg")
               for r in photo["renditions"])

    assert [rt["code"] for rt in body["room_types"]] == ["DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"]
    king = body["room_types"][0]
    assert {k: king[k] for k in ("name", "bed_type", "bed_count", "beds", "size_m2", "view", "max_occupancy")} == {
        "name": "Deluxe King Room", "bed_type": "KING", "bed_count": 1, "beds": "1 King bed", "size_m2": 42.0,
        "view": "CITY", "max_occupancy": 3}
    assert "rain-shower" in [a["code"] for a in king["amenities"]]
    assert [r["width"] for r in king["photos"][0]["renditions"]] == [480, 960, 1200]
    assert king["photos"][0]["renditions"][2]["url"].startswith("http://testserver/media/CACHE/images/photos/nyc/"
                                                                "deluxe-king/")
    assert body["room_types"][1]["photos"] == []


@pytest.mark.django_db
def test_a_room_type_without_facts_answers_nulls_not_blanks(api):
    from tests.factories import HotelFactory, RoomTypeFactory

    RoomTypeFactory(hotel=HotelFactory(code="BAR"), code="PLAIN")
    Amenity.objects.create(code="quiet", label="Quiet")
    body = api.get("/api/v1/hotels/BAR/content").json()
    plain = body["room_types"][0]
    assert (plain["bed_type"], plain["view"], plain["size_m2"], plain["beds"]) == (None, None, None, "")
    assert body["hotel"]["brand"] == {"color": None, "text_color": None, "logo_url": None}
    assert body["hotel"]["latitude"] is None and body["hotel"]["map_url"].startswith(
        "https://www.openstreetmap.org/search?query=123+Main+St")


def test_the_logo_url_is_absolute(api, nyc):
    nyc.logo = image_upload(600, 200, name="logo.png", fmt="PNG")
    nyc.save()
    logo = api.get("/api/v1/hotels/NYC/content").json()["hotel"]["brand"]["logo_url"]
    assert logo.startswith("http://testserver/media/CACHE/images/logos/nyc/") and logo.endswith(".png")


@pytest.mark.django_db
def test_an_unknown_hotel_is_hotel_not_found(api):
    response = api.get("/api/v1/hotels/NOPE/content")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "HOTEL_NOT_FOUND"


def test_the_content_is_public_but_a_wrong_key_is_still_refused(api, nyc):
    api.credentials(HTTP_X_API_KEY="nope.wrong")
    response = api.get("/api/v1/hotels/NYC/content")
    assert response.status_code == 401 and response.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"


def test_the_schema_documents_the_content_operation():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    op = schema["paths"]["/api/v1/hotels/{code}/content"]["get"]
    assert op["operationId"] == "hotel_content" and not op.get("security")
    assert op["responses"]["404"]["x-error-codes"] == ["HOTEL_NOT_FOUND"]
    schemas = schema["components"]["schemas"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HotelContentResponseOutput"}
    room = schemas["RoomTypeContentOutput"]["properties"]
    assert {"bed_type", "bed_count", "beds", "size_m2", "view", "amenities", "photos"} <= set(room)
    rendition = schemas["RenditionOutput"]["properties"]
    assert rendition["url"]["format"] == "uri"
    assert set(schemas["HotelContentOutput"]["required"]) >= {"code", "photos", "amenities", "brand", "map_url"}
    assert RoomType.BedType.KING in str(schemas)
