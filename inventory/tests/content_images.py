"""Images made with Pillow for the content tests (no binary files in the repository)."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(width: int, height: int, *, name: str = "photo.jpg", fmt: str = "JPEG",
                 color=(40, 90, 140)) -> SimpleUploadedFile:
    buffer = BytesIO()
    mode = "RGBA" if fmt == "PNG" else "RGB"
    Image.new(mode, (width, height), color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def size_of(stored_file) -> tuple[int, int]:
    """Width and height of a rendition as written to storage (opened from there, not from memory)."""
    assert stored_file.storage.exists(stored_file.name), f"{stored_file.name} was not written"
    with stored_file.storage.open(stored_file.name) as f:
        return Image.open(f).size
