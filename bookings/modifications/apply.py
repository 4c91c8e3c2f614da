"""Applying a change and moving its money with no transaction open (see the package docstring)."""

import logging
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hotelbooking.errors import (
    ConcurrentModification,
    PaymentFailed,
    PriceChanged,
)
from hotelbooking.money import ZERO, round_money
from inventory.models import InventoryDay, nights_between
from inventory.services import inventory_release, inventory_reserve
from pricing.cancellation import check_in_instant, free_until

from .. import events
from ..extras import extras_store
from ..models import PaymentAttempt, Reservation, ReservationNight, Status
from ..payments import PaymentGateway
from ..payments.attempts import finisher
from ..services import (
    quote_totals,
    reservation_get,
    reservation_lock,
    reservation_save,
)
from ..services.ledger import (
    applied,
    attempts_send,
    charge_on_file_open,
    claimed,
    compensate,
    compensated,
    compensation_open,
    compensation_queue,
    is_claimed,
    next_step,
    refunded,
    refunds_open,
)
from .plan import (
    EXTRAS_CHANGE,
    OCCUPANCY_CHANGE,
    STEP,
    ModificationPlan,
    ModificationRequest,
    ModificationResult,
    modification_plan,
)

logger = logging.getLogger(__name__)


# --- applying --------------------------------------------------------------------------------------------

def reservation_modify(*, confirmation_number: str, request: ModificationRequest, gateway: PaymentGateway,
                       hotels=None, actor=None, collect_payment: bool = True) -> ModificationResult:
    """Change a confirmed reservation; its money moves with no transaction open (see the module docstring).

    Each short transaction locks the reservation row first (then inventory nights, in room type and date
    order), so a racing cancellation or modification waits for it, never for the gateway, and then sees the
    state it left. `collect_payment=False` is for bookings whose money a channel collects: prices and
    inventory change, no card is touched.
    """
    with transaction.atomic():
        reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels, for_update=True)
        plan = modification_plan(reservation=reservation, request=request)
        _expected_total_check(request, plan)
        if not plan.changes:
            return ModificationResult(plan=plan, reservation=reservation)
        orphans = _charges_in_flight(reservation)
        if orphans:  # their refunds are recorded now: price the change on what is left paid
            plan = modification_plan(reservation=reservation, request=request)
        # Never refund below what the guest owes now (the new total or the retained liability), nor more
        # than was paid: the plan read the payments under this transaction's lock.
        to_charge = plan.to_charge if collect_payment else ZERO
        if to_charge <= 0:
            to_refund = plan.to_refund if collect_payment else ZERO
            _apply_change(reservation, plan, actor=actor, charged=ZERO, refunded=to_refund)
            refunds = refunds_open(reservation=reservation, step=next_step(reservation, STEP, numbered=True),
                                   amount=to_refund, gateway=gateway) if to_refund > 0 else []
        else:
            _rehearse(reservation, plan)  # SOLD_OUT or RESTRICTED now, before the card is charged
            charge = charge_on_file_open(reservation=reservation, step=next_step(reservation, STEP, numbered=True),
                                         amount=to_charge, gateway=gateway)
            if charge is None:
                raise PaymentFailed("There is no card on file for this reservation.", decline_code="no_card_on_file")
            before = _as_priced(reservation, plan)
    attempts_send(orphans, gateway)
    if to_charge <= 0:
        refunds = attempts_send(refunds, gateway)  # the change has committed: it stands whatever the answer
        return ModificationResult(plan=plan, reservation=reservation, refunds=refunded(refunds), attempts=refunds)
    return _charge_then_apply(charge, gateway, plan=plan, before=before, confirmation_number=confirmation_number,
                              request=request, hotels=hotels, actor=actor)


def _expected_total_check(request: ModificationRequest, plan: ModificationPlan) -> None:
    if request.expected_total is not None and round_money(request.expected_total, plan.currency) != plan.new_total:
        raise PriceChanged(quote=plan.as_dict()["pricing_breakdown"],
                           expected_total=str(round_money(request.expected_total, plan.currency)),
                           new_total=str(plan.new_total))


class _Rehearsed(Exception):
    pass


