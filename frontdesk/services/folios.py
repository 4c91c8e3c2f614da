"""Split folios: opening a folio for a company, a travel agent or a second guest bill, routing kinds of charges
to it, moving lines between a reservation's folios (each move recorded), and the billing parties themselves.

A closed folio (invoiced) takes nothing and gives nothing up: FOLIO_CLOSED. Lines move only while the stay is
open (booked or in house): once the guest has left, what they paid was settled against their folio.
Locks: the reservation row, then the folios involved (by number).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q

from bookings.models import Status, actor_label
from hotelbooking.errors import (
    BillingPartyNotFound,
    ChargeNotFound,
    FolioClosed,
    FolioNotFound,
    InvalidState,
    ValidationFailed,
)

from ..models import BillingParty, Folio, FolioLine, FolioLineMove, FolioRoute
from .common import _actor_user, _reservation_locked, clean_code
from .routing import KIND_GROUPS, folio_create, guest_folio, routes_point

OPEN_STATES = (Status.CONFIRMED, Status.CHECKED_IN)
# Folios staff open; a channel's folio is made by the system for a booking the channel collected.
OPENABLE_KINDS = (Folio.Kind.COMPANY, Folio.Kind.TRAVEL_AGENT, Folio.Kind.GUEST)
PARTY_FIELDS = ("name", "address", "postal_code", "city", "country", "vat_id", "contact_name", "email", "phone")


@dataclass(frozen=True)
class PartyDetails:
    """A new company or travel agent, as typed at the desk."""

    name: str
    kind: str = BillingParty.Kind.COMPANY
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""
    vat_id: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""


def billing_party_create(*, details: PartyDetails) -> BillingParty:
    """A company or travel agent, reusable on any booking of the group."""
    name = (details.name or "").strip()
    if not name:
        raise ValidationFailed("A company or travel agent needs a name.", field="name")
    if details.kind not in BillingParty.Kind.values:
        raise ValidationFailed(f"kind must be one of {', '.join(BillingParty.Kind.values)}.", field="kind")
    values = {f: (getattr(details, f) or "").strip() for f in PARTY_FIELDS}
    values["country"] = values["country"].upper()
    if values["country"] and (len(values["country"]) != 2 or not values["country"].isalpha()):
        raise ValidationFailed("country is a two-letter ISO code, e.g. DE.", field="country")
    if values["email"]:
        try:
            validate_email(values["email"])
        except DjangoValidationError:
            raise ValidationFailed("email is not an email address.", field="email") from None
    return BillingParty.objects.create(kind=details.kind, **values)


def _party(party_id: int | None, details: PartyDetails | None) -> BillingParty | None:
    if details is not None:
        return billing_party_create(details=details)
    if party_id is None:
        return None
    party = BillingParty.objects.filter(pk=party_id, is_active=True).first()
    if party is None:
        raise BillingPartyNotFound(f"No company or travel agent with id {party_id}.", billing_party=party_id)
    return party


def _open_stay(reservation, what: str) -> None:
    if reservation.status not in OPEN_STATES:
        raise InvalidState(f"Reservation {reservation.confirmation_number} is "
                           f"{reservation.get_status_display().lower()}: {what} only while it is booked or in "
                           "house.", state=reservation.status)


def _folio(reservation, number) -> Folio:
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ValidationFailed("A folio is named by its number, e.g. 2.", field="folio") from None
    if number == Folio.GUEST_NUMBER:
        return guest_folio(reservation)
    folio = Folio.objects.select_for_update().filter(reservation=reservation, number=number).first()
    if folio is None:
        raise FolioNotFound(f"Reservation {reservation.confirmation_number} has no folio {number}.", folio=number)
    return folio


def _closed(folio: Folio, what: str) -> FolioClosed:
    return FolioClosed(f"Folio {folio.number} ({folio.party_name}) is invoiced and closed: {what}.",
                       folio=folio.number)


def route_kinds(kinds) -> list[str]:
    """Kinds of charges as named in a request (ROOM, TAX, FEE, PENALTY, an incidental, or INCIDENTALS / STAY for
    several), upper-cased and checked."""
    out = []
    for kind in kinds or ():
        kind = clean_code(str(kind)).upper()
        if kind in KIND_GROUPS:
            out.extend(KIND_GROUPS[kind])
        elif kind in FolioRoute.KINDS:
            out.append(kind)
        else:
            raise ValidationFailed(f"{kind or 'An empty kind'} is not a kind of charge; use one of "
                                   f"{', '.join([*FolioRoute.KINDS, *KIND_GROUPS])}.", field="kinds")
    return list(dict.fromkeys(out))


def folio_open(*, confirmation_number: str, kind: str, billing_party_id: int | None = None,
               party: PartyDetails | None = None, label: str = "", route: list[str] = (), hotels=None,
               actor=None) -> Folio:
    """Open a folio billed to a company or travel agent (picked, or created from `party`), or a second guest
    bill; the kinds in `route` go to it from now on (charges already posted stay where they are: move them)."""
    kind = clean_code(kind).upper()
    if kind not in OPENABLE_KINDS:
        raise ValidationFailed(f"kind must be one of {', '.join(OPENABLE_KINDS)}.", field="kind")
    kinds = route_kinds(route)
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        _open_stay(reservation, "folios are opened")
        billing_party = _party(billing_party_id, party) if kind != Folio.Kind.GUEST else None
        if kind != Folio.Kind.GUEST:
            if billing_party is None:
                raise ValidationFailed("A company or travel agent folio needs its billing party: pick one "
                                       "(billing_party) or give a new one's details (party).",
                                       field="billing_party")
            if billing_party.kind != kind:
                raise ValidationFailed(f"{billing_party.name} is a {billing_party.get_kind_display().lower()}, "
                                       f"not a {Folio.Kind(kind).label.lower()}.", field="billing_party")
        folio = folio_create(reservation, kind=kind, billing_party=billing_party, label=clean_code(label),
                             actor=actor)
        if kinds:
            routes_point(reservation, kinds, folio, actor=actor)
        return folio


def folio_routes_set(*, confirmation_number: str, kinds: list[str], folio: int, hotels=None,
                     actor=None) -> list[FolioRoute]:
    """From now on these kinds of charges go to folio `folio` (1: back to the guest's own)."""
    kinds = route_kinds(kinds)
    if not kinds:
        raise ValidationFailed("Name at least one kind of charge to route.", field="kinds")
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        _open_stay(reservation, "charges are routed")
        target = _folio(reservation, folio)
        if target.is_closed:
            raise _closed(target, "nothing more is routed to it")
        routes_point(reservation, kinds, target, actor=actor)
        return list(FolioRoute.objects.filter(reservation=reservation).select_related("folio"))


def _with_pairs(reservation, lines: list[FolioLine]) -> list[FolioLine]:
    """A charge and the correction that reverses it travel together, so neither folio shows half of a pair."""
    ids = {line.pk for line in lines}
    reversed_ids = [line.reverses_id for line in lines if line.reverses_id]
    pairs = FolioLine.objects.select_for_update().filter(reservation=reservation).filter(
        Q(reverses_id__in=ids) | Q(pk__in=reversed_ids)).exclude(pk__in=ids).select_related("folio")
    return lines + list(pairs)


def folio_lines_move(*, confirmation_number: str, line_ids: list[int], folio: int, reason: str, hotels=None,
                     actor=None) -> list[FolioLineMove]:
    """Move lines to another folio of the same reservation, each move recorded (who, when, from, to, why).
    Neither off nor onto a closed folio (FOLIO_CLOSED)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why the charges move (e.g. \"Company pays the minibar\").", field="reason")
    try:
        wanted = list(dict.fromkeys(int(i) for i in line_ids or ()))
    except (TypeError, ValueError):
        raise ValidationFailed("lines are the ids of folio lines.", field="lines") from None
    if not wanted:
        raise ValidationFailed("Name at least one line to move.", field="lines")
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        _open_stay(reservation, "charges are moved")
        target = _folio(reservation, folio)
        lines = list(FolioLine.objects.select_for_update().filter(reservation=reservation, pk__in=wanted)
                     .select_related("folio"))
        missing = sorted(set(wanted) - {line.pk for line in lines})
        if missing:
            raise ChargeNotFound(f"Reservation {reservation.confirmation_number} has no line {missing[0]}.")
        lines = _with_pairs(reservation, lines)
        if target.is_closed:
            raise _closed(target, "nothing is moved onto it")
        for line in lines:
            if line.folio.is_closed:
                raise _closed(line.folio, f"its line {line.pk} stays on its invoice")
        moving = [line for line in lines if line.folio_id != target.pk]
        if not moving:
            raise ValidationFailed(f"These lines are already on folio {target.number}.", field="folio")
        moves = [FolioLineMove(line=line, from_folio=line.folio, to_folio=target, reason=reason[:200],
                               moved_by=_actor_user(actor), actor=actor_label(actor)) for line in moving]
        FolioLine.objects.filter(pk__in=[line.pk for line in moving]).update(folio=target)
        return FolioLineMove.objects.bulk_create(moves)
