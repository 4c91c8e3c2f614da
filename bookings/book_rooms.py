"""The rooms of a booking made on the guest pages: how many, and each room's party.

The book page carries them as two stay parameters beside the single-room ones: `rooms` (how many, 1 to
MAX_ROOMS) and `party` ("2-2-4.13,1-0": adults-children of each room, in order, and the children's ages after a
third dash, dot-separated; "2-0" without ages as before). A link without them is the single-room booking it
always was, its children's ages in `child_ages` ("4,13", as the search gives them); a room the party does not name
takes the search's `adults`, `children` and `child_ages`. Rooms of other room types than the link's `room_type`
are named by `room_types` ("DELUXE-KING,STANDARD-QUEEN", each room's in order; a blank or missing one is
`room_type`'s). The booking service validates everything (INVALID_PARTY naming the room, with the search's child-age
errors, UNKNOWN_ROOM_TYPE); here is only parsing and the page's form.
"""

from dataclasses import replace

from pricing.forms import CHILD_AGES, child_age_rows, child_ages_param
from pricing.guarantee import PaymentTerms
from pricing.search import MAX_ROOMS

from .services import BookingQuote, RoomRequest

# The rooms form's fields: one `room_adults` and one `room_children` per room, in order, and each room's ages as
# `room_<n>_child_ages` (one select per child).
PARTY_FORM = "party_form"


def room_ages_field(index: int) -> str:
    return f"room_{index}_child_ages"


def room_types_param(params: dict) -> list[str]:
    """Each room's room type code as `room_types` gives them ("" where the link's `room_type` is meant)."""
    return [code.strip()[:50] for code in (params.get("room_types") or "").split(",")][:MAX_ROOMS + 1]


def _room_type_of(params: dict, index: int) -> str:
    """The room type of room `index` (from 1): its `room_types` entry, else the link's `room_type`."""
    types = room_types_param(params)
    return (types[index - 1] if index <= len(types) else "") or params.get("room_type") or ""


def rooms_asked(params: dict) -> int:
    """How many rooms the parameters ask for, as typed (the service checks 1 to MAX_ROOMS); 1 when blank."""
    value = (params.get("rooms") or "").strip()
    if not value:
        return len(parties(params)) or 1
    return int(value) if value.isdigit() else -1


def is_multi_room(params: dict) -> bool:
    return rooms_asked(params) != 1 or len(parties(params)) > 1 or any(room_types_param(params)[1:])


def parties(params: dict) -> list[tuple[str, str, list[str]]]:
    """Each room's (adults, children, child ages) as the `party` parameter gives them, as typed."""
    found = []
    for part in (params.get("party") or "").split(","):
        if part.strip():
            adults, _, rest = part.strip().partition("-")
            children, _, ages = rest.partition("-")
            found.append((adults.strip()[:3], children.strip()[:3] or "0", child_ages_param(ages.split("."))))
    return found[:20]


def single_ages(params: dict) -> list[str]:
    """The single-room booking's children's ages (`child_ages`, "4,13"), as typed."""
    return child_ages_param([params.get("child_ages") or ""])


def room_requests(params: dict) -> list[RoomRequest]:
    """The RoomRequests of the booking: the `party` of each room, else the search's party. A count out of range
    gives a list booking_quote_rooms refuses with its own INVALID_PARTY (none, or one too many)."""
    count = min(max(rooms_asked(params), 0), MAX_ROOMS + 1)
    default = (params.get("adults") or "1", params.get("children") or "0", single_ages(params))
    rows = (parties(params) + [default] * count)[:count]
    return [RoomRequest(room_type_code=_room_type_of(params, i), adults=a, children=c, child_ages=ages)
            for i, (a, c, ages) in enumerate(rows, start=1)]


def party_form_apply(params: dict, query) -> dict:
    """The stay parameters with the rooms form's fields (`rooms`, a `room_adults`, `room_children` and
    `room_<n>_child_ages` per room) as `rooms` and `party`; one room is the single-room booking, its party as
    `adults`, `children` and `child_ages`. Ages beyond a room's children count (the selects of a larger count,
    sent without our script) are not kept."""
    adults, children = query.getlist("room_adults"), query.getlist("room_children")
    types = [code.strip()[:50] for code in query.getlist("room_room_type")][:MAX_ROOMS + 1]
    rows = []
    for index, (a, c) in enumerate(zip(adults, children, strict=False), start=1):
        a, c = a.strip()[:3], c.strip()[:3] or "0"
        ages = child_ages_param(query.getlist(room_ages_field(index)))
        rows.append((a, c, ages[:int(c)] if c.isdigit() else ages))
    rows = rows[:MAX_ROOMS + 1]
    count = (query.get("rooms") or "").strip()[:2] or str(len(rows) or 1)
    if types:  # each room's type: the first is the link's `room_type`, the others differ only where chosen
        first_type = types[0] or params.get("room_type", "")
        others = [t if t.lower() != first_type.lower() else "" for t in types]
        params = {**params, "room_type": first_type, "room_types": ",".join(others) if any(others) else ""}
    if count == "1":
        first = rows[0] if rows else (params.get("adults", ""), params.get("children", ""), single_ages(params))
        return {**params, "rooms": "", "party": "", "room_types": "", "adults": first[0], "children": first[1],
                "child_ages": ",".join(first[2])}
    return {**params, "rooms": count,
            "party": ",".join(f"{a}-{c}-{'.'.join(ages)}" if ages else f"{a}-{c}" for a, c, ages in rows)}


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


def rooms_form(params: dict, *, room_types, max_rooms: int = MAX_ROOMS) -> dict:
    """What the page's "Rooms and guests" form shows: a row per room with its room type (the hotel's
    `room_types`) and party, the party's selects to the largest room type's size (the service names a room whose
    type cannot take its party)."""
    count = rooms_asked(params)
    count = count if 1 <= count <= max_rooms else 1
    requests = room_requests({**params, "rooms": str(count)}) or [
        RoomRequest(room_type_code=params.get("room_type") or "", adults=params.get("adults") or "1",
                    children=params.get("children") or "0", child_ages=single_ages(params))]
    room_types = list(room_types)
    max_adults = max((rt.max_adults for rt in room_types), default=1)
    max_children = max((rt.max_children for rt in room_types), default=0)
    return {
        "count": count, "counts": range(1, max_rooms + 1),
        "rows": [{"index": i, "adults": str(r.adults), "children": str(r.children), "ages_field": room_ages_field(i),
                  "room_type": r.room_type_code.upper(), "ages_id": f"room-{i}-ages",
                  "age_rows": child_age_rows(r.children, [str(x) for x in r.child_ages], prefix=f"room-{i}-ages")}
                 for i, r in enumerate(requests, start=1)],
        "room_type_choices": [(rt.code.upper(), rt.name) for rt in room_types],
        "adult_choices": [str(n) for n in range(1, max(max_adults, 1) + 1)],
        "child_choices": [str(n) for n in range(0, max(max_children, 0) + 1)],
        "age_choices": [str(n) for n in CHILD_AGES],
        "hidden": {k: v for k, v in params.items()
                   if k not in ("rooms", "party", "child_ages", "room_type", "room_types") and v},
    }