def _rehearse(reservation: Reservation, plan: ModificationPlan) -> None:
    """Move the inventory as the change will, under the same locks, and undo it (a savepoint): whatever would
    refuse the change (a night sold out, an arrival restriction) refuses it before anything is charged."""
    try:
        with transaction.atomic():
            _move_inventory(reservation, plan)
            raise _Rehearsed
    except _Rehearsed:
        pass


def _as_priced(reservation: Reservation, plan: ModificationPlan) -> tuple:
    """What the change was priced on: if any of it differs when the charge is back, the change is not applied."""
    return (reservation.check_in, reservation.check_out, reservation.room_type_id, reservation.rate_plan_id,
            reservation.adults, reservation.children, reservation.grand_total, reservation.retained_amount,
            tuple(sorted((e.code, e.quantity) for e in reservation.extras.all())),
            plan.paid, plan.new_total, tuple(plan.changes))


def _moved_since(reservation: Reservation, now: ModificationPlan, before: tuple, *, charged: Decimal) -> bool:
    """Whether the reservation, re-planned (`now`) once its charge of `charged` is back, differs from what the
    change was priced on (`before`, from _as_priced)."""
    paid_before = None if now.paid is None else round_money(now.paid - charged, now.currency)
    return _as_priced(reservation, now)[:-3] != before[:-3] or \
        (paid_before, now.new_total, tuple(now.changes)) != before[-3:]


def _charge_then_apply(charge: PaymentAttempt, gateway: PaymentGateway, *, plan: ModificationPlan, before: tuple,
                       confirmation_number: str, request: ModificationRequest, hotels, actor) -> ModificationResult:
    """Send the recorded charge; apply the change only once it went through, or give it back."""
    with claimed(charge):  # this caller applies the change: the finisher leaves the charge alone meanwhile
        charge = attempts_send([charge], gateway, ask_again=True)[0]
        if charge.state == PaymentAttempt.State.FAILED:
            logger.info("Modification of %s: charge declined (%s)", confirmation_number, charge.error_code)
            raise PaymentFailed(charge.error_message or None, decline_code=charge.error_code or "card_declined")
        if charge.state != PaymentAttempt.State.SUCCEEDED:
            raise PaymentFailed(
                "We could not confirm the payment for this change, so the booking was not changed. If your card "
                "was charged, the amount is refunded automatically. Please try again in a few minutes.",
                decline_code="payment_pending", retry_action="RETRY_LATER")
        try:
            with transaction.atomic():
                reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels,
                                              for_update=True)
                now = modification_plan(reservation=reservation, request=request)  # cancelled meanwhile: 409
                if compensated(charge):  # settled elsewhere while we waited, and given back there
                    raise PaymentFailed("The payment for this change could not be confirmed in time, so the booking "
                                        "was not changed and the amount is being refunded. Please try again.",
                                        decline_code="payment_pending", retry_action="RETRY_LATER")
                if _moved_since(reservation, now, before, charged=charge.amount):
                    raise ConcurrentModification(
                        "The booking was changed at the same moment, so this change was not applied and its "
                        "payment is being refunded. Please review the booking and try again.")
                _apply_change(reservation, now, actor=actor, charged=charge.amount, refunded=ZERO, paid_by=charge)
        except Exception:
            # The money moved but the change did not: give it back (queued if the gateway refuses it for now).
            compensate(charge, gateway)
            raise
    return ModificationResult(plan=plan, reservation=reservation, charge=charge.payment)


def _apply_change(reservation: Reservation, plan: ModificationPlan, *, actor, charged: Decimal,
                  refunded: Decimal, paid_by: PaymentAttempt | None = None) -> None:
    """Inside the transaction holding the reservation: inventory, the stay, its history and its event (which
    names the charge that paid for the change, `paid_by`: the mark that the charge was applied)."""
    _move_inventory(reservation, plan)
    _apply(reservation, plan)
    reservation_save(reservation)
    reservation._record(Status.CONFIRMED, by=actor, note=_note(plan, charged, refunded))
    events.event_record(events.RESERVATION_MODIFIED, reservation=reservation,
                        payload=modified_payload(reservation, plan, charged=charged, refunded=refunded,
                                                 paid_by=paid_by))


