"""The currency a guest chose to see prices in: a cookie set by the switcher (currency.views)."""

import re

COOKIE = "display_currency"
_CODE = re.compile(r"^[A-Z]{3}$")


def display_currency(request) -> str:
    """The chosen ISO code, or "" for the hotel's own currency (the default)."""
    code = (request.COOKIES.get(COOKIE) or "").strip().upper()
    return code if _CODE.match(code) else ""
