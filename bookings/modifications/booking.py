"""Changing a multi-room booking's dates as a whole, all or nothing (issue 11).

By the lead's number, the same new dates (and rate plan, if given) for every room still CONFIRMED; the party and
the room type stay per room (VALIDATION_ERROR here: change them room by room). Each room is planned, priced and
changed by the single-room rules of apply.py (its nights kept at their booked price, its own policy, its own
retained liability); the booking moves as one:

- Every room is planned before anything moves; a room that refuses (SOLD_OUT, a restriction, not modifiable)
  refuses the whole change, naming it (`room`: its place in the booking, 1 the lead; message "Room N: ...").
  `expected_total` is the booking's new total (the sum of the rooms'): PRICE_CHANGED otherwise.
- Rooms that cost more are charged their own difference to the card on file (a companion falls back to the
  lead's card), each its own charge attempt (step MODIFICATION:n of that room), recorded in one short transaction
  holding every room (the lead locked first, then the others by id) after the inventory move was rehearsed for
  all rooms together, and sent with nothing locked. If any charge is declined or stays unknown, the ones that
  went through are given back and the answer is PAYMENT_FAILED with nothing applied.
- Then one transaction holding every room re-plans each (CONCURRENT_MODIFICATION or PRICE_CHANGED if anything
  moved meanwhile), applies every room's change and records the refunds of the rooms that cost less; refunds are
  sent after the commit. Should that transaction fail, every charge is given back.
- With no room costing more, the first transaction applies everything and records the refunds.
- A booking settled at the hotel, or `collect_payment=False`, moves no money.

A booking without companions (or a companion's own number) changes through reservation_modify.
"""

from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from hotelbooking.errors import (
    ConcurrentModification,
    DomainError,
    ModificationNotAllowed,
    PaymentFailed,
    PriceChanged,
    ValidationFailed,
)
from hotelbooking.money import ZERO, round_money

from ..models import PaymentAttempt, Reservation, Status
from ..payments import PaymentGateway
from ..services import reservation_get, reservation_lock
from ..services.ledger import (
    attempts_send,
    charge_on_file_open,
    claimed,
    compensate,
    compensated,
    next_step,
    refunded,
    refunds_open,
)
from .apply import (
    _apply_change,
    _as_priced,
    _charges_in_flight,
    _move_inventory,
    _moved_since,
    _Rehearsed,
    reservation_modify,
)
from .plan import (
    STEP,
    ModificationPlan,
    ModificationRequest,
    ModificationResult,
    modification_plan,
    modification_quote,
)


@dataclass
class BookingModificationResult:
    """A whole booking's change: each changed room's result (lead first) and the booking's sums."""

    lead: Reservation
    rooms: list[ModificationResult]
    positions: list[int] = field(default_factory=list)  # each result's place in the booking (1 is the lead)

    @property
    def currency(self) -> str:
        return self.lead.currency

    def _sum(self, values) -> Decimal:
        return round_money(sum(values, ZERO), self.currency)

    @property
    def previous_total(self) -> Decimal:
        return self._sum(r.plan.previous_total for r in self.rooms)

    @property
    def new_total(self) -> Decimal:
        return self._sum(r.plan.new_total for r in self.rooms)

    @property
    def charged(self) -> Decimal:
        return self._sum(r.charge.amount for r in self.rooms if r.charge is not None)

    @property
    def refunded(self) -> Decimal:
        return self._sum(a.amount or ZERO for r in self.rooms for a in r.attempts)

    def summary(self) -> dict:
        c = self.currency
        return {"rooms": len(self.rooms), "currency": c,
                "previous_total": str(self.previous_total), "new_total": str(self.new_total),
                "difference": str(round_money(self.new_total - self.previous_total, c)),
                "amount_to_charge": str(self._sum(r.plan.to_charge for r in self.rooms)),
                "amount_to_refund": str(self._sum(r.plan.to_refund for r in self.rooms)),
                "charged": str(self.charged), "refunded": str(self.refunded)}

    def quote_dict(self) -> dict:
        """For a quote: the lead room's breakdown (the single-room quote's shape), each room's, the sums."""
        rooms = [{"room": position, **result.plan.as_dict()}
                 for position, result in zip(self.positions, self.rooms, strict=True)]
        data = {k: v for k, v in rooms[0].items() if k != "room"}
        data["rooms"] = rooms
        data["booking"] = {k: v for k, v in self.summary().items() if k not in ("charged", "refunded")}
        return data

    def as_dict(self) -> dict:
        """The lead room's answer (the single-room shape), each room's beside it, and the booking's sums."""
        rooms = [{"room": position, **result.as_dict()}
                 for position, result in zip(self.positions, self.rooms, strict=True)]
        data = {k: v for k, v in rooms[0].items() if k != "room"}
        data["rooms"] = rooms
        data["booking"] = self.summary()
        return data


