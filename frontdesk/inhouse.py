"""Changing a stay under way: a new departure (extension or early departure), a new party, and the desk's
late check-out and early check-in fees.

The money rule for a checked-in guest: nothing moves on the card now. A change becomes the reservation's new
nights and totals (priced by bookings.modifications.in_house: past nights frozen, added nights at today's
rates); the night audit posts the nights from them, so the folio balance carries the difference and check-out
settles it (charging the card on file, or refunding a credit) like any other balance. Guests are at the desk,
and one settlement at the end beats a charge or refund per change. The early-departure fee of the rate plan
(RatePlan.early_departure_fee) and the desk fees are folio lines, settled the same way.

Each use case is one transaction. Locks in the usual order: the reservation row, room rows by id, inventory
nights by (room type, date).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Reservation, Status
from bookings.modifications import ModificationPlan
from bookings.modifications.in_house import in_house_apply, in_house_plan
from bookings.services import reservation_get
from hotelbooking.errors import InvalidState, PriceChanged, RoomNotAvailable, ValidationFailed
from hotelbooking.money import ZERO, fmt, round_money
from inventory.models import InventoryDay, Room
from inventory.services import inventory_release, inventory_reserve
from pricing.cancellation import check_in_instant, compute_penalty
from pricing.models import RatePlan
from pricing.search import hotel_today

from .folio import Posting
from .models import FolioLine, RoomAssignment
from .selectors import out_of_order_overlapping, stay_plan
from .services import _post_line, _reservation_locked, clean_code

ED = RatePlan.EarlyDeparture
RESTATE_KEY = "restate"


# --- the folio after a change ------------------------------------------------------------------------------

def folio_restate(reservation: Reservation, *, actor=None) -> FolioLine | None:
    """After the stay's totals changed with some nights already posted: the posted nights keep their lines, the
    nights to come follow the new totals, and whatever the two leave between them (a tax's rounding remainder
    that now falls on a night already posted, a per-guest fee spread anew over the nights) is one correcting
    line, so that at check-out the stay's postings still add up to exactly its grand total. Idempotent: nothing
    when they already do."""
    lines = FolioLine.objects.filter(reservation=reservation)
    posted_keys = set(lines.exclude(posting_key="").values_list("posting_key", flat=True))
    stay_lines = lines.filter(posting_key__startswith="night:") | lines.filter(posting_key__startswith=RESTATE_KEY)
    posted = stay_lines.aggregate(s=Sum("amount"))["s"] or ZERO
    pending = sum((p.amount for p in stay_plan(reservation) if p.key not in posted_keys), ZERO)
    delta = round_money(reservation.grand_total - posted - pending, reservation.currency)
    if not delta or not any(k.startswith("night:") for k in posted_keys):
        return None
    n = sum(1 for k in posted_keys if k.startswith(RESTATE_KEY)) + 1
    return _post_line(reservation, kind=FolioLine.Kind.CORRECTION, amount=delta,
                      description="Adjustment of the nights already posted, after the stay changed",
                      business_date=hotel_today(reservation.hotel), actor=actor, key=f"{RESTATE_KEY}:{n}")


# --- early departure ---------------------------------------------------------------------------------------

def _nightly(postings: list[Posting]) -> dict[date, Decimal]:
    totals: dict[date, Decimal] = {}
    for p in postings:
        totals[p.night] = totals.get(p.night, ZERO) + p.amount
    return totals


def early_departure_fee(reservation: Reservation, removed: list[date]) -> tuple[Decimal, str]:
    """What the rate plan charges for the nights given up, and how it is described (the stay as booked)."""
    rule = reservation.rate_plan.early_departure_fee
    currency = reservation.currency
    if not removed or rule == ED.NONE:
        return round_money(ZERO, currency), ""
    nightly = _nightly(stay_plan(reservation))
    dropped = [nightly.get(d, ZERO) for d in sorted(removed)]
    n = len(dropped)
    if rule == ED.ONE_NIGHT:
        return round_money(dropped[0], currency), f"Early departure: one night ({removed[0]:%a %b} {removed[0].day})"
    if rule == ED.REMAINING_NIGHTS:
        return round_money(sum(dropped, ZERO), currency), \
            f"Early departure: the {n} night{'s' if n != 1 else ''} not stayed"
    hotel = reservation.hotel
    quote = compute_penalty(snapshot=reservation.cancellation_policy or {},
                            checkin_at=check_in_instant(min(removed), hotel.check_in_time, hotel.timezone),
                            at=timezone.now(), total=sum(dropped, ZERO), nightly_totals=dropped, paid=ZERO,
                            currency=currency)
    return round_money(quote.penalty, currency), \
        f"Early departure: cancellation policy on the {n} night{'s' if n != 1 else ''} not stayed " \
        f"({quote.penalty_description})"


# --- changing the dates or the party ------------------------------------------------------------------------

@dataclass
class StayChange:
    plan: ModificationPlan
    fee: Decimal                 # the early-departure fee (posted as a PENALTY line)
    fee_description: str
    fee_line: FolioLine | None = None

    @property
    def currency(self) -> str:
        return self.plan.currency

    @property
    def difference(self) -> Decimal:
        """What the guest's bill moves by: the stay's new total against the old, plus any fee."""
        return round_money(self.plan.difference + self.fee, self.currency)

    def as_dict(self) -> dict:
        data = self.plan.as_dict()
        c = self.currency
        data["early_departure_fee"] = {"amount": str(round_money(self.fee, c)), "description": self.fee_description}
        data["folio_difference"] = str(self.difference)
        data["settled"] = "AT_CHECK_OUT"
        return data


def _plan(reservation: Reservation, today: date, check_out, adults, children) -> StayChange:
    plan = in_house_plan(reservation=reservation, today=today, check_out=check_out, adults=adults,
                         children=children)
    fee, text = early_departure_fee(reservation, plan.removed.nights)
    return StayChange(plan=plan, fee=fee, fee_description=text)


def stay_change_quote(*, confirmation_number: str, check_out=None, adults=None, children=None,
                      hotels=None) -> StayChange:
    """What changing the stay under way would do, as of now. Writes nothing."""
    reservation = reservation_get(confirmation_number=clean_code(confirmation_number), hotels=hotels)
    return _plan(reservation, hotel_today(reservation.hotel), check_out, adults, children)


def _rooms_free_for(reservation: Reservation, assignments: list[RoomAssignment], start: date, end: date) -> None:
    """The stay's own rooms free for the added nights [start, end): ROOM_NOT_AVAILABLE naming who has one."""
    ids = [a.room_id for a in assignments]
    list(Room.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("id").values_list("pk", flat=True))
    clash = (RoomAssignment.objects.filter(room_id__in=ids, start_date__lt=end, end_date__gt=start)
             .exclude(reservation=reservation).select_related("room", "reservation").first())
    if clash is not None:
        raise RoomNotAvailable(
            f"Room {clash.room.number} is given to reservation {clash.reservation.confirmation_number} from "
            f"{clash.start_date:%B %-d, %Y}: the stay cannot be extended in it. Move the guest to a free room "
            "first, or extend by fewer nights.", room=clash.room.number, room_status=clash.room.status)
    blocked = out_of_order_overlapping(start, end).filter(room_id__in=ids).select_related("room").first()
    if blocked is not None:
        raise RoomNotAvailable(
            f"Room {blocked.room.number} is out of order from {blocked.start_date:%B %-d, %Y} ({blocked.reason}).",
            room=blocked.room.number, room_status=Room.Status.OUT_OF_ORDER)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("expected_total must be an amount, e.g. 871.92.", field="expected_total") from None
    if not amount.is_finite():
        raise ValidationFailed("expected_total must be an amount, e.g. 871.92.", field="expected_total")
    return amount


