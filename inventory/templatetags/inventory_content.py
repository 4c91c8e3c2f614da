"""Template tags for hotel and room content: the amenity icons, drawn here as inline SVG (no icon font, no
third-party set, nothing loaded). Each icon is decorative: the amenity's label beside it is what is read out."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# 24 x 24 outline drawings, stroked in the text colour.
ICON_PATHS = {
    "wifi": '<path d="M2 9a15 15 0 0 1 20 0M5 12.5a10 10 0 0 1 14 0M8.5 16a5 5 0 0 1 7 0"/>'
            '<circle cx="12" cy="19.5" r="1"/>',
    "air-conditioning": '<path d="M12 2v20M3.3 7l17.4 10M3.3 17 20.7 7M9 3.5l3 2 3-2M9 20.5l3-2 3 2"/>',
    "tv": '<rect x="2" y="5" width="20" height="13" rx="2"/><path d="M8 21h8"/>',
    "coffee": '<path d="M4 8h13v6a5 5 0 0 1-5 5H9a5 5 0 0 1-5-5z"/>'
              '<path d="M17 10h1.5a2.5 2.5 0 0 1 0 5H17M8 2v3M12 2v3"/>',
    "bath": '<path d="M3 12h18v3a4 4 0 0 1-4 4H7a4 4 0 0 1-4-4z"/>'
            '<path d="M6 12V5a2 2 0 0 1 4 0M7 19l-1 2M17 19l1 2"/>',
    "desk": '<path d="M3 9h18M5 9v11M19 9v11M14 9v5h5"/>',
    "safe": '<rect x="3" y="4" width="18" height="16" rx="2"/><circle cx="12" cy="12" r="3"/>'
            '<path d="M12 9v1M6 20v1.5M18 20v1.5"/>',
    "parking": '<rect x="3" y="3" width="18" height="18" rx="3"/><path d="M9 17V7h4a3 3 0 0 1 0 6H9"/>',
    "fitness": '<path d="M6 7v10M18 7v10M3 10v4M21 10v4M6 12h12"/>',
    "restaurant": '<path d="M7 2v20M4 2v6a3 3 0 0 0 6 0V2M17 22V2c-2 1-3 4-3 8h3"/>',
    "accessible": '<circle cx="12" cy="4" r="2"/><path d="M12 7v7h5l2 5M12 10h5M9 11a5 5 0 1 0 6 8"/>',
    "pets": '<circle cx="7" cy="8" r="2"/><circle cx="12" cy="5" r="2"/><circle cx="17" cy="8" r="2"/>'
            '<path d="M8 17c0-3 2-6 4-6s4 3 4 6c0 2-2 3-4 2-2 1-4 0-4-2z"/>',
}


@register.simple_tag
def amenity_icon(icon: str):
    """The drawing for an Amenity.Icon key, hidden from screen readers; nothing for an unknown or empty key."""
    paths = ICON_PATHS.get(icon or "")
    if not paths:
        return ""
    return format_html('<svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" '
                       'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" '
                       'focusable="false">{}</svg>', mark_safe(paths))  # noqa: S308 - constants above, no input