def booking_modify(*, confirmation_number: str, request: ModificationRequest, gateway: PaymentGateway,
                   hotels=None, actor=None, collect_payment: bool = True):
    """Change the dates (and rate plan) of every confirmed room of a booking at once (see the module docstring).

    A BookingModificationResult for a booking with companions; reservation_modify's ModificationResult otherwise.
    """
    if request.is_empty():
        raise ValidationFailed("Give at least one of check_in, check_out, rate_plan.")
    if any(v not in (None, "") for v in (request.adults, request.children, request.room_type_code)):
        raise ValidationFailed("The party and the room type are changed room by room; a whole booking changes "
                               "its dates and rate plan only.", field="rooms")
    found = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    if found.lead_id is not None or not Reservation.objects.filter(lead=found.pk).exists():
        return reservation_modify(confirmation_number=confirmation_number, request=request, gateway=gateway,
                                  hotels=hotels, actor=actor, collect_payment=collect_payment)

    with transaction.atomic():
        rooms = _lock_rooms(confirmation_number, hotels)
        plans = _plan_rooms(rooms, request)
        if not any(plan.changes for _, _, plan in plans):
            return _result(rooms[0][1], [(p, r, ModificationResult(plan=plan, reservation=r)) for p, r, plan in plans])
        orphans = [o for _, r, _ in plans for o in _charges_in_flight(r)]
        if orphans:  # their refunds are recorded now: price the change on what is left paid
            plans = _plan_rooms(rooms, request)
        charging = {r.pk: plan.to_charge for _, r, plan in plans if collect_payment and plan.to_charge > 0}
        if not charging:
            refunds = _apply_rooms(plans, charges={}, gateway=gateway, actor=actor, collect_payment=collect_payment)
        else:
            _rehearse_all(plans)  # SOLD_OUT or RESTRICTED now, before any card is charged
            charges = {}
            for position, room, _ in plans:
                if room.pk not in charging:
                    continue
                charge = charge_on_file_open(reservation=room, step=next_step(room, STEP, numbered=True),
                                             amount=charging[room.pk], gateway=gateway)
                if charge is None:
                    raise _for_room(PaymentFailed("There is no card on file for this reservation.",
                                                  decline_code="no_card_on_file"), position)
                charges[room.pk] = charge
            before = {r.pk: _as_priced(r, plan) for _, r, plan in plans}
    attempts_send(orphans, gateway)
    if not charging:
        return _refunds_sent(rooms[0][1], plans, refunds, gateway)
    return _charge_then_apply_all(charges, before, gateway, priced={r.pk: plan for _, r, plan in plans},
                                  confirmation_number=confirmation_number, request=request, hotels=hotels,
                                  actor=actor)