def _note(change: StayChange) -> str:
    plan, c = change.plan, change.currency
    q = plan.quote
    parts = [f"Changed in house ({', '.join(plan.changes)}):"]
    if plan.original_check_out != q.check_out:
        parts.append(f"departure {plan.original_check_out} -> {q.check_out};")
    if (q.adults, q.children) != (plan.reservation.adults, plan.reservation.children) or \
            "OCCUPANCY_CHANGE" in plan.changes:
        parts.append(f"guests -> {q.adults} adults, {q.children} children;")
    parts.append(f"total {plan.previous_total} -> {plan.new_total} {c}")
    if change.fee:
        parts.append(f"; early-departure fee {round_money(change.fee, c)}")
    parts.append("; settled at check-out")
    return " ".join(parts).replace(" ;", ";")


def stay_change(*, confirmation_number: str, check_out=None, adults=None, children=None,
                expected_total=None, hotels=None, actor=None) -> StayChange:
    """Extend or shorten a checked-in stay, or change its party, in one transaction (see the module docstring).

    Extension: added nights at today's rates, the rooms taken in inventory and the room assignments extended
    (ROOM_NOT_AVAILABLE if a room of the stay is taken for an added night, SOLD_OUT if the type has no room).
    Early departure: the nights after the new departure given back, the assignments shortened, the rate plan's
    early-departure fee posted. `expected_total` (the new total the desk was shown): PRICE_CHANGED if it moved.
    """
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        today = hotel_today(reservation.hotel)
        change = _plan(reservation, today, check_out, adults, children)
        plan = change.plan
        if expected_total not in (None, "") and \
                round_money(_amount(expected_total), plan.currency) != plan.new_total:
            raise PriceChanged(quote=plan.as_dict()["pricing_breakdown"], expected_total=str(expected_total),
                               new_total=str(plan.new_total))
        if not plan.changes:
            return change
        old_out, new_out = reservation.check_out, plan.quote.check_out
        assignments = list(RoomAssignment.objects.select_for_update().filter(
            reservation=reservation, released_at__isnull=True).order_by("room_id"))
        if new_out > old_out:
            _rooms_free_for(reservation, assignments, old_out, new_out)
            list(InventoryDay.objects.select_for_update().filter(room_type=reservation.room_type,
                                                                   date__in=plan.added.nights)
                 .order_by("date").values_list("pk", flat=True))
            inventory_reserve(room_type=reservation.room_type, nights=plan.added.nights,
                              rooms=reservation.room_count, holder=reservation.holder)
        elif plan.removed.nights:
            inventory_release(holder=reservation.holder, nights=plan.removed.nights,
                              room_type_id=reservation.room_type_id)
        in_house_apply(reservation, plan, actor=actor, note=_note(change))
        if new_out != old_out:
            try:
                with transaction.atomic():
                    for a in assignments:
                        RoomAssignment.objects.filter(pk=a.pk).update(end_date=max(a.start_date, new_out))
            except IntegrityError:  # the PostgreSQL exclusion constraint: another desk was faster
                raise RoomNotAvailable("The room was just given to another stay for those nights. Please try "
                                       "again.", retryable=True) from None
        if change.fee > 0:
            change.fee_line = _post_line(reservation, kind=FolioLine.Kind.PENALTY, amount=change.fee,
                                         description=change.fee_description, business_date=today, actor=actor)
        folio_restate(reservation, actor=actor)
    return change


