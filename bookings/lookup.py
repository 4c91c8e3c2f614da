"""Finding a booking from what a guest knows (confirmation number and last name), and slowing down guessing.

Used by the confirmation page and by "Manage my booking", so both keep one rule.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from .models import Reservation


def reservation_by_guest(*, confirmation_number: str, last_name: str) -> Reservation | None:
    """The reservation with this number, if the last name is the one it was booked under (or the guest's)."""
    number, last_name = confirmation_number.strip(), " ".join(last_name.split())
    if not number or not last_name or "\x00" in number + last_name:
        return None
    return (Reservation.objects.with_details()
            .filter(Q(guest_last_name__iexact=last_name) | Q(guest__last_name__iexact=last_name),
                    confirmation_number__iexact=number).first())


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


class LookupThrottle:
    """Failed look-ups counted per client address and per confirmation number, in Django's cache.

    After MANAGE_LOOKUP_MAX_FAILURES failures (default 5) within MANAGE_LOOKUP_WINDOW_SECONDS (default 900)
    of the first one, either counter blocks further look-ups until its window ends: guessing numbers from one
    address, or last names for one number, gets a handful of tries per window.
    """

    def __init__(self, *, client_ip: str, confirmation_number: str):
        number = "".join(ch for ch in confirmation_number.upper() if ch.isalnum() or ch == "-")[:40]
        self.keys = [f"manage-lookup:ip:{client_ip or 'unknown'}", f"manage-lookup:cn:{number}"]
        self.limit = _setting("MANAGE_LOOKUP_MAX_FAILURES", 5)
        self.window = _setting("MANAGE_LOOKUP_WINDOW_SECONDS", 900)

    def wait_seconds(self) -> int:
        """How long the caller must wait before the next look-up is even tried (0: go ahead)."""
        now = time.time()
        wait = 0.0
        for entry in cache.get_many(self.keys).values():
            if entry["count"] >= self.limit and entry["until"] > now:
                wait = max(wait, entry["until"] - now)
        return math.ceil(wait)

    def record_failure(self) -> None:
        now = time.time()
        entries = cache.get_many(self.keys)
        for key in self.keys:
            entry = entries.get(key)
            if entry is None or entry["until"] <= now:
                entry = {"count": 0, "until": now + self.window}
            entry["count"] += 1
            cache.set(key, entry, timeout=math.ceil(entry["until"] - now))

    def forget_number(self) -> None:
        """A correct pair clears the number's count (the address's count stays)."""
        cache.delete(self.keys[1])
