"""The desk booking's room lines: several rooms, possibly of different room types, in one booking.

The first line is the room type chosen on step one, with step one's party. Each further line is posted as
room_type_<n>, adults_<n>, children_<n>, child_ages_<n> (n from 2). "Add a room" and "Remove" are submit buttons
that re-render the form with one line more or less (nothing is booked, everything typed is kept but the card), so
the page works without JavaScript. The lines are priced together with booking_quote_rooms, the booking service's
own pricing, and checked together against the rooms left (two lines of one type need two rooms); the booking
service decides in the end, with its locks held (SOLD_OUT naming the room).

Extras (breakfast, parking...) are posted as extra_<CODE> quantities for the whole booking: each room takes them,
as the booking service's `extras` says. With any chosen, even one room is priced here, so the total shown (and the
expected total posted) includes them.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bookings.forms import CARD_FIELDS
from bookings.services import MAX_ROOMS, BookingQuote, RoomRequest, booking_quote_rooms
from hotelbooking.errors import DomainError
from pricing.guarantee import PaymentTerms

LINE_FIELDS = ("room_type", "adults", "children", "child_ages")
EXTRA_PREFIX = "extra_"
ADD, REMOVE, UPDATE = "add_room", "remove_room", "update_rooms"


def line_field(name: str, index: int) -> str:
    return f"{name}_{index}"


def extra_indexes(data: Mapping) -> list[int]:
    """The numbers (2..MAX_ROOMS) of the further lines present in a post or a query."""
    return [i for i in range(2, MAX_ROOMS + 1) if line_field("room_type", i) in data]


def _ages(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace(";", ",").split(",") if part.strip()]


def room_requests(data: Mapping) -> list[RoomRequest]:
    """Every line as the booking service takes it: the first from the stay's fields, then the further lines."""
    def get(name):
        return str(data.get(name) or "").strip()

    rooms = [RoomRequest(get("room_type"), get("adults") or "1", get("children") or "0", _ages(get("child_ages")))]
    for i in extra_indexes(data):
        rooms.append(RoomRequest(get(line_field("room_type", i)), get(line_field("adults", i)) or "1",
                                 get(line_field("children", i)) or "0", _ages(get(line_field("child_ages", i)))))
    return rooms


def extra_field(code: str) -> str:
    return f"{EXTRA_PREFIX}{code}"


def extras_asked(data: Mapping) -> list[dict]:
    """The extras posted with a quantity of one or more, as the booking service takes them; a quantity that is
    not a whole number is left to the form's validation (here: not chosen)."""
    asked = []
    for key, value in data.items():
        if not key.startswith(EXTRA_PREFIX):
            continue
        try:
            quantity = int(str(value).strip() or "0")
        except ValueError:
            continue
        if quantity > 0:
            asked.append({"code": key[len(EXTRA_PREFIX):], "quantity": quantity})
    return sorted(asked, key=lambda e: e["code"])


def lines_edited(data: Mapping, *, default_room_type: str) -> dict:
    """What was posted (never the card), with a line added (ADD) or the one named by REMOVE taken out, the further
    lines numbered again from 2. The starting values of the re-rendered form."""
    dropped = {*CARD_FIELDS, ADD, REMOVE, UPDATE, "csrfmiddlewaretoken"}
    kept = {k: v for k, v in data.items() if k not in dropped
            and not any(k.startswith(f"{name}_") and k.rpartition("_")[2].isdigit() for name in LINE_FIELDS)}
    remove = str(data.get(REMOVE) or "")
    lines = [{name: data.get(line_field(name, i), "") for name in LINE_FIELDS} for i in extra_indexes(data)
             if str(i) != remove]
    if ADD in data and len(lines) + 1 < MAX_ROOMS:
        lines.append({"room_type": default_room_type, "adults": "1", "children": "0", "child_ages": ""})
    for i, line in enumerate(lines, start=2):
        kept.update({line_field(name, i): value for name, value in line.items()})
    return kept


@dataclass
class RoomsPriced:
    """The booking's lines priced together (None with one line: the page shows the chosen offer's price), the
    service's error when they cannot be, and the lines the rooms left cannot hold."""

    booking: BookingQuote | None = None
    error: DomainError | None = None
    short: list[str] | None = None

    def terms(self) -> PaymentTerms | None:
        """One set of terms for the whole booking (what the card is asked for now), for Stripe's element."""
        if self.booking is None:
            return None
        first = self.booking.rooms[0].terms
        return replace(first, due_now=self.booking.due_now, due_later=self.booking.total - self.booking.due_now,
                       card_required=self.booking.card_required)


def rooms_priced(*, hotel, params: dict, data: Mapping, offers) -> RoomsPriced:
    rooms = room_requests(data)
    extras = extras_asked(data)
    if len(rooms) < 2 and not extras:
        return RoomsPriced()
    priced = RoomsPriced(short=shortfall(rooms, offers))
    try:
        priced.booking = booking_quote_rooms(hotel=hotel, rooms=rooms, rate_plan_code=params["rate_plan"],
                                             check_in=params["check_in"], check_out=params["check_out"],
                                             extras=extras)
    except DomainError as exc:
        priced.error = exc
    return priced


def shortfall(rooms: list[RoomRequest], offers) -> list[str]:
    """The lines beyond the rooms left of their type, each named (Room 3: ...)."""
    by_code = {o.room_type.code.lower(): o for o in offers.offers}
    seen: Counter = Counter()
    out = []
    for index, room in enumerate(rooms, start=1):
        offer = by_code.get((room.room_type_code or "").lower())
        if offer is None:
            continue
        seen[offer.room_type.code] += 1
        if seen[offer.room_type.code] > offer.rooms_left:
            left = offer.rooms_left
            out.append(f"Room {index}: {offer.room_type.name} is sold out for these dates "
                       f"({left} room{'s' if left != 1 else ''} left for {seen[offer.room_type.code]} asked).")
    return out


def room_choices(offers) -> list[tuple[str, str]]:
    """The room types a further line may take: those offered for these dates with rooms left."""
    return [(o.room_type.code, f"{o.room_type.name} ({o.rooms_left} left)") for o in offers.offers if o.bookable]


def room_rows(form, priced: RoomsPriced, offer) -> list[dict]:
    """The lines as the page shows them: the first fixed (step one's choice), the others editable, with prices."""
    prices = {r.index: r for r in priced.booking.rooms} if priced.booking else {}
    first = prices.get(1)
    rows = [{"index": 1, "name": offer.room_type.name,
             "total": first.total if first else offer.quote.as_dict()["total"]}]
    for i in form.line_indexes:
        room = prices.get(len(rows) + 1)
        rows.append({"index": i, "fields": [form[line_field(name, i)] for name in LINE_FIELDS],
                     "total": room.total if room else None})
    return rows
