"""Bulk edits from the rates calendar: preview, apply (one transaction, one history entry), undo.

An edit names nights (a range of dates, some weekdays), room types, for prices the base plans, and one action.
Prices are written as the base plan's rate overrides (derived plans follow their parent, as in every quote);
rooms to sell and restrictions are columns of the nights' InventoryDay rows (restrictions belong to the room
type, whatever the plan). Writes are bulk statements, a few per thousand cells; the channels hear of it through
one InventoryChanged outbox event, coalesced into their ARI messages like every other change.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookings import events
from hotelbooking.errors import InvalidState, PreviewOutdated, RateNotAvailable, UndoConflict, ValidationFailed
from hotelbooking.money import percent_of, round_money
from inventory.models import Hotel, InventoryDay, RoomType
from pricing.engine import PricingContext, night_price
from pricing.models import Rate, RateOverride, RatePlan

from .models import CalendarEdit

Action = CalendarEdit.Action
PRICE = "price"
PRICE_ACTIONS = frozenset({Action.PRICE_SET, Action.PRICE_ADD, Action.PRICE_PERCENT})
COLUMN = {
    Action.ROOMS_TO_SELL: "rooms_to_sell", Action.CLOSE: "stop_sell", Action.OPEN: "stop_sell",
    Action.MIN_STAY: "min_stay", Action.MAX_STAY: "max_stay", Action.CTA_ON: "closed_to_arrival",
    Action.CTA_OFF: "closed_to_arrival", Action.CTD_ON: "closed_to_departure", Action.CTD_OFF: "closed_to_departure",
    Action.MIN_ADVANCE: "min_advance_days", Action.MAX_ADVANCE: "max_advance_days",
}
FIXED = {Action.CLOSE: True, Action.OPEN: False, Action.CTA_ON: True, Action.CTA_OFF: False,
         Action.CTD_ON: True, Action.CTD_OFF: False}
# Columns whose value must stay on the right side of another's (the database's CHECK constraints say the same).
ORDERED = {"min_stay": ("max_stay", "<=", "maximum stay"), "max_stay": ("min_stay", ">=", "minimum stay"),
           "min_advance_days": ("max_advance_days", "<=", "maximum advance booking"),
           "max_advance_days": ("min_advance_days", ">=", "minimum advance booking")}
MAX_NIGHTS = 366
BATCH = 1000
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class EditRequest:
    """What the revenue manager asked: nights start..end (both included) on `weekdays` (0 = Monday)."""

    start: date
    end: date
    weekdays: frozenset[int]
    room_type_ids: tuple[int, ...]
    rate_plan_ids: tuple[int, ...]
    action: str
    value: str = ""

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "weekdays": sorted(self.weekdays),
                "room_type_ids": list(self.room_type_ids), "rate_plan_ids": list(self.rate_plan_ids),
                "action": self.action, "value": self.value}

    @property
    def nights(self) -> list[date]:
        days = (self.end - self.start).days + 1
        return [d for d in (self.start + timedelta(days=i) for i in range(days)) if d.weekday() in self.weekdays]


@dataclass(frozen=True)
class CellChange:
    field: str                     # PRICE or the InventoryDay column
    room_type: RoomType
    rate_plan: RatePlan | None     # the plan whose price changes (None for inventory columns)
    date: date
    before: object                 # as the calendar shows it: the night's price, or the column's value
    after: object
    stored_before: object = None   # what undo puts back: the override amount (None: no override) or the value
    follows: bool = False          # a derived plan's price, moving with its parent

    def record(self) -> list:
        value = (lambda v: None if v is None else str(v)) if self.field == PRICE else (lambda v: v)
        return [self.field, self.room_type.pk, self.rate_plan.pk if self.rate_plan else None,
                self.date.isoformat(), value(self.stored_before), value(self.after)]


@dataclass
class EditPreview:
    hotel: Hotel
    request: EditRequest
    summary: str
    changes: list[CellChange]
    followers: list[CellChange] = field(default_factory=list)
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        """Fingerprint of every change (before and after): applying checks the cells are as previewed."""
        rows = sorted(repr(c.record()) for c in self.changes)
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:20]

    @property
    def is_price(self) -> bool:
        return self.request.action in PRICE_ACTIONS


# --- reading and checking the request --------------------------------------------------------------------

def _int_value(request: EditRequest, *, least: int) -> int | None:
    text = (request.value or "").strip()
    if not text:
        return None  # empty: lift the restriction (or the cap)
    try:
        number = int(text)
    except ValueError:
        raise ValidationFailed("Give a whole number, or leave it empty to lift it.", field="value") from None
    if not least <= number <= 32767:
        raise ValidationFailed(f"Give a whole number from {least}, or leave it empty to lift it.", field="value")
    return number


def _decimal_value(request: EditRequest, currency: str) -> Decimal:
    text = (request.value or "").strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("Give an amount such as 189.00 (or -10 to lower a price).", field="value") from None
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        raise ValidationFailed("That amount is out of range.", field="value")
    if request.action == Action.PRICE_SET and number < 0:
        raise ValidationFailed("A price cannot be negative.", field="value")
    if request.action == Action.PRICE_PERCENT:
        if number <= -100:
            raise ValidationFailed("A price can come down by less than 100%.", field="value")
        return number
    return round_money(number, currency)


def _validated(hotel: Hotel, request: EditRequest) -> tuple[list[date], list[RoomType], list[RatePlan]]:
    if request.action not in Action.values:
        raise ValidationFailed("Choose what to change.", field="action")
    if request.end < request.start:
        raise ValidationFailed("The last night is before the first.", field="end")
    if (request.end - request.start).days >= MAX_NIGHTS:
        raise ValidationFailed(f"Change at most {MAX_NIGHTS} nights at a time.", field="end")
    if request.start < hotel.today():
        raise ValidationFailed("Past nights cannot be changed.", field="start")
    if not request.weekdays or not request.weekdays <= set(range(7)):
        raise ValidationFailed("Choose at least one weekday.", field="weekdays")
    nights = request.nights
    if not nights:
        raise ValidationFailed("No night in these dates falls on the chosen weekdays.", field="weekdays")
    room_types = list(RoomType.objects.filter(hotel=hotel, pk__in=request.room_type_ids)
                      .order_by("sort_order", "code"))
    if not room_types or len(room_types) != len(set(request.room_type_ids)):
        raise ValidationFailed("Choose at least one of this hotel's room types.", field="room_types")
    plans = []
    if request.action in PRICE_ACTIONS:
        plans = list(RatePlan.objects.filter(hotel=hotel, pk__in=request.rate_plan_ids).select_related("parent")
                     .order_by("code"))
        if not plans or len(plans) != len(set(request.rate_plan_ids)):
            raise ValidationFailed("Choose the rate plans whose price changes.", field="rate_plans")
        derived = next((p for p in plans if p.parent_id), None)
        if derived is not None:
            raise ValidationFailed(f"{derived.code} follows {derived.parent.code}: change {derived.parent.code}'s "
                                   f"price and {derived.code} moves with it.", field="rate_plans")
    return nights, room_types, plans


def _summary(request: EditRequest, nights: list[date], room_types, plans, currency: str) -> str:
    action = Action(request.action)
    value = (request.value or "").strip()
    if request.action in FIXED:
        what = action.label
    elif request.action == Action.PRICE_PERCENT:
        what = f"{action.label}: {value}%"
    elif request.action in PRICE_ACTIONS:
        what = f"{action.label}: {value} {currency}"
    else:
        what = f"{action.label}: {value or 'none (lifted)'}"
    days = "every day" if len(request.weekdays) == 7 else ", ".join(WEEKDAY_NAMES[d] for d in sorted(request.weekdays))
    where = ", ".join(rt.code for rt in room_types)
    if plans:
        where += " on " + ", ".join(p.code for p in plans)
    return (f"{what} · {len(nights)} night{'s' if len(nights) != 1 else ''} from {request.start} to {request.end} "
            f"({days}) · {where}")[:500]


# --- preview ---------------------------------------------------------------------------------------------

def edit_preview(*, hotel: Hotel, request: EditRequest, lock: bool = False) -> EditPreview:
    """Every cell the edit would change, before and after, writing nothing. ValidationFailed says what is wrong
    with the request (the field it names is the form's). `lock` (inside apply) locks the nights it reads."""
    nights, room_types, plans = _validated(hotel, request)
    summary = _summary(request, nights, room_types, plans, hotel.currency)
    if request.action in PRICE_ACTIONS:
        return _price_preview(hotel, request, nights, room_types, plans, summary)
    return _inventory_preview(hotel, request, nights, room_types, summary, lock=lock)


def _price_preview(hotel, request, nights, room_types, plans, summary) -> EditPreview:
    currency = hotel.currency
    value = _decimal_value(request, currency)
    ids = [rt.pk for rt in room_types]
    first, last = nights[0], nights[-1]
    seasons: dict[int, dict[int, list[Rate]]] = defaultdict(lambda: defaultdict(list))
    for rate in (Rate.objects.filter(rate_plan__in=plans, room_type_id__in=ids, start_date__lte=last,
                                     end_date__gte=first).order_by("-start_date", "-id")):
        seasons[rate.rate_plan_id][rate.room_type_id].append(rate)
    overrides: dict[int, dict[tuple[int, date], Decimal]] = defaultdict(dict)
    for o in RateOverride.objects.filter(rate_plan__in=plans, room_type_id__in=ids, date__in=nights):
        overrides[o.rate_plan_id][(o.room_type_id, o.date)] = o.amount
    children = defaultdict(list)
    for child in RatePlan.objects.filter(parent__in=plans, is_active=True).select_related("parent").order_by("code"):
        children[child.parent_id].append(child)

    changes, followers, unchanged, no_rate = [], [], 0, 0
    for plan in plans:
        ctx = PricingContext(hotel=hotel, rate_plan=plan, policy_snapshot={}, seasons=seasons[plan.pk],
                             overrides=overrides[plan.pk], taxes=[], fees=[])
        new: dict[tuple[int, date], Decimal] = {}
        for rt in room_types:
            for night in nights:
                try:
                    before = night_price(ctx, rt, night).rate
                except RateNotAvailable:
                    before = None
                if before is None and request.action != Action.PRICE_SET:
                    no_rate += 1
                    continue
                if request.action == Action.PRICE_SET:
                    after = value
                elif request.action == Action.PRICE_ADD:
                    after = before + value
                else:
                    after = before + percent_of(before, value, currency)
                if after < 0:
                    raise ValidationFailed(f"{rt.code} on {plan.code} would cost {after} on {night}: a price "
                                           "cannot go below zero.", field="value")
                if after == before:
                    unchanged += 1
                    continue
                new[(rt.pk, night)] = after
                changes.append(CellChange(PRICE, rt, plan, night, before, after,
                                          stored_before=overrides[plan.pk].get((rt.pk, night))))
        if new:
            followers += _followers(children[plan.pk], ctx, new, room_types)
    notes = [f"{no_rate} night{'s have' if no_rate != 1 else ' has'} no rate loaded to add to: left as they are."] \
        if no_rate else []
    return EditPreview(hotel, request, summary, changes, followers, unchanged, notes)


def _followers(children: list[RatePlan], ctx: PricingContext, new: dict, room_types) -> list[CellChange]:
    """The derived plans' prices that move with their parent's new prices."""
    out = []
    by_id = {rt.pk: rt for rt in room_types}
    after_overrides = {**ctx.overrides, **new}
    for child in children:
        before_ctx = replace(ctx, rate_plan=child)
        after_ctx = replace(ctx, rate_plan=child, overrides=after_overrides)
        for (rt_id, night) in sorted(new, key=lambda k: (by_id[k[0]].sort_order, by_id[k[0]].code, k[1])):
            rt = by_id[rt_id]
            try:
                before = night_price(before_ctx, rt, night).net
            except RateNotAvailable:
                before = None
            out.append(CellChange(PRICE, rt, child, night, before, night_price(after_ctx, rt, night).net,
                                  follows=True))
    return out


def _inventory_preview(hotel, request, nights, room_types, summary, *, lock: bool) -> EditPreview:
    column = COLUMN[request.action]
    if request.action in FIXED:
        after = FIXED[request.action]
    else:
        after = _int_value(request, least=1 if column in ("min_stay", "max_stay") else 0)
    rows = InventoryDay.objects.filter(room_type__in=room_types, date__in=nights).order_by("room_type_id", "date")
    if lock:  # the order every inventory lock takes: room type, then date
        rows = rows.select_for_update()
    days = {(d.room_type_id, d.date): d for d in rows}
    changes, unchanged, closed, oversold = [], 0, 0, 0
    for rt in room_types:
        for night in nights:
            day = days.get((rt.pk, night))
            if day is None:
                closed += 1
                continue
            before = getattr(day, column)
            if before == after:
                unchanged += 1
                continue
            _check_order(day, column, after, rt)
            if column == "rooms_to_sell" and after is not None and day.sold > after:
                oversold += 1
            changes.append(CellChange(column, rt, None, night, before, after, stored_before=before))
    notes = []
    if closed:
        notes.append(f"{closed} night{'s have' if closed != 1 else ' has'} no inventory open: left out "
                     "(open the inventory first).")
    if oversold:
        notes.append(f"On {oversold} night{'s' if oversold != 1 else ''} more rooms are already sold than the new "
                     "number to sell: those bookings stay, and nothing more is sold.")
    return EditPreview(hotel, request, summary, changes, [], unchanged, notes)


def _check_order(day: InventoryDay, column: str, after, rt: RoomType) -> None:
    if column not in ORDERED or after is None:
        return
    other, sense, name = ORDERED[column]
    limit = getattr(day, other)
    if limit is not None and (after > limit if sense == "<=" else after < limit):
        raise ValidationFailed(f"{rt.code} on {day.date} has a {name} of {limit}: change that first.",
                               field="value")


# --- apply and undo --------------------------------------------------------------------------------------

def _lock_hotel(hotel: Hotel) -> None:
    # One calendar edit (or undo) at a time per hotel: before values read and written under the same lock.
    list(Hotel.objects.select_for_update().filter(pk=hotel.pk).values_list("pk", flat=True))


def edit_apply(*, hotel: Hotel, request: EditRequest, user=None, expected_digest: str | None = None
               ) -> CalendarEdit:
    """Apply the edit in one transaction and record it, with every replaced value, as one history entry.

    PREVIEW_OUTDATED (nothing written) when `expected_digest` is given and the cells are no longer as
    previewed. Queues the changed nights for the channels (one InventoryChanged event).
    """
    with transaction.atomic():
        _lock_hotel(hotel)
        preview = edit_preview(hotel=hotel, request=request, lock=True)
        if expected_digest is not None and preview.digest != expected_digest:
            raise PreviewOutdated()
        if not preview.changes:
            raise ValidationFailed("Nothing would change: every chosen night already has that value.",
                                   field="value")
        _write([(c.field, c.rate_plan.pk if c.rate_plan else None, c.room_type.pk, c.date, c.after)
                for c in preview.changes])
        edit = CalendarEdit.objects.create(
            hotel=hotel, created_by=user if getattr(user, "is_authenticated", False) else None,
            action=request.action, summary=preview.summary, request=request.as_dict(),
            cells=[c.record() for c in preview.changes], cell_count=len(preview.changes))
        _queue_ari(hotel, preview.changes)
    return edit


def edit_undo(*, hotel: Hotel, edit_id: int, user=None) -> CalendarEdit:
    """Put back every value the edit replaced, if none of its cells has been changed again since (UNDO_CONFLICT
    names them otherwise, and nothing is written). An edit is undone once (INVALID_STATE after)."""
    with transaction.atomic():
        _lock_hotel(hotel)
        edit = CalendarEdit.objects.select_for_update().filter(hotel=hotel, pk=edit_id).first()
        if edit is None:
            raise ValidationFailed("No such edit of this hotel's calendar.")
        if edit.undone_at is not None:
            when = timezone.localtime(edit.undone_at, hotel.tz)
            raise InvalidState(f"This edit was already undone on {when:%Y-%m-%d %H:%M}.")
        cells = [(f, plan, rt, date.fromisoformat(d), before, after) for f, rt, plan, d, before, after in edit.cells]
        conflicts = _changed_since(cells)
        if conflicts:
            shown = "; ".join(conflicts[:3]) + (f" and {len(conflicts) - 3} more" if len(conflicts) > 3 else "")
            raise UndoConflict(f"These nights were changed again after this edit: {shown}. Change them back by "
                               "hand, or make a new edit.", cells=len(conflicts))
        _write([(f, plan, rt, d, _typed(f, before)) for f, plan, rt, d, before, _ in cells])
        edit.undone_at, edit.undone_by = timezone.now(), user if getattr(user, "is_authenticated", False) else None
        edit.save(update_fields=["undone_at", "undone_by"])
        room_types = {rt.pk: rt for rt in RoomType.objects.filter(pk__in={c[2] for c in cells})}
        _queue_ari(hotel, [CellChange(f, room_types[rt], None, d, None, None) for f, _, rt, d, _, _ in cells])
    return edit


def _typed(column: str, value):
    return Decimal(value) if column == PRICE and value is not None else value


def _changed_since(cells) -> list[str]:
    """The cells whose value now is not the one the edit left."""
    conflicts = []
    price_cells = [c for c in cells if c[0] == PRICE]
    if price_cells:
        plans, rts, dates = ({c[i] for c in price_cells} for i in (1, 2, 3))
        now = {(o.rate_plan_id, o.room_type_id, o.date): o.amount for o in RateOverride.objects.filter(
            rate_plan_id__in=plans, room_type_id__in=rts, date__in=dates)}
        codes = dict(RatePlan.objects.filter(pk__in=plans).values_list("pk", "code"))
        rt_codes = dict(RoomType.objects.filter(pk__in=rts).values_list("pk", "code"))
        for _, plan, rt, d, _, after in price_cells:
            current = now.get((plan, rt, d))
            if current is None or current != Decimal(after):
                now_is = "a season's price" if current is None else current
                conflicts.append(f"{rt_codes[rt]} {codes[plan]} {d} (now {now_is})")
    day_cells = [c for c in cells if c[0] != PRICE]
    if day_cells:
        rts, dates = {c[2] for c in day_cells}, {c[3] for c in day_cells}
        locked = (InventoryDay.objects.select_for_update(of=("self",)).filter(room_type_id__in=rts, date__in=dates)
                  .select_related("room_type").order_by("room_type_id", "date"))
        rows = {(d.room_type_id, d.date): d for d in locked}
        for column, _, rt, d, _, after in day_cells:
            row = rows.get((rt, d))
            if row is None or getattr(row, column) != after:
                name = row.room_type.code if row else f"room type {rt}"
                conflicts.append(f"{name} {d} ({column.replace('_', ' ')} now "
                                 f"{getattr(row, column) if row else 'closed'})")
    return conflicts


def _write(cells) -> None:
    """cells: (column, plan id, room type id, date, value). Prices become overrides of the base plan (a None
    price removes the override: the season prices the night again); columns are set in one UPDATE per value."""
    prices = [c for c in cells if c[0] == PRICE]
    upsert = [RateOverride(rate_plan_id=plan, room_type_id=rt, date=d, amount=value)
              for _, plan, rt, d, value in prices if value is not None]
    if upsert:
        RateOverride.objects.bulk_create(upsert, batch_size=BATCH, update_conflicts=True,
                                         unique_fields=["rate_plan", "room_type", "date"], update_fields=["amount"])
    removed = defaultdict(list)
    for _, plan, rt, d, value in prices:
        if value is None:
            removed[(plan, rt)].append(d)
    if removed:
        which = Q(pk__in=[])
        for (plan, rt), dates in removed.items():
            which |= Q(rate_plan_id=plan, room_type_id=rt, date__in=dates)
        # A raw delete: the per-row delete signals would each queue ARI, which _queue_ari does once for all.
        RateOverride.objects.filter(which)._raw_delete(RateOverride.objects.db)
    columns = defaultdict(list)
    for column, _, rt, d, value in cells:
        if column != PRICE:
            columns[(column, value)].append((rt, d))
    for (column, value), keys in columns.items():
        by_type = defaultdict(list)
        for rt, d in keys:
            by_type[rt].append(d)
        which = Q(pk__in=[])
        for rt, dates in by_type.items():
            which |= Q(room_type_id=rt, date__in=dates)
        InventoryDay.objects.filter(which).update(**{column: value})


def _queue_ari(hotel: Hotel, changes: list[CellChange]) -> None:
    """One outbox event for all the nights changed; channelmanager queues them for its channels (coalesced)."""
    if not changes:
        return
    kinds = ["RATES"] if changes[0].field == PRICE else ["AVAIL"]
    events.event_record(events.INVENTORY_CHANGED, payload={
        "hotel": hotel.code, "room_type_ids": sorted({c.room_type.pk for c in changes}),
        "dates": sorted({c.date.isoformat() for c in changes}), "kinds": kinds, "source": "rates calendar"})