def modified_payload(reservation: Reservation, plan: ModificationPlan, *, charged: Decimal, refunded: Decimal,
                     paid_by: PaymentAttempt | None = None, **extra) -> dict:
    """The ReservationModified event's payload: what changed, the money it moved, and `extra` keys."""
    c = plan.currency
    return {
        "modification": plan.modification, "changes": plan.changes, **extra,
        "guest_email": reservation.guest.email,
        "previous_check_in": plan.original_check_in.isoformat(),
        "previous_check_out": plan.original_check_out.isoformat(),
        "previous_room_type": plan.original_room_type.code,
        "previous_room_type_id": plan.original_room_type.pk,
        "previous_rate_plan": plan.original_rate_plan.code,
        "added_nights": [d.isoformat() for d in plan.added.nights],
        "removed_nights": [d.isoformat() for d in plan.removed.nights],
        "previous_total": str(plan.previous_total), "new_total": str(plan.new_total),
        "difference": str(round_money(plan.difference, c)),
        "charged": str(round_money(charged, c)), "refunded": str(round_money(refunded, c)),
        "currency": c, "payment_attempt": paid_by.pk if paid_by is not None else None}


@finisher(STEP)
def modification_finish(attempt: PaymentAttempt) -> None:
    """A modification's charge settled with nobody waiting to apply the change (its caller gave up on a lost
    answer, or the process died before the answer): the change was never made, so the money goes back.

    The refund is recorded here, due at once, and sent by the settle task (which knows the gateway) on its next
    run. Refunds of modifications need nothing more. Idempotent: one compensation per charge.
    """
    if attempt.operation != PaymentAttempt.Operation.CHARGE_SAVED or is_claimed(attempt):
        return
    if attempt.state != PaymentAttempt.State.SUCCEEDED:
        return
    with transaction.atomic():
        reservation_lock(attempt.reservation_id)  # against the caller applying it at this very moment
        if applied(attempt):
            return
        logger.warning("Modification charge %s settled with nobody to apply it: refunding it", attempt.pk)
        compensation_queue(attempt)


# --- charges of changes not applied yet ----------------------------------------------------------------------

# A charge that went through is applied within moments by the caller waiting on it; one neither applied nor
# given back after this long lost its caller (the process died between the answer and the change).
APPLY_GRACE = timedelta(minutes=5)


def _charges_in_flight(reservation: Reservation) -> list[PaymentAttempt]:
    """Inside the transaction holding the reservation: CONCURRENT_MODIFICATION (retryable) while another change's
    charge is out or about to be applied, so that changes that move money go one at a time and a change never
    has to be charged and given back because another one was applied first.

    A charge that went through but was neither applied nor given back within APPLY_GRACE lost its caller: its
    refund is recorded here (returned, to be sent after the commit) and the change goes ahead.
    """
    charges = PaymentAttempt.objects.filter(reservation=reservation, operation=PaymentAttempt.Operation.CHARGE_SAVED,
                                            step__startswith=f"{STEP}:", needs_attention=False)
    orphans = []
    for charge in charges.exclude(state=PaymentAttempt.State.FAILED):
        if charge.state == PaymentAttempt.State.SUCCEEDED and (applied(charge) or compensated(charge)):
            continue
        if charge.state == PaymentAttempt.State.SUCCEEDED and charge.settled_at and \
                timezone.now() - charge.settled_at > APPLY_GRACE:
            orphans.append(compensation_open(charge))
            continue
        raise ConcurrentModification(
            "A payment for another change of this booking is still being confirmed. Please try again in a few "
            "minutes.")
    return [o for o in orphans if o is not None]


