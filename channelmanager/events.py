"""What the channel manager does when bookings or inventory change: queue the nights for an ARI push.

Subscribed in ChannelmanagerConfig.ready() to the booking outbox (idempotent: queuing a night twice is one
row). Admin edits of rates, rate overrides, rate plans and inventory days arrive through model signals, since
those edits have no service of their own to record an event.
"""

from datetime import date, timedelta

from bookings.models import ReservationNight
from inventory.models import RoomType, nights_between

from .models import AriKind, RatePlanMapping
from .services import BOTH, ari_changes_record


def _date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def _nights(check_in, check_out) -> list[date]:
    a, b = _date(check_in), _date(check_out)
    return nights_between(a, b) if a and b and a < b else []


def reservation_changed(event) -> None:
    """A reservation took or gave back rooms: push availability of its room type over its nights.

    A modification also pushes the nights and room type it left (payload `previous_*`); a check-out also
    pushes the booked nights, in case an early departure gave some back.
    """
    p = event.payload or {}
    by_room_type: dict[int, set[date]] = {}
    if p.get("room_type_id"):
        by_room_type.setdefault(int(p["room_type_id"]), set()).update(_nights(p.get("check_in"), p.get("check_out")))
    previous_type = p.get("previous_room_type_id") or p.get("room_type_id")
    if previous_type and (p.get("previous_check_in") or p.get("previous_check_out")):
        by_room_type.setdefault(int(previous_type), set()).update(_nights(
            p.get("previous_check_in") or p.get("check_in"), p.get("previous_check_out") or p.get("check_out")))
    for key in ("released_dates", "released_nights", "removed_nights"):
        for value in p.get(key) or []:
            if p.get("room_type_id") and _date(value):
                by_room_type[int(p["room_type_id"])].add(_date(value))
    if event.reservation_id and p.get("room_type_id"):
        by_room_type[int(p["room_type_id"])].update(
            ReservationNight.objects.filter(reservation_id=event.reservation_id).values_list("date", flat=True))
    for room_type_id, nights in by_room_type.items():
        if nights:
            ari_changes_record(room_type_ids=[room_type_id], dates=nights, kinds=[AriKind.AVAILABILITY])


def inventory_changed(event) -> None:
    """Inventory or rates changed outside a reservation (an out-of-order room, a restriction, a rate).

    Payload: `room_type_id` or `room_type_ids` (or `hotel` code for all its room types); the nights as
    `dates` (what the front desk sends), or `check_in` and `check_out` (end exclusive); optional `kinds`
    (["AVAIL"], ["RATES"]; both by default).
    """
    p = event.payload or {}
    ids = [int(i) for i in (p.get("room_type_ids") or ([p["room_type_id"]] if p.get("room_type_id") else []))]
    if not ids and p.get("hotel"):
        ids = list(RoomType.objects.filter(hotel__code=p["hotel"]).values_list("pk", flat=True))
    if not ids:
        return
    if p.get("dates"):
        dates = {d for d in map(_date, p["dates"]) if d}
    else:
        dates = set(_nights(p.get("check_in") or p.get("start"), p.get("check_out") or p.get("end")))
    kinds = [k for k in (p.get("kinds") or BOTH) if k in AriKind.values] or list(BOTH)
    if dates:
        ari_changes_record(room_type_ids=ids, dates=dates, kinds=kinds)


# --- model signals for admin edits -----------------------------------------------------------------------

def rate_saved(sender, instance, **kwargs) -> None:
    """A season of rates was edited: push the rates of its room type over its dates."""
    days = (instance.end_date - instance.start_date).days + 1
    if days > 0:
        ari_changes_record(room_type_ids=[instance.room_type_id], kinds=[AriKind.RATES],
                           dates=[instance.start_date + timedelta(days=i) for i in range(min(days, 800))])


def rate_override_saved(sender, instance, **kwargs) -> None:
    ari_changes_record(room_type_ids=[instance.room_type_id], dates=[instance.date], kinds=[AriKind.RATES])


def rate_plan_saved(sender, instance, created=False, **kwargs) -> None:
    """A plan's derivation, minimum stay or on-sale flag changed: every room type's rates and availability (the
    plan's status and minimum stay travel there), if a channel sells the plan."""
    if created or not RatePlanMapping.objects.filter(rate_plan_id=instance.pk).exists():
        return
    ids = list(RoomType.objects.filter(hotel_id=instance.hotel_id).values_list("pk", flat=True))
    ari_changes_record(room_type_ids=ids, dates=None, kinds=list(BOTH))


def price_terms_saved(sender, instance, **kwargs) -> None:
    """A tax, fee or child age band changed (or was deleted): every room type's rates (after-tax amounts, tax
    and fee lists, child amounts) over the window."""
    hotel_id = instance.hotel_id if hasattr(instance, "hotel_id") else instance.rate_plan.hotel_id
    ids = list(RoomType.objects.filter(hotel_id=hotel_id).values_list("pk", flat=True))
    ari_changes_record(room_type_ids=ids, dates=None, kinds=[AriKind.RATES])


def inventory_day_saved(sender, instance, **kwargs) -> None:
    """A night's rooms or restrictions were edited (stop-sell, closed to arrival/departure, minimum stay)."""
    ari_changes_record(room_type_ids=[instance.room_type_id], dates=[instance.date], kinds=[AriKind.AVAILABILITY])


def rate_deleted(sender, instance, origin=None, **kwargs) -> None:
    """A season or override deleted by itself (not with its room type or plan, which have no channel left)."""
    if origin is not instance and not (hasattr(origin, "model") and origin.model is sender):
        return
    if sender.__name__ == "RateOverride":
        rate_override_saved(sender, instance)
    else:
        rate_saved(sender, instance)
