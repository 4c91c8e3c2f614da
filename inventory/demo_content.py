"""The demo hotel's content for `manage.py seed_demo`: description, house rules, map pin, brand, amenities, room
facts, and placeholder photos and a logo drawn with Pillow at seed time (no image files in the repository).

Idempotent, and it never overwrites what staff have since entered: a field is filled only while it is empty,
photos are added only to a hotel or room type that has none.
"""

from decimal import Decimal
from io import BytesIO

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from .models import Amenity, Hotel, HotelPhoto, RoomType, RoomTypePhoto

AMENITIES = [
    # code, label, icon
    ("wifi", "Free Wi-Fi", Amenity.Icon.WIFI),
    ("air-conditioning", "Air conditioning", Amenity.Icon.AIR_CONDITIONING),
    ("tv", "Flat-screen TV", Amenity.Icon.TV),
    ("coffee", "Coffee and tea maker", Amenity.Icon.COFFEE),
    ("rain-shower", "Rain shower", Amenity.Icon.BATH),
    ("bathtub", "Bathtub", Amenity.Icon.BATH),
    ("desk", "Work desk", Amenity.Icon.DESK),
    ("safe", "In-room safe", Amenity.Icon.SAFE),
    ("fitness", "Fitness room (24 h)", Amenity.Icon.FITNESS),
    ("restaurant", "Restaurant and bar", Amenity.Icon.RESTAURANT),
    ("valet-parking", "Valet parking", Amenity.Icon.PARKING),
    ("step-free", "Step-free access", Amenity.Icon.ACCESSIBLE),
]

HOTEL = dict(
    description=(
        "A 1920s landmark two blocks from Penn Station, restored with warm oak, brass and big windows.\n\n"
        "Our rooms are quiet, our beds are very good, and our front desk is open around the clock to help you "
        "find a table, a show or the fastest way to the airport."
    ),
    house_rules="No smoking anywhere in the hotel (a cleaning fee of $250 applies)\n"
                "Quiet hours from 10 PM to 7 AM\n"
                "Guests under 21 stay with an adult\n"
                "Service animals welcome; no other pets",
    latitude=Decimal("40.750568"), longitude=Decimal("-73.993519"),
    brand_color="#1F4E79",
)
HOTEL_AMENITIES = ["wifi", "fitness", "restaurant", "valet-parking", "step-free"]
HOTEL_PHOTOS = [("Lobby with oak panelling, brass lamps and a long reception desk", "The lobby"),
                ("Corner of the restaurant with round tables by tall windows", "")]

ROOM_TYPES = {
    # code: facts, amenities, photos (alt text, caption)
    "DELUXE-KING": (dict(bed_type=RoomType.BedType.KING, size_m2=Decimal("42"), view=RoomType.View.CITY),
                    ["wifi", "air-conditioning", "tv", "coffee", "rain-shower", "desk", "safe"],
                    [("King bed facing a wide window over the city", "High floors, city view"),
                     ("Walk-in rain shower with grey stone tiles", "")]),
    "STANDARD-QUEEN": (dict(bed_type=RoomType.BedType.QUEEN, size_m2=Decimal("28"), view=RoomType.View.COURTYARD),
                       ["wifi", "air-conditioning", "tv", "coffee", "desk"],
                       [("Queen bed with a reading lamp and a window onto the courtyard", "")]),
    "JUNIOR-SUITE": (dict(bed_type=RoomType.BedType.KING, size_m2=Decimal("60"), view=RoomType.View.SKYLINE),
                     ["wifi", "air-conditioning", "tv", "coffee", "bathtub", "rain-shower", "desk", "safe"],
                     [("Living area with a sofa and armchairs before a skyline window", "Separate living area"),
                      ("King bed in the suite's bedroom", "")]),
}

PALETTE = [((31, 78, 121), (214, 170, 96)), ((48, 72, 60), (222, 196, 150)), ((92, 54, 40), (236, 208, 164)),
           ((40, 50, 80), (180, 196, 220)), ((70, 70, 74), (230, 216, 190))]


def placeholder_photo(label: str, *, index: int, size=(1600, 1067)) -> ContentFile:
    """A JPEG of a plain "room": a gradient wall, a window and a floor, with the label written on it."""
    top, bottom = PALETTE[index % len(PALETTE)]
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(image)
    draw.rectangle([width * .55, height * .15, width * .85, height * .6], fill=(236, 242, 248), outline=top, width=12)
    draw.line([width * .70, height * .15, width * .70, height * .6], fill=top, width=8)
    draw.rectangle([0, height * .78, width, height], fill=tuple(c // 2 for c in top))
    draw.text((width * .06, height * .08), label, fill=(255, 255, 255), font=ImageFont.load_default(size=64))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"placeholder-{index}.jpg")


def placeholder_logo(text: str, color: str) -> ContentFile:
    image = Image.new("RGBA", (360, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle([4, 4, 116, 116], radius=18, fill=color)
    draw.text((60, 60), text[:2], fill="white", anchor="mm", font=ImageFont.load_default(size=56))
    draw.text((132, 60), "Grand Hotels", fill=color, anchor="lm", font=ImageFont.load_default(size=36))
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="logo.png")


def demo_content_load(*, hotel: Hotel, photos: bool = True) -> int:
    """Fills the demo hotel's content; returns how many photos it added."""
    amenities = {}
    for i, (code, label, icon) in enumerate(AMENITIES):
        amenities[code], _ = Amenity.objects.get_or_create(code=code, defaults=dict(label=label, icon=icon,
                                                                                      sort_order=i))
    changed = [field for field, value in HOTEL.items() if getattr(hotel, field) in ("", None)]
    for field in changed:
        setattr(hotel, field, HOTEL[field])
    if photos and not hotel.logo:
        hotel.logo.save("logo.png", placeholder_logo(hotel.brand_code, hotel.brand_color or "#1F4E79"), save=False)
        changed.append("logo")
    if changed:
        hotel.save(update_fields=changed)
    if not hotel.amenities.exists():
        hotel.amenities.set([amenities[c] for c in HOTEL_AMENITIES])
    added = 0
    if photos and not hotel.photos.exists():
        for i, (alt, caption) in enumerate(HOTEL_PHOTOS):
            HotelPhoto.objects.create(hotel=hotel, image=placeholder_photo(caption or alt.split(" with")[0], index=i),
                                      alt_text=alt, caption=caption, sort_order=i)
            added += 1
    for room_type in RoomType.objects.filter(hotel=hotel, code__in=ROOM_TYPES):
        facts, amenity_codes, photo_list = ROOM_TYPES[room_type.code]
        empty = [field for field in facts if getattr(room_type, field) in ("", None)]
        for field in empty:
            setattr(room_type, field, facts[field])
        if empty:
            room_type.save(update_fields=empty)
        if not room_type.amenities.exists():
            room_type.amenities.set([amenities[c] for c in amenity_codes])
        if photos and not room_type.photos.exists():
            for i, (alt, caption) in enumerate(photo_list):
                RoomTypePhoto.objects.create(room_type=room_type, image=placeholder_photo(
                    room_type.name, index=room_type.sort_order + i + 2), alt_text=alt, caption=caption, sort_order=i)
                added += 1
    return added
