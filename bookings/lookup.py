"""Finding a booking from what a guest knows (confirmation number and last name), and slowing down guessing.

Used by the confirmation page and by "Manage my booking", so both keep one rule.
"""

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from hotelbooking.throttling import client_address

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


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int
    window: int

    def count(self) -> tuple[int, float]:
        """One more attempt, counted atomically (cache.add, then cache.incr): the new count and the window's end."""
        for _ in range(3):
            now = time.time()
            if cache.add(self.key, 1, timeout=self.window):
                cache.set(f"{self.key}:until", now + self.window, timeout=self.window)
                return 1, now + self.window
            try:
                value = cache.incr(self.key)
            except ValueError:  # the window ended between add and incr: start a new one
                continue
            return value, cache.get(f"{self.key}:until") or now + self.window
        return self.limit + 1, time.time() + self.window

    def uncount(self) -> None:
        try:
            cache.decr(self.key)
        except ValueError:  # its window has ended anyway
            pass


class LookupThrottle:
    """Look-up attempts counted per client address and per confirmation number, in Django's cache.

    Each attempt is counted *before* it is checked, atomically, and checked only while its count is within the
    limit, so concurrent guesses cannot slip past it; an attempt that finds its booking is given back.
    - Per client address (REST_FRAMEWORK["NUM_PROXIES"] decides which address, as for the API throttles):
      MANAGE_LOOKUP_MAX_ATTEMPTS (default 5) per MANAGE_LOOKUP_WINDOW_SECONDS (default 900): one address
      guessing numbers or names gets a handful of tries per quarter hour.
    - Per confirmation number, from all addresses together: MANAGE_LOOKUP_BOOKING_MAX_ATTEMPTS (default 20) per
      MANAGE_LOOKUP_BOOKING_WINDOW_SECONDS (default 86400). Higher than the address limit, so a few wrong
      names do not lock the guest out; it slows guessing spread over many addresses to 20 names a day. A guest
      who is locked out of typing still gets in through the signed link in every email (bookings.manage_links).
    An address that is over its limit does not count against the booking's.
    """

    def __init__(self, *, request, confirmation_number: str):
        number = "".join(ch for ch in confirmation_number.upper() if ch.isalnum() or ch == "-")[:40]
        self.counters = [
            _Counter(f"manage-lookup:ip:{client_address(request)}",
                     _setting("MANAGE_LOOKUP_MAX_ATTEMPTS", 5), _setting("MANAGE_LOOKUP_WINDOW_SECONDS", 900)),
            _Counter(f"manage-lookup:cn:{number}", _setting("MANAGE_LOOKUP_BOOKING_MAX_ATTEMPTS", 20),
                     _setting("MANAGE_LOOKUP_BOOKING_WINDOW_SECONDS", 86400)),
        ]
        self._counted: list[_Counter] = []

    def attempt(self) -> int:
        """Count this attempt. 0: check it now; otherwise the seconds to wait before one may be checked."""
        for counter in self.counters:
            value, until = counter.count()
            if value > counter.limit:
                counter.uncount()  # a refused attempt is checked nowhere, so it counts nowhere
                self.found()
                return max(1, math.ceil(until - time.time()))
            self._counted.append(counter)
        return 0

    def found(self) -> None:
        """The attempt found its booking (or was not checked): it does not count against anyone."""
        for counter in self._counted:
            counter.uncount()
        self._counted = []
