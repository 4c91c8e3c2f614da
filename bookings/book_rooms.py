"""The rooms of a booking made on the guest pages: how many, and each room's party.

The book page carries them as two stay parameters beside the single-room ones: `rooms` (how many, 1 to
MAX_ROOMS) and `party` ("2-0,1-1": adults-children of each room, in order). A link without them is the single-room
booking it always was; a room the party does not name takes the search's `adults` and `children`. The booking
service validates everything (INVALID_PARTY naming the room); here is only parsing and the page's form.
"""

from dataclasses import replace

from pricing.guarantee import PaymentTerms
from pricing.search import MAX_ROOMS

from .services import BookingQuote, RoomRequest

# The rooms form's fields: one `room_adults` and one `room_children` per room, in order.
PARTY_FORM = "party_form"


def rooms_asked(params: dict) -> int:
    """How many rooms the parameters ask for, as typed (the service checks 1 to MAX_ROOMS); 1 when blank."""
    value = (params.get("rooms") or "").strip()
    if not value:
        return len(parties(params)) or 1
    return int(value) if value.isdigit() else -1


def is_multi_room(params: dict) -> bool:
    return rooms_asked(params) != 1 or len(parties(params)) > 1


def parties(params: dict) -> list[tuple[str, str]]:
    """Each room's (adults, children) as the `party` parameter gives them, as typed."""
    found = []
    for part in (params.get("party") or "").split(","):
        if part.strip():
            adults, _, children = part.strip().partition("-")
            found.append((adults.strip()[:3], children.strip()[:3] or "0"))
    return found[:20]


def room_requests(params: dict) -> list[RoomRequest]:
    """The RoomRequests of the booking: the `party` of each room, else the search's party. A count out of range
    gives a list booking_quote_rooms refuses with its own INVALID_PARTY (none, or one too many)."""
    count = min(max(rooms_asked(params), 0), MAX_ROOMS + 1)
    default = (params.get("adults") or "1", params.get("children") or "0")
    rows = (parties(params) + [default] * count)[:count]
    return [RoomRequest(room_type_code=params["room_type"], adults=a, children=c) for a, c in rows]


def party_form_apply(params: dict, query) -> dict:
    """The stay parameters with the rooms form's fields (`rooms`, a `room_adults` and `room_children` per room)
    as `rooms` and `party`; one room is the single-room booking, its party as `adults` and `children`."""
    adults, children = query.getlist("room_adults"), query.getlist("room_children")
    pairs = [(a.strip()[:3], (c.strip()[:3] or "0")) for a, c in zip(adults, children, strict=False)][:MAX_ROOMS + 1]
    count = (query.get("rooms") or "").strip()[:2] or str(len(pairs) or 1)
    if count == "1":
        first = pairs[0] if pairs else (params.get("adults", ""), params.get("children", ""))
        return {**params, "rooms": "", "party": "", "adults": first[0], "children": first[1]}
    return {**params, "rooms": count, "party": ",".join(f"{a}-{c}" for a, c in pairs)}


def terms_summed(terms: list[PaymentTerms]) -> PaymentTerms | None:
    """A booking's payment terms from its rooms': one rate plan, so one guarantee and one balance date; the
    amounts are the rooms' sums (each already rounded)."""
    if len(terms) <= 1:
        return terms[0] if terms else None
    first, rest = terms[0], terms[1:]
    return replace(first, due_now=sum((t.due_now for t in rest), first.due_now),
                   due_later=sum((t.due_later for t in rest), first.due_later))


def booking_terms(booking: BookingQuote) -> PaymentTerms:
    return terms_summed([r.terms for r in booking.rooms])


def rooms_form(params: dict, *, max_adults: int, max_children: int, max_rooms: int = MAX_ROOMS) -> dict:
    """What the page's "Rooms and guests" form shows: a row per room with its party, selects to the room's size."""
    count = rooms_asked(params)
    count = count if 1 <= count <= max_rooms else 1
    rows = [(r.adults, r.children) for r in room_requests({**params, "rooms": str(count)})] or \
        [(params.get("adults") or "1", params.get("children") or "0")]
    return {
        "count": count, "counts": range(1, max_rooms + 1),
        "rows": [{"index": i, "adults": str(a), "children": str(c)} for i, (a, c) in enumerate(rows, start=1)],
        "adult_choices": [str(n) for n in range(1, max(max_adults, 1) + 1)],
        "child_choices": [str(n) for n in range(0, max(max_children, 0) + 1)],
        "hidden": {k: v for k, v in params.items() if k not in ("rooms", "party") and v},
    }
