"""Guest pages of the catalogue: a hotel's own page (its content and every room type's), and its brand colours
as a style sheet (the Content-Security-Policy forbids inline styles, so a page links this instead)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Hotel
from .selectors import hotel_content


def _hotel(code: str) -> Hotel:
    return get_object_or_404(Hotel, code__iexact=(code or "").replace("\x00", ""))


@require_safe
def hotel_page(request, code: str):
    content = hotel_content(hotel=_hotel(code))
    tomorrow = content.hotel.today() + timedelta(days=1)
    search = urlencode({"hotel": content.hotel.code, "check_in": tomorrow.isoformat(),
                        "check_out": (tomorrow + timedelta(days=1)).isoformat()})
    return render(request, "inventory/hotel.html", {"hotel": content.hotel, "room_types": content.room_types,
                                                    "search_query": search})


@require_safe
def hotel_brand_css(request, code: str):
    """`--brand` and `--brand-ink` (the text colour that reads on it) when the hotel has a brand colour."""
    hotel = _hotel(code)
    css = ""
    if hotel.brand_color:
        css = f":root {{ --brand: {hotel.brand_color}; --brand-ink: {hotel.brand_text_color}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response
