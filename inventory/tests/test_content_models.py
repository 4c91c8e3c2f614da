"""Hotel and room content: what is valid, the map link, the brand colours, and the photos' renditions."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory.models import Hotel, HotelPhoto, RoomType, RoomTypePhoto
from inventory.photos import RENDITION_WIDTHS
from tests.factories import HotelFactory, RoomTypeFactory

from .content_images import image_upload, size_of

pytestmark = pytest.mark.django_db


def test_a_brand_colour_is_a_six_digit_hex_colour():
    hotel = HotelFactory(code="BRD")
    for good in ("#1F4E79", "#ffffff", ""):
        hotel.brand_color = good
        hotel.full_clean()
    for bad in ("1F4E79", "#FFF", "#12345G", "red", "#1F4E79 "):
        hotel.brand_color = bad
        with pytest.raises(ValidationError) as error:
            hotel.full_clean()
        assert "brand_color" in error.value.message_dict, bad


@pytest.mark.parametrize("colour, text", [("#1F4E79", "#ffffff"), ("#000000", "#ffffff"), ("#F5D76E", "#000000"),
                                          ("#FFFFFF", "#000000"), ("#595959", "#ffffff"),
                                          ("#767676", "#000000"), ("", "")])  # 4.62:1 on black, 4.54:1 on white
def test_the_text_on_the_brand_colour_is_whichever_of_black_and_white_reads_better(colour, text):
    assert Hotel(brand_color=colour).brand_text_color == text


def test_coordinates_come_in_pairs_and_within_range():
    hotel = HotelFactory(code="GEO")
    hotel.latitude = Decimal("40.750568")
    with pytest.raises(ValidationError) as error:
        hotel.full_clean()
    assert error.value.message_dict["longitude"] == ["Give both latitude and longitude, or neither."]
    hotel.longitude, hotel.latitude = Decimal("-73.993519"), Decimal("91")
    with pytest.raises(ValidationError) as error:
        hotel.full_clean()
    assert list(error.value.message_dict) == ["latitude"]


def test_the_map_link_pins_the_coordinates_else_searches_the_map_query_else_the_address():
    hotel = Hotel(address="123 Main St, New York, NY 10001", latitude=Decimal("40.750568"),
                  longitude=Decimal("-73.993519"))
    assert hotel.map_url == ("https://www.openstreetmap.org/?mlat=40.750568&mlon=-73.993519"
                             "#map=17/40.750568/-73.993519")
    hotel.latitude = hotel.longitude = None
    assert hotel.map_url == "https://www.openstreetmap.org/search?query=123+Main+St%2C+New+York%2C+NY+10001"
    hotel.map_query = "Grand Hotel, 7th Ave & 33rd St"
    assert hotel.map_url == "https://www.openstreetmap.org/search?query=Grand+Hotel%2C+7th+Ave+%26+33rd+St"
    assert Hotel(address="").map_url == ""


def test_house_rules_are_one_a_line_blank_lines_dropped():
    assert Hotel(house_rules="No smoking\n\n  Quiet from 10 PM  \n").house_rule_list == ["No smoking",
                                                                                        "Quiet from 10 PM"]


@pytest.mark.parametrize("bed_type, count, label", [(RoomType.BedType.KING, 1, "1 King bed"),
                                                    (RoomType.BedType.QUEEN, 2, "2 Queen beds"),
                                                    (RoomType.BedType.TWIN, 2, "2 Twin beds"),
                                                    (RoomType.BedType.SOFA_BED, 1, "1 Sofa bed"),
                                                    ("", 1, "")])
def test_the_beds_are_said_with_their_count(bed_type, count, label):
    assert RoomType(bed_type=bed_type, bed_count=count).beds_label == label


def test_every_bed_type_is_said_with_its_count():
    assert set(RoomType.BEDS) == set(RoomType.BedType)


def test_room_size_in_square_metres_and_feet():
    assert RoomType(size_m2=Decimal("42")).size_sq_ft == 452
    assert RoomType(size_m2=None).size_sq_ft is None
    room_type = RoomTypeFactory(size_m2=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        room_type.full_clean()
    assert "size_m2" in error.value.message_dict


def test_a_photo_needs_alt_text_that_says_something():
    hotel = HotelFactory(code="ALT")
    for alt, message in (("", "This field cannot be blank."),
                         ("   ", "Describe the photo for guests who cannot see it.")):
        photo = HotelPhoto(hotel=hotel, image=image_upload(800, 600), alt_text=alt)
        with pytest.raises(ValidationError) as error:
            photo.full_clean()
        assert error.value.message_dict["alt_text"] == [message], repr(alt)


def test_a_photo_narrower_than_the_smallest_rendition_is_refused():
    photo = HotelPhoto(hotel=HotelFactory(code="NAR"), image=image_upload(479, 400), alt_text="The lobby")
    with pytest.raises(ValidationError) as error:
        photo.full_clean()
    assert error.value.message_dict["image"] == ["The photo is 479 px wide: upload one at least 480 px wide."]


def test_a_saved_photo_has_its_renditions_written_at_480_960_and_1600_px():
    room_type = RoomTypeFactory(hotel=HotelFactory(code="REN"), code="KING")
    photo = RoomTypePhoto.objects.create(room_type=room_type, image=image_upload(2400, 1600), alt_text="King bed")
    assert photo.image.name.startswith("photos/ren/king/") and photo.image.name.endswith(".jpg")
    assert (photo.width, photo.height) == (2400, 1600)
    assert RENDITION_WIDTHS == (480, 960, 1600)
    assert size_of(photo.image_480) == (480, 320)
    assert size_of(photo.image_960) == (960, 640)
    assert size_of(photo.image_1600) == (1600, 1067)
    assert [(r.width, r.height) for r in photo.renditions] == [(480, 320), (960, 640), (1600, 1067)]
    assert photo.srcset == ", ".join(f"{r.url} {r.width}w" for r in photo.renditions)
    assert photo.fallback.width == 960


def test_a_rendition_is_never_wider_than_the_upload():
    hotel = HotelFactory(code="SML")
    photo = HotelPhoto.objects.create(hotel=hotel, image=image_upload(1200, 800), alt_text="The bar")
    assert size_of(photo.image_1600) == (1200, 800)
    assert [r.width for r in photo.renditions] == [480, 960, 1200]
    narrow = HotelPhoto.objects.create(hotel=hotel, image=image_upload(480, 640), alt_text="A door")
    assert [(r.width, r.height) for r in narrow.renditions] == [(480, 640)]
    assert narrow.fallback.width == 480


def test_a_transparent_png_becomes_an_opaque_jpeg_rendition():
    photo = HotelPhoto.objects.create(hotel=HotelFactory(code="PNG"), alt_text="A plan of the floor",
                                      image=image_upload(960, 480, name="plan.PNG", fmt="PNG", color=(0, 0, 0, 0)))
    assert photo.image.name.endswith(".png")
    assert photo.image_480.name.endswith(".jpg")
    with photo.image_480.storage.open(photo.image_480.name) as f:
        from PIL import Image

        image = Image.open(f)
        assert image.format == "JPEG" and image.mode == "RGB"
        assert image.getpixel((10, 10)) == (255, 255, 255)  # laid on white, not on black


def test_the_logo_is_scaled_to_at_most_480_by_160_px_and_emails_link_it_absolutely(settings):
    settings.PUBLIC_BASE_URL = "https://hotel.example"
    hotel = HotelFactory(code="LOG")
    assert hotel.email_logo_url == ""
    hotel.logo = image_upload(1200, 200, name="logo.png", fmt="PNG", color=(31, 78, 121, 255))
    hotel.save()
    assert hotel.logo.name.startswith("logos/log/")
    assert size_of(hotel.logo_rendition) == (480, 80)
    assert hotel.email_logo_url == "https://hotel.example" + hotel.logo_rendition.url
    assert hotel.email_logo_url.startswith("https://hotel.example/media/CACHE/images/logos/log/")
    settings.MEDIA_URL = "https://cdn.example/m/"
    assert HotelFactory(code="LOG").email_logo_url.startswith("https://cdn.example/m/CACHE/images/logos/log/")