def booking_modification_quote(*, confirmation_number: str, request: ModificationRequest, hotels=None):
    """What booking_modify would do, as of now, changing nothing: a BookingModificationResult (no money moved)
    for a booking with companions, else modification_quote's plan."""
    if request.is_empty():
        raise ValidationFailed("Give at least one of check_in, check_out, rate_plan.")
    if any(v not in (None, "") for v in (request.adults, request.children, request.room_type_code)):
        raise ValidationFailed("The party and the room type are changed room by room; a whole booking changes "
                               "its dates and rate plan only.", field="rooms")
    lead = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    if lead.lead_id is not None or not Reservation.objects.filter(lead=lead.pk).exists():
        return modification_quote(confirmation_number=confirmation_number, request=request, hotels=hotels)
    rooms = [(p, r) for p, r in enumerate(lead.booking_rooms(), start=1)]
    plans = _plan_rooms(rooms, request)
    return _result(lead, [(p, r, ModificationResult(plan=plan, reservation=r)) for p, r, plan in plans])


# --- the steps ------------------------------------------------------------------------------------------------

def _lock_rooms(confirmation_number: str, hotels) -> list[tuple[int, Reservation]]:
    """Inside a transaction: the lead locked first, then its companions by id; each with its place."""
    lead = reservation_get(confirmation_number=confirmation_number, hotels=hotels, for_update=True)
    companions = [reservation_lock(pk) for pk in
                  Reservation.objects.filter(lead=lead.pk).order_by("id").values_list("pk", flat=True)]
    return list(enumerate([lead, *companions], start=1))


def _for_room(exc: DomainError, position: int) -> DomainError:
    exc.details["room"] = position
    exc.message = f"Room {position}: {exc.message}"
    exc.args = (exc.message,)
    return exc


def _plan_rooms(rooms: list[tuple[int, Reservation]], request: ModificationRequest
                ) -> list[tuple[int, Reservation, ModificationPlan]]:
    """Plan every confirmed room (reads only); the first refusal names its room. The booking's expected total
    is checked against the sum."""
    confirmed = [(p, r) for p, r in rooms if r.status == Status.CONFIRMED]
    if not confirmed:
        lead = rooms[0][1]
        raise ModificationNotAllowed(
            f"Booking {lead.confirmation_number} has no confirmed room: only confirmed rooms can be changed.",
            state=lead.status)
    room_request = ModificationRequest(check_in=request.check_in, check_out=request.check_out,
                                       rate_plan_code=request.rate_plan_code, access_code=request.access_code)
    plans = []
    for position, room in confirmed:
        try:
            plans.append((position, room, modification_plan(reservation=room, request=room_request)))
        except DomainError as exc:
            raise _for_room(exc, position) from None
    if request.expected_total is not None:
        currency = plans[0][2].currency
        total = round_money(sum((plan.new_total for _, _, plan in plans), ZERO), currency)
        if round_money(request.expected_total, currency) != total:
            raise PriceChanged(quote=[{"room": p, **plan.as_dict()["pricing_breakdown"]} for p, _, plan in plans],
                               expected_total=str(round_money(request.expected_total, currency)),
                               new_total=str(total))
    return plans


def _rehearse_all(plans) -> None:
    """Move every room's inventory as the change will, together (two rooms may want the same last room), and undo
    it: whatever would refuse the change refuses it, naming the room, before any card is charged."""
    try:
        with transaction.atomic():
            for position, room, plan in plans:
                try:
                    _move_inventory(room, plan)
                except DomainError as exc:
                    raise _for_room(exc, position) from None
            raise _Rehearsed
    except _Rehearsed:
        pass


def _apply_rooms(plans, *, charges: dict, gateway: PaymentGateway, actor, collect_payment: bool
                 ) -> dict[int, list[PaymentAttempt]]:
    """Inside the transaction holding every room: apply each room's change; record the refunds of the rooms
    that cost less (returned by room, to be sent after the commit)."""
    refunds = {}
    for position, room, plan in plans:
        if not plan.changes:
            continue
        charge = charges.get(room.pk)
        to_refund = plan.to_refund if collect_payment and charge is None else ZERO
        try:
            _apply_change(room, plan, actor=actor, charged=charge.amount if charge else ZERO, refunded=to_refund,
                          paid_by=charge)
        except DomainError as exc:
            raise _for_room(exc, position) from None
        if to_refund > 0:
            refunds[room.pk] = refunds_open(reservation=room, step=next_step(room, STEP, numbered=True),
                                            amount=to_refund, gateway=gateway)
    return refunds