def _note(plan: ModificationPlan, charged: Decimal, refunded: Decimal) -> str:
    q, c = plan.quote, plan.currency
    parts = [f"Modified ({', '.join(plan.changes)}):"]
    if plan.original_check_in != q.check_in or plan.original_check_out != q.check_out:
        parts.append(f"dates {plan.original_check_in}..{plan.original_check_out} -> {q.check_in}..{q.check_out};")
    if plan.room_type_changed:
        parts.append(f"room type -> {q.room_type.code};")
    if plan.rate_plan_changed:
        parts.append(f"rate plan -> {q.rate_plan.code};")
    if OCCUPANCY_CHANGE in plan.changes:
        parts.append(f"guests -> {q.adults} adults, {q.children} children;")
    if EXTRAS_CHANGE in plan.changes:
        chosen = ", ".join(f"{e.code} x {e.quantity}" for e in q.extra_lines if not e.included) or "none"
        parts.append(f"extras -> {chosen};")
    parts.append(f"total {plan.previous_total} -> {plan.new_total} {c}")
    if charged > 0:
        parts.append(f"; charged {round_money(charged, c)} to the card on file")
    elif refunded > 0:
        parts.append(f"; refunded {round_money(refunded, c)}")
    return " ".join(parts).replace(" ;", ";")


def _move_inventory(reservation: Reservation, plan: ModificationPlan) -> None:
    """Give back the removed nights and take the added ones, for `reservation.holder`."""
    q = plan.quote
    new_nights = [n.date for n in q.nights]
    old_type_id, new_type_id = plan.original_room_type.pk, q.room_type.id
    releasing = [n for n in nights_between(plan.original_check_in, plan.original_check_out)
                 if plan.room_type_changed or n in set(plan.removed.nights)]
    # Lock every night this change touches in one (room type, date) order, so that two modifications moving
    # nights in opposite directions cannot deadlock between the release and the reserve.
    touched = Q(room_type_id=new_type_id, date__in=new_nights)
    if releasing:
        touched |= Q(room_type_id=old_type_id, date__in=releasing)
    list(InventoryDay.objects.select_for_update().filter(touched).order_by("room_type_id", "date")
         .values_list("pk", flat=True))
    if plan.room_type_changed:
        inventory_release(holder=reservation.holder)
    elif releasing:
        inventory_release(holder=reservation.holder, nights=releasing, room_type_id=old_type_id)
    # A new arrival day or room type must respect arrival/departure restrictions like a booking; an extension
    # of a stay already under way in its room type only needs rooms.
    restrict = (plan.room_type_changed or q.check_in != plan.original_check_in) and not plan.overbook
    inventory_reserve(room_type=q.room_type, nights=new_nights, rooms=reservation.room_count,
                      holder=reservation.holder, enforce_restrictions=restrict, check_out=q.check_out,
                      overbook=plan.overbook)


def _apply(reservation: Reservation, plan: ModificationPlan) -> None:
    q = plan.quote
    reservation.check_in, reservation.check_out = q.check_in, q.check_out
    if q.child_ages:
        reservation.child_ages = list(q.child_ages)
    if (q.adults, q.children) != (reservation.adults, reservation.children):
        if len(reservation.child_ages or []) != q.children:
            reservation.child_ages = []
        reservation.adults, reservation.children = q.adults, q.children
    reservation.room_type, reservation.rate_plan = q.room_type, q.rate_plan
    if plan.repriced_all_nights:
        reservation.promotion = q.promotion
    for name, value in quote_totals(q).items():
        setattr(reservation, name, value)
    reservation.retain(plan.retained)
    reservation.cancellation_policy = plan.policy_snapshot
    reservation.free_until = free_until(
        plan.policy_snapshot, check_in_instant(q.check_in, reservation.hotel.check_in_time,
                                               reservation.hotel.timezone))
    booked = {n.date: n for n in reservation.nights.all()}
    new = {n.date: n for n in q.nights}
    ReservationNight.objects.filter(reservation=reservation, date__in=[d for d in booked if d not in new]).delete()
    to_create = []
    for night_date, price in new.items():
        row = booked.get(night_date)
        if row is None:
            to_create.append(ReservationNight(reservation=reservation, date=night_date, rate=price.rate,
                                              rate_plan_discount=price.rate_plan_discount,
                                              promotion_discount=price.promotion_discount))
        elif (row.rate, row.rate_plan_discount, row.promotion_discount) != (
                price.rate, price.rate_plan_discount, price.promotion_discount):
            row.rate, row.rate_plan_discount = price.rate, price.rate_plan_discount
            row.promotion_discount = price.promotion_discount
            row.save(update_fields=["rate", "rate_plan_discount", "promotion_discount"])
    ReservationNight.objects.bulk_create(to_create)
    extras_store(reservation, q)
