"""seed_demo's content: facts and amenities always, placeholder photos and logo with --photos."""

from io import StringIO

from django.core.management import call_command

from inventory.models import HotelPhoto, RoomTypePhoto

from .content_images import size_of


def test_the_demo_hotel_has_its_description_facts_and_amenities_without_photos(nyc):
    assert nyc.description.startswith("A 1920s landmark") and len(nyc.house_rule_list) == 4
    assert nyc.brand_color == "#1F4E79" and nyc.map_url.startswith("https://www.openstreetmap.org/?mlat=40.750568")
    assert not nyc.logo and not HotelPhoto.objects.exists() and not RoomTypePhoto.objects.exists()
    facts = {rt.code: (rt.beds_label, rt.size_m2, rt.get_view_display(), rt.amenities.count())
             for rt in nyc.room_types.all()}
    assert facts == {"DELUXE-KING": ("1 King bed", 42, "City view", 7),
                     "STANDARD-QUEEN": ("1 Queen bed", 28, "Courtyard view", 5),
                     "JUNIOR-SUITE": ("1 King bed", 60, "Skyline view", 8)}


def test_the_full_seed_draws_photos_with_alt_text_and_a_logo_and_keeps_staff_edits(nyc):
    nyc.description = "Written by the hotel."
    nyc.save()
    out = StringIO()
    call_command("seed_demo", "--photos", stdout=out)
    assert "7 placeholder photos added" in out.getvalue()
    nyc.refresh_from_db()
    assert nyc.description == "Written by the hotel."
    assert nyc.logo and size_of(nyc.logo_rendition)[1] <= 160
    assert HotelPhoto.objects.filter(hotel=nyc).count() == 2
    assert RoomTypePhoto.objects.filter(room_type__hotel=nyc).count() == 5
    assert all(len(p.alt_text) > 20 for p in RoomTypePhoto.objects.all())
    lobby = HotelPhoto.objects.get(hotel=nyc, sort_order=0)
    assert [r.width for r in lobby.renditions] == [480, 960, 1600]
    call_command("seed_demo", "--photos", stdout=out)
    assert "0 placeholder photos added" in out.getvalue()
