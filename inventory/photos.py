"""Photos and logos: where uploads go, what they must be, and the responsive renditions made from them.

Renditions are django-imagekit specs, made when a photo is saved (the Optimistic strategy: a page or API answer
builds their URLs without touching the disk). Each is the photo scaled down to a width of RENDITION_WIDTHS, never
up, so a rendition is never wider than what was uploaded.
"""

import uuid
from pathlib import PurePosixPath
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError
from imagekit.cachefiles.strategies import Optimistic
from imagekit.models import ImageSpecField
from pilkit.processors import MakeOpaque, ResizeToFit, Transpose

RENDITION_WIDTHS = (480, 960, 1600)
MIN_PHOTO_WIDTH = RENDITION_WIDTHS[0]
MAX_UPLOAD_BYTES = 15 * 1024 * 1024
JPEG_QUALITY = 82


def rendition(width: int) -> ImageSpecField:
    """The photo `width` px wide (or as wide as it is, if narrower), upright, as a progressive JPEG."""
    return ImageSpecField(source="image",
                          processors=[Transpose(), MakeOpaque(), ResizeToFit(width=width, upscale=False)],
                          format="JPEG", options={"quality": JPEG_QUALITY, "progressive": True, "optimize": True},
                          cachefile_strategy=Optimistic)


def logo_rendition() -> ImageSpecField:
    """The logo for emails and page headers: at most 480 x 160 px, a PNG (logos often have transparency)."""
    return ImageSpecField(source="logo", processors=[Transpose(), ResizeToFit(width=480, height=160, upscale=False)],
                          format="PNG", cachefile_strategy=Optimistic)


def _upload_name(folder: str, filename: str) -> str:
    # A random name: uploads never collide, and one hotel's photo URLs cannot be guessed from another's.
    suffix = PurePosixPath(filename).suffix.lower()[:6] or ".jpg"
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def photo_path(instance, filename: str) -> str:
    """photos/<hotel>/ for a hotel's photo, photos/<hotel>/<room type>/ for a room type's."""
    room_type = getattr(instance, "room_type", None)
    if room_type is not None:
        return _upload_name(f"photos/{room_type.hotel.code.lower()}/{room_type.code.lower()}", filename)
    return _upload_name(f"photos/{instance.hotel.code.lower()}", filename)


def hotel_logo_path(instance, filename: str) -> str:
    return _upload_name(f"logos/{instance.code.lower()}", filename)


def validate_upload_size(file):
    if file and getattr(file, "size", 0) > MAX_UPLOAD_BYTES:
        raise ValidationError(f"The image is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.", code="too_large")


def validate_photo_width(file):
    """A photo at least as wide as the smallest rendition, so none is ever blown up."""
    width = getattr(file, "width", None)
    if width is not None and width < MIN_PHOTO_WIDTH:
        raise ValidationError(f"The photo is {width} px wide: upload one at least {MIN_PHOTO_WIDTH} px wide.",
                              code="too_narrow")


def absolute_media_url(url: str) -> str:
    """A media URL as a guest's mail client reaches it (emails have no request to take the host from): on
    PUBLIC_BASE_URL, unless MEDIA_URL is absolute already (a CDN)."""
    return urljoin(settings.PUBLIC_BASE_URL.rstrip("/") + "/", url) if url else ""