# --- late check-out and early check-in fees ----------------------------------------------------------------

DESK_FEES = {
    "LATE_CHECK_OUT": ("late_check_out_fee", "late-check-out", "Late check-out"),
    "EARLY_CHECK_IN": ("early_check_in_fee", "early-check-in", "Early check-in"),
}


def desk_fee_post(*, confirmation_number: str, fee: str, hotels=None, actor=None) -> FolioLine:
    """Post the hotel's late check-out or early check-in fee to a checked-in guest's folio, once per stay.

    INVALID_STATE if the guest is not checked in or the fee is already on the folio (a fee reversed by a
    correcting line may be posted again); VALIDATION_ERROR if the hotel does not offer it.
    """
    fee = (fee or "").strip().upper()
    if fee not in DESK_FEES:
        raise ValidationFailed(f"fee must be one of {', '.join(DESK_FEES)}.", field="fee")
    field, key, label = DESK_FEES[fee]
    with transaction.atomic():
        reservation = _reservation_locked(confirmation_number, hotels)
        if reservation.status != Status.CHECKED_IN:
            raise InvalidState(f"The {label.lower()} fee is posted for checked-in guests only.",
                               state=reservation.status)
        amount = getattr(reservation.hotel, field)
        if amount is None or amount <= 0:
            raise ValidationFailed(f"{reservation.hotel.name} does not offer a {label.lower()} fee: set it in the "
                                   "hotel's settings first.", field="fee")
        earlier = list(FolioLine.objects.filter(reservation=reservation, posting_key__startswith=key)
                       .order_by("pk"))
        standing = next((line for line in earlier if _not_reversed(line)), None)
        if standing is not None:
            raise InvalidState(f"The {label.lower()} fee is already on the folio "
                               f"({fmt(standing.amount, standing.currency)}, posted {standing.business_date:%B %-d}).",
                               line=standing.pk)
        return _post_line(reservation, kind=FolioLine.Kind.OTHER, amount=amount, description=f"{label} fee",
                          business_date=hotel_today(reservation.hotel), actor=actor,
                          key=key if not earlier else f"{key}:{len(earlier) + 1}")


def _not_reversed(line: FolioLine) -> bool:
    try:
        return line.reversed_by is None
    except FolioLine.DoesNotExist:
        return True
