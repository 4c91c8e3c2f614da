"""A multi-room booking cancelled (or quoted) as a whole: the booking's sums over its rooms, and each room's figures.

The answers keep the shape of a single room's (CancellationTerms.as_dict, CancellationResult.as_dict): the
confirmation number is the booking's (the lead's), the amounts are the sums over the rooms cancelled, and a
`rooms` list beside them gives each room's number, status, penalty and refund.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from hotelbooking.money import ZERO, round_money

from .cancellations import CancellationResult, CancellationTerms
from .models import Reservation
from .services.ledger import NOT_APPLICABLE, PENDING, REFUNDED


def _sum(values, currency: str) -> Decimal:
    return round_money(sum(values, ZERO), currency)


def _room_position(reservation: Reservation) -> int:
    """The room's place in its booking: 1 for the lead, then the others by id."""
    if not reservation.lead_id:
        return 1
    return 2 + Reservation.objects.filter(lead=reservation.lead_id, pk__lt=reservation.pk).count()


@dataclass(frozen=True)
class BookingCancellationTerms:
    """What cancelling the rooms still cancellable would cost and give back, summed."""

    lead: Reservation
    rooms: list[CancellationTerms]

    @property
    def reservation(self) -> Reservation:
        return self.lead

    @property
    def currency(self) -> str:
        return self.lead.currency

    @property
    def at(self):
        return self.rooms[0].at

    @property
    def penalty_quote(self):
        return self.rooms[0].penalty_quote

    @property
    def penalty(self) -> Decimal:
        return _sum((t.penalty for t in self.rooms), self.currency)

    @property
    def refund(self) -> Decimal:
        return _sum((t.refund for t in self.rooms), self.currency)

    @property
    def total(self) -> Decimal:
        return _sum((t.total for t in self.rooms), self.currency)

    @property
    def paid(self) -> Decimal:
        return _sum((t.paid for t in self.rooms), self.currency)

    @property
    def policy(self) -> dict:
        return self.rooms[0].policy

    @property
    def liability(self) -> dict:
        c = self.currency
        return {"policy_penalty_amount": str(_sum((t.penalty_quote.policy_penalty for t in self.rooms), c)),
                "retained_amount": str(_sum((t.penalty_quote.retained for t in self.rooms), c)),
                "retained_applies": any(t.penalty_quote.retained_applies for t in self.rooms)}

    def _m(self, amount: Decimal) -> str:
        return str(round_money(amount, self.currency))

    def as_dict(self) -> dict:
        data = self.rooms[0].as_dict()
        m = self._m
        data.update(confirmation_number=self.lead.confirmation_number, status=self.lead.status)
        data["financial"] = {"currency": self.currency, "original_total": m(self.total), "amount_paid": m(self.paid),
                             "penalty_amount": m(self.penalty), "refund_amount": m(self.refund), **self.liability}
        data["rooms"] = [{"room": _room_position(t.reservation),
                          "confirmation_number": t.reservation.confirmation_number,
                          "room_type": t.reservation.room_type.code, "status": t.reservation.status,
                          "penalty_amount": m(t.penalty), "refund_amount": m(t.refund)} for t in self.rooms]
        return data


@dataclass
class BookingCancellationResult(CancellationResult):
    """The booking cancelled as a whole: CancellationResult's fields summed over `rooms`, each room's result."""

    rooms: list[CancellationResult] = field(default_factory=list)

    @classmethod
    def of(cls, lead: Reservation, results: list[CancellationResult], *, reason: str) -> "BookingCancellationResult":
        lead = Reservation.objects.with_details().get(pk=lead.pk)
        terms = BookingCancellationTerms(lead=lead, rooms=[r.terms for r in results])
        return cls(terms=terms, reservation=lead, reason=reason,
                   room_nights_released=sum(r.room_nights_released for r in results),
                   refunds=[p for r in results for p in r.refunds], attempts=[a for r in results for a in r.attempts],
                   rooms=results)

    @property
    def refund_status(self) -> str:
        states = {r.refund_status for r in self.rooms} - {NOT_APPLICABLE}
        if not states:
            return NOT_APPLICABLE
        return PENDING if PENDING in states else REFUNDED

    @property
    def refund_amount(self) -> Decimal:
        return _sum((r.refund_amount for r in self.rooms), self.reservation.currency)

    def as_dict(self) -> dict:
        t = self.terms
        m = t._m
        cancelled = [r.reservation.cancelled_at for r in self.rooms if r.reservation.cancelled_at]
        return {
            "confirmation_number": self.reservation.confirmation_number,
            "status": self.reservation.status,
            "cancelled_at": max(cancelled) if cancelled else None,
            "reason": self.reason,
            "cancellation_policy": {k: t.policy[k] for k in ("name", "tier_applied", "penalty")},
            "financial": {"currency": t.currency, "original_total": m(t.total), "amount_paid": m(t.paid),
                          "penalty_amount": m(t.penalty), "refund_amount": m(self.refund_amount),
                          "refund_status": self.refund_status, **t.liability},
            "inventory_released": self.room_nights_released > 0,
            "room_nights_released": self.room_nights_released,
            "rooms": [room_figures(r) for r in self.rooms],
        }


def room_figures(result: CancellationResult) -> dict:
    """One room's part of a cancellation, for the `rooms` list of the answer."""
    r = result.reservation
    m = result.terms._m
    return {"room": _room_position(r), "confirmation_number": r.confirmation_number, "room_type": r.room_type.code,
            "status": r.status, "original_total": m(result.terms.total), "amount_paid": m(result.terms.paid),
            "penalty_amount": m(result.terms.penalty), "refund_amount": m(result.refund_amount),
            "refund_status": result.refund_status, "room_nights_released": result.room_nights_released}
