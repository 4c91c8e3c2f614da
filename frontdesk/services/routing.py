"""Which folio a posting goes to: the one function every posting path asks (`_post`, `_post_line`).

A reservation's routes (FolioRoute) send kinds of charges to a folio; a kind without a route goes to the guest's
own folio (number 1). A reversal goes where the line it reverses is; an adjustment of posted nights (CORRECTION)
follows the room nights. A folio that is closed (invoiced) takes nothing more: the posting goes to a new open
folio of the same party, made here, and the route follows it, so nothing is lost and nothing lands on an invoice
already issued. The caller holds the reservation's lock.
"""

from django.db.models import Max

from bookings.models import Reservation, actor_label

from ..models import Folio, FolioLine, FolioRoute

# Input shorthands for several kinds at once.
KIND_GROUPS = {"INCIDENTALS": FolioLine.INCIDENTALS, "STAY": ("ROOM", "TAX", "FEE", "EXTRA")}
# What the channel that collected a booking pays: the booked stay and a penalty kept from it.
CHANNEL_KINDS = ("ROOM", "TAX", "FEE", "EXTRA", "PENALTY")


def guest_folio(reservation: Reservation) -> Folio:
    """The reservation's own folio (number 1), made on its first posting."""
    folio, _ = Folio.objects.get_or_create(reservation=reservation, number=Folio.GUEST_NUMBER,
                                           defaults={"kind": Folio.Kind.GUEST})
    return folio


def folio_next_number(reservation: Reservation) -> int:
    top = Folio.objects.filter(reservation=reservation).aggregate(n=Max("number"))["n"] or 0
    return max(top, Folio.GUEST_NUMBER) + 1


def folio_create(reservation: Reservation, *, kind: str, billing_party=None, label: str = "", actor=None) -> Folio:
    """A new folio of the reservation, numbered after the last (the guest's own is made first if missing)."""
    guest_folio(reservation)
    return Folio.objects.create(reservation=reservation, number=folio_next_number(reservation), kind=kind,
                                billing_party=billing_party, label=label[:100], created_by=actor_label(actor))


def _successor(folio: Folio, actor=None) -> Folio:
    """The open folio of the same party that takes a closed folio's postings: the newest one, or a new one."""
    same = Folio.objects.filter(reservation_id=folio.reservation_id, kind=folio.kind,
                                billing_party_id=folio.billing_party_id, label=folio.label,
                                closed_at__isnull=True, number__gt=folio.number).order_by("-number").first()
    if same is not None:
        return same
    return folio_create(folio.reservation, kind=folio.kind, billing_party=folio.billing_party, label=folio.label,
                        actor=actor or "system")


class Router:
    """The routes of one reservation, loaded once for a batch of postings."""

    def __init__(self, reservation: Reservation, *, actor=None):
        self.reservation = reservation
        self.actor = actor
        self.routes = {r.kind: r for r in FolioRoute.objects.filter(reservation=reservation).select_related("folio")}
        self._guest: Folio | None = None

    def _guest_folio(self) -> Folio:
        if self._guest is None:
            self._guest = guest_folio(self.reservation)
        return self._guest

    def folio_for(self, kind: str, *, reverses: FolioLine | None = None) -> Folio:
        if reverses is not None:
            folio = reverses.folio
            return _successor(folio, self.actor) if folio.is_closed else folio
        route = self.routes.get("ROOM" if kind == FolioLine.Kind.CORRECTION else kind)
        if route is None:
            folio = self._guest_folio()
            if folio.is_closed:
                self._guest = folio = _successor(folio, self.actor)
            return folio
        if route.folio.is_closed:
            route.folio = _successor(route.folio, self.actor)
            FolioRoute.objects.filter(pk=route.pk).update(folio=route.folio)
        return route.folio


def routes_point(reservation: Reservation, kinds, folio: Folio, *, actor=None) -> list[FolioRoute]:
    """Send these kinds of charges to `folio` from now on (the guest's own folio: the route is dropped)."""
    kinds = list(dict.fromkeys(kinds))
    FolioRoute.objects.filter(reservation=reservation, kind__in=kinds).delete()
    if folio.number == Folio.GUEST_NUMBER:
        return []
    return FolioRoute.objects.bulk_create([FolioRoute(reservation=reservation, kind=k, folio=folio,
                                                      set_by=actor_label(actor)) for k in kinds])


def channel_folio(reservation: Reservation, *, actor=None) -> Folio:
    """The folio of the channel that collected the booking (kind CHANNEL, named for the channel), with the stay and
    a penalty routed to it: made once, then found again. The guest's folio keeps only what the guest pays."""
    folio = Folio.objects.filter(reservation=reservation, kind=Folio.Kind.CHANNEL).order_by("number").first()
    if folio is None:
        folio = folio_create(reservation, kind=Folio.Kind.CHANNEL,
                             label=reservation.source or "The booking channel", actor=actor or "system")
        routes_point(reservation, CHANNEL_KINDS, folio, actor=actor or "system")
    return folio
