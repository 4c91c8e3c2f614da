"""Content loaded in a fixed number of queries, and the partials and hotel page that show it."""

import re
from datetime import time
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from inventory.models import Amenity, HotelPhoto, RoomType, RoomTypePhoto
from inventory.selectors import hotel_content, hotel_with_content, room_types_with_content
from tests.factories import HotelFactory, RoomTypeFactory

from .content_images import image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotel():
    hotel = HotelFactory(code="CNT", name="Grand Hotel Content", address="1 Harbour Rd, Boston, MA",
                         description="A quiet hotel.\n\nBy the harbour.", house_rules="No smoking\nNo parties",
                         latitude=Decimal("42.360100"), longitude=Decimal("-71.058900"), phone="+1 617 555 0100",
                         check_in_time=time(15), check_out_time=time(11), brand_color="#1F4E79")
    wifi = Amenity.objects.create(code="wifi", label="Free Wi-Fi", icon=Amenity.Icon.WIFI, sort_order=1)
    gym = Amenity.objects.create(code="gym", label="Fitness room", icon="", sort_order=2)
    hotel.amenities.set([gym, wifi])
    HotelPhoto.objects.create(hotel=hotel, image=image_upload(1600, 1067), alt_text="The lobby", caption="Lobby",
                              sort_order=2)
    HotelPhoto.objects.create(hotel=hotel, image=image_upload(960, 640), alt_text="The bar", sort_order=1)
    return hotel


def room_types(hotel, count: int, *, first: int = 0) -> list[RoomType]:
    made = []
    for i in range(first, first + count):
        room_type = RoomTypeFactory(hotel=hotel, code=f"RT{i}", name=f"Room {i}", bed_type=RoomType.BedType.KING,
                                    size_m2=Decimal("30"), view=RoomType.View.SEA, max_occupancy=3, sort_order=i)
        room_type.amenities.set(Amenity.objects.all())
        RoomTypePhoto.objects.create(room_type=room_type, image=image_upload(960, 640), alt_text=f"Bed of room {i}")
        made.append(room_type)
    return made


def test_room_types_get_their_photos_and_amenities_in_two_queries_however_many(hotel, django_assert_num_queries):
    for count in (1, 4):
        given = list(RoomType.objects.filter(pk__in=[rt.pk for rt in room_types(hotel, count)]).select_related("hotel"))
        with django_assert_num_queries(2):
            loaded = room_types_with_content(given)
        with django_assert_num_queries(0):
            html = "".join(render_to_string("inventory/_room_type_content.html", {"room_type": rt}) for rt in loaded)
        assert html.count("<img ") == count
        RoomType.objects.filter(pk__in=[rt.pk for rt in given]).delete()
    with django_assert_num_queries(0):
        assert room_types_with_content([]) == []


def test_the_whole_hotels_content_takes_five_queries_and_renders_with_none(hotel, django_assert_num_queries):
    room_types(hotel, 3)
    with django_assert_num_queries(5):
        content = hotel_content(hotel=hotel)
    with django_assert_num_queries(0):
        render_to_string("inventory/_hotel_content.html", {"hotel": content.hotel})
        for room_type in content.room_types:
            render_to_string("inventory/_room_type_content.html", {"room_type": room_type})
    assert [rt.code for rt in content.room_types] == ["RT0", "RT1", "RT2"]


def test_the_room_type_partial_shows_photo_with_srcset_and_alt_facts_and_amenities(hotel):
    room_type = room_types_with_content(room_types(hotel, 1))[0]
    html = render_to_string("inventory/_room_type_content.html", {"room_type": room_type, "eager_photo": True})
    photo = room_type.photos.all()[0]
    img = re.search(r"<img [^>]*>", html).group(0)
    assert 'alt="Bed of room 0"' in img
    assert f'srcset="{photo.image_480.url} 480w, {photo.image_960.url} 960w"' in img
    assert f'src="{photo.image_960.url}"' in img and 'width="960" height="640"' in img
    assert 'sizes="' in img and 'loading="eager"' in img
    assert re.findall(r"<li>([^<]+)", html.split('class="room-facts"')[1].split("</ul>")[0]) == [
        "1 King bed", "30 m² ", "Sea view", "Sleeps up to 3"]
    assert "(323 sq ft)" in html
    amenities = html.split('class="amenities"')[1]
    assert amenities.index("Free Wi-Fi") < amenities.index("Fitness room")  # the managed list's order
    assert amenities.count("<svg") == 1  # Wi-Fi is drawn; the gym has no icon, its label alone
    assert 'aria-hidden="true"' in amenities


def test_the_hotel_partial_shows_description_map_link_times_rules_and_amenities(hotel):
    html = render_to_string("inventory/_hotel_content.html", {"hotel": hotel_with_content(hotel)})
    assert "<p>A quiet hotel.</p>" in html and "<p>By the harbour.</p>" in html
    assert ('href="https://www.openstreetmap.org/?mlat=42.360100&amp;mlon=-71.058900#map=17/42.360100/-71.058900"'
            in html)
    assert "from 3 p.m." in html and "until 11 a.m." in html
    assert re.findall(r"<li>([^<]+)</li>", html.split('class="house-rules"')[1].split("</ul>")[0]) == [
        "No smoking", "No parties"]
    assert 'href="tel:+16175550100"' in html
    alts = re.findall(r'alt="([^"]*)"', html)
    assert alts == ["The bar", "The lobby"]  # in their sort order
    assert html.count('loading="eager"') == 1 and html.count('loading="lazy"') == 1
    assert "<figcaption>Lobby</figcaption>" in html


def test_a_room_type_without_content_shows_only_how_many_it_sleeps(hotel):
    bare = room_types_with_content([RoomTypeFactory(hotel=hotel, code="BARE", max_occupancy=1)])[0]
    html = render_to_string("inventory/_room_type_content.html", {"room_type": bare})
    assert "<img" not in html and 'class="amenities"' not in html and "photo-strip" not in html
    assert re.findall(r"<li>([^<]+)", html) == ["Sleeps 1"]


def test_the_hotel_page_shows_every_room_type_in_a_fixed_number_of_queries(client, hotel):
    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/hotels/cnt/")
        assert response.status_code == 200
        return len(captured), response.content.decode()

    room_types(hotel, 1)
    one, _ = queries_for_page()
    room_types(hotel, 3, first=1)  # four in all
    four, html = queries_for_page()
    assert one == four
    assert html.count('class="card room-type"') == 4
    assert '<link rel="stylesheet" href="/hotels/CNT/brand.css">' in html


def test_the_hotel_page_links_to_a_search_for_tomorrow_night_at_the_hotel(client, hotel):
    import time_machine

    hotel.timezone = "America/New_York"
    hotel.save()
    with time_machine.travel("2031-03-10T03:00:00Z"):  # still March 9 in New York
        html = client.get("/hotels/CNT/").content.decode()
    assert 'href="/search/?hotel=CNT&amp;check_in=2031-03-10&amp;check_out=2031-03-11"' in html


def test_an_unknown_hotels_page_is_not_found(client, db):
    assert client.get("/hotels/NOPE/").status_code == 404


def test_the_brand_style_sheet_sets_the_brand_colour_and_the_text_on_it(client, hotel):
    response = client.get("/hotels/CNT/brand.css")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert response.content.decode() == ":root { --brand: #1F4E79; --brand-ink: #ffffff; }\n"
    hotel.brand_color = ""
    hotel.save()
    assert client.get("/hotels/CNT/brand.css").content == b""
