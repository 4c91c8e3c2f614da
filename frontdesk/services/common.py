"""What the front-desk use cases share: who did it, lookups under lock, folio postings."""

import logging
from datetime import date
from decimal import Decimal

from bookings.models import Channel, Payment, Reservation, actor_label
from bookings.services import (
    reservation_get,
)
from hotelbooking.money import round_money

from ..folio import Posting
from ..models import FolioLine
from ..selectors import stay_plan
from .routing import Router, channel_folio, guest_folio  # noqa: F401 (guest_folio: the name callers know)

logger = logging.getLogger(__name__)

MAX_KEY_CARDS_PER_ROOM = 6


def _actor_user(actor):
    return actor if getattr(actor, "pk", None) and hasattr(actor, "is_staff") else None


def clean_code(value: str) -> str:
    """Path and body identifiers: a NUL byte can never match anything (and PostgreSQL refuses it)."""
    return (value or "").replace("\x00", "").strip()


def _reservation_locked(confirmation_number: str, hotels) -> Reservation:
    return reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels, for_update=True)


def _state_label(reservation: Reservation) -> str:
    return reservation.get_status_display().lower()



def _post(reservation: Reservation, postings: list[Posting], *, actor=None) -> int:
    """Post what is not posted yet (by posting key), each to the folio its kind is routed to (routing.Router).
    The caller holds the reservation's lock."""
    if not postings:
        return 0
    done = set(FolioLine.objects.filter(reservation=reservation).exclude(posting_key="")
               .values_list("posting_key", flat=True))
    router = Router(reservation, actor=actor)
    new = [FolioLine(reservation=reservation, folio=router.folio_for(p.kind), kind=p.kind,
                     description=p.description[:200], amount=p.amount,
                     currency=reservation.currency, business_date=p.night, actor=actor_label(actor),
                     posting_key=p.key, tax_rate=p.rate)
           for p in postings if p.key not in done]
    FolioLine.objects.bulk_create(new)
    return len(new)


def post_stay_nights(reservation: Reservation, *, through: date | None = None, actor=None) -> int:
    """Post the room nights (with their taxes and fees) up to and including `through` (all when None), each once
    (by posting key). The caller holds the reservation's lock (night audit, check-out, an invoice before arrival)."""
    postings = stay_plan(reservation)
    if through is not None:
        postings = [p for p in postings if p.night <= through]
    return _post(reservation, postings, actor=actor)


def _channel_collected(reservation: Reservation) -> bool:
    """An OTA booking confirmed without our charging the guest: the channel pays the hotel."""
    return reservation.channel == Channel.OTA and not Payment.objects.filter(
        reservation=reservation, result=Payment.Result.SUCCEEDED).exists()


def _channel_bills(reservation: Reservation, *, actor=None) -> bool:
    """A channel-collected booking gets its channel's folio (the stay and penalties routed to it) the first
    time this is asked: at check-in, at a no-show, at a late cancellation. True if the channel pays."""
    if not _channel_collected(reservation):
        return False
    channel_folio(reservation, actor=actor)
    return True


def _post_line(reservation: Reservation, *, kind: str, description: str, amount: Decimal, business_date: date,
               actor=None, key: str = "", reverses: FolioLine | None = None) -> FolioLine:
    """One line, on the folio its kind is routed to (routing.Router). The caller holds the reservation's lock."""
    folio = Router(reservation, actor=actor).folio_for(kind, reverses=reverses)
    return FolioLine.objects.create(
        reservation=reservation, folio=folio, kind=kind, description=description[:200],
        amount=round_money(amount, reservation.currency), currency=reservation.currency,
        business_date=business_date, posted_by=_actor_user(actor), actor=actor_label(actor), posting_key=key,
        reverses=reverses)
