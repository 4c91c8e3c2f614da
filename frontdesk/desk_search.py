"""The console's one search box: a booking by the guest's name as booked or as profiled, its confirmation number
(whole or part), a room number (assigned now or before), an email or a phone number, in the clerk's hotels only.
"""

import re
from dataclasses import dataclass

from django.db.models import Q

from bookings.models import Reservation
from hotelbooking.permissions import scope_to_hotels

from .desk_rows import desk_rows_annotate
from .models import RoomAssignment

LIMIT = 50


@dataclass(frozen=True)
class SearchResult:
    query: str
    rows: list[Reservation]
    exact: Reservation | None   # the one booking whose confirmation number is the query: open it straight away
    truncated: bool


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def desk_search(*, user, query: str, limit: int = LIMIT) -> SearchResult:
    """Bookings matching every word of `query` (each word in some field), newest arrival first: five queries."""
    query = " ".join((query or "").split())[:100]
    if not query:
        return SearchResult(query="", rows=[], exact=None, truncated=False)
    base = scope_to_hotels(Reservation.objects.all(), user, "hotel")
    match = Q()
    for word in query.split():
        rooms = RoomAssignment.objects.filter(room__number__iexact=word).values("reservation_id")
        q = (Q(confirmation_number__icontains=word) | Q(guest_first_name__icontains=word)
             | Q(guest_last_name__icontains=word) | Q(guest__first_name__icontains=word)
             | Q(guest__last_name__icontains=word) | Q(guest__email__iexact=word)
             | Q(pk__in=rooms))
        if len(_digits(word)) >= 4:  # part of a phone number
            q |= Q(guest_phone__icontains=word) | Q(guest__phone__icontains=word)
        match &= q
    if len(_digits(query)) >= 6 and " " in query:  # "+1 555 0100": the words together are one phone number
        match |= Q(guest_phone__icontains=query) | Q(guest__phone__icontains=query)
    rows = list(base.filter(match).with_details().order_by("-check_in", "confirmation_number")[:limit + 1])
    truncated = len(rows) > limit
    rows = desk_rows_annotate(rows[:limit])
    exact = next((r for r in rows if r.confirmation_number.lower() == query.lower()), None)
    if exact is None and len(rows) == 1 and len(query) >= 6 and rows[0].confirmation_number.lower().endswith(
            query.lower()):
        exact = rows[0]
    return SearchResult(query=query, rows=rows, exact=exact, truncated=truncated)
