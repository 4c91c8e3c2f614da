"""The console's navigation bar. A page appears once its URL exists: another page's link is one line here."""

from django.urls import NoReverseMatch, reverse

# (label, admin URL name): pages whose URL is not registered (yet) are left out.
CONSOLE_PAGES = [
    ("Desk", "admin:frontdesk_desk"),
    ("New booking", "admin:frontdesk_book"),
    ("Tape chart", "admin:frontdesk_tape_chart"),
    ("Rack", "admin:frontdesk_rack"),
    ("Housekeeping", "admin:frontdesk_housekeeping"),
]


def console_nav(current: str = "") -> list[dict]:
    """The links of the pages that exist, the one being shown marked current."""
    links = []
    for label, name in CONSOLE_PAGES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        links.append({"label": label, "url": url, "current": name == current})
    return links