def _refunds_sent(lead: Reservation, plans, refunds: dict, gateway: PaymentGateway,
                  charges: dict | None = None, priced: dict | None = None) -> BookingModificationResult:
    """After the commit: send the refunds (the change stands whatever the answer) and build the answer (with the
    plans the change was priced on, `priced`, as reservation_modify answers)."""
    charges, priced = charges or {}, priced or {}
    results = []
    for position, room, plan in plans:
        plan = priced.get(room.pk, plan)
        sent = attempts_send(refunds.get(room.pk, []), gateway)
        charge = charges.get(room.pk)
        results.append((position, room, ModificationResult(
            plan=plan, reservation=room, charge=charge.payment if charge is not None else None,
            refunds=refunded(sent), attempts=sent)))
    return _result(lead, results)


def _result(lead: Reservation, results) -> BookingModificationResult:
    return BookingModificationResult(lead=lead, rooms=[r for _, _, r in results], positions=[p for p, _, _ in results])


def _charge_then_apply_all(charges: dict[int, PaymentAttempt], before: dict[int, tuple], gateway: PaymentGateway, *,
                           priced: dict[int, ModificationPlan], confirmation_number: str,
                           request: ModificationRequest, hotels, actor) -> BookingModificationResult:
    """Send every recorded charge; apply the whole change only once all went through, or give them all back."""
    with ExitStack() as stack:
        for charge in charges.values():  # this caller applies the change: the finisher leaves them alone
            stack.enter_context(claimed(charge))
        sent = {pk: attempts_send([charge], gateway, ask_again=True)[0] for pk, charge in charges.items()}
        failed = [c for c in sent.values() if c.state != PaymentAttempt.State.SUCCEEDED]
        if failed:
            for charge in sent.values():
                if charge.state == PaymentAttempt.State.SUCCEEDED:
                    compensate(charge, gateway)
            declined = next((c for c in failed if c.state == PaymentAttempt.State.FAILED), None)
            if declined is not None:
                raise PaymentFailed(declined.error_message or None, decline_code=declined.error_code or "card_declined")
            raise PaymentFailed(
                "We could not confirm the payment for this change, so the booking was not changed. If your card "
                "was charged, the amount is refunded automatically. Please try again in a few minutes.",
                decline_code="payment_pending", retry_action="RETRY_LATER")
        try:
            with transaction.atomic():
                rooms = _lock_rooms(confirmation_number, hotels)
                plans = _plan_rooms(rooms, request)  # a room cancelled meanwhile: 409
                if any(compensated(c) for c in sent.values()):
                    raise PaymentFailed("The payment for this change could not be confirmed in time, so the booking "
                                        "was not changed and the amount is being refunded. Please try again.",
                                        decline_code="payment_pending", retry_action="RETRY_LATER")
                if {r.pk for _, r, _ in plans} != set(before) or any(
                        _moved_since(r, plan, before[r.pk], charged=sent[r.pk].amount if r.pk in sent else ZERO)
                        for _, r, plan in plans):
                    raise ConcurrentModification(
                        "The booking was changed at the same moment, so this change was not applied and its "
                        "payment is being refunded. Please review the booking and try again.")
                refunds = _apply_rooms(plans, charges=sent, gateway=gateway, actor=actor, collect_payment=True)
        except Exception:
            # The money moved but the change did not: give every charge back (queued if refused for now).
            for charge in sent.values():
                compensate(charge, gateway)
            raise
    return _refunds_sent(rooms[0][1], plans, refunds, gateway, charges=sent, priced=priced)
