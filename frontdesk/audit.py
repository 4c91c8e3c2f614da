"""The audit trail (issue 11): every change to a reservation, its folio lines and its room assignments is kept
by django-auditlog (one LogEntry per save: who, when, each field before and after); the actor is the request's
user, set by auditlog's middleware. Status changes, waivers and their reasons stay in bookings.StatusChange.
`stay_history` reads both for the stay's page in three queries, newest first.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from bookings.models import Guest, Reservation, StatusChange
from inventory.models import Room

from .models import FolioLine, FolioLineMove, RoomAssignment, Stay

# Bookkeeping columns nobody reads as a change; the status has its own history (StatusChange, with the note).
_RESERVATION_NOISE = ["updated_at", "status"]


def audit_register() -> None:
    """Called once from FrontdeskConfig.ready."""
    for model in (Reservation, Stay):  # a Stay is a Reservation: both log under the reservation
        if not auditlog.contains(model):
            auditlog.register(model, exclude_fields=_RESERVATION_NOISE)
    for model in (FolioLine, RoomAssignment, Guest):
        if not auditlog.contains(model):
            auditlog.register(model)


def audit_created(objects, *, actor=None) -> None:
    """Log rows a service made with bulk_create (which sends no signals): one query for all of them."""
    objects = [o for o in objects if o.pk is not None]
    if not objects:
        return
    user = actor if getattr(actor, "is_authenticated", False) else None
    ct = ContentType.objects.get_for_model(type(objects[0]))
    fields = [f for f in type(objects[0])._meta.concrete_fields if not f.primary_key]
    LogEntry.objects.bulk_create([LogEntry(
        content_type=ct, object_pk=str(o.pk), object_id=o.pk, object_repr=str(o)[:500],
        action=LogEntry.Action.CREATE, actor=user,
        changes={f.name: ["None", str(f.value_from_object(o))] for f in fields}) for o in objects])


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str                 # "Reservation changed", "Folio line posted", "Status", ...
    summary: str = ""
    changes: tuple[Change, ...] = ()


_WHAT = {
    ("reservation", LogEntry.Action.CREATE): "Booked",
    ("reservation", LogEntry.Action.UPDATE): "Reservation changed",
    ("folioline", LogEntry.Action.CREATE): "Folio line posted",
    ("folioline", LogEntry.Action.UPDATE): "Folio line changed",
    ("roomassignment", LogEntry.Action.CREATE): "Room assigned",
    ("roomassignment", LogEntry.Action.UPDATE): "Room assignment changed",
    ("roomassignment", LogEntry.Action.DELETE): "Room assignment removed",
}


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001  (a field since removed: its stored name is label enough)
        return name


def stay_history(reservation: Reservation) -> list[HistoryEntry]:
    """Who changed what on the reservation, its folio and its rooms, every status change and every line moved
    between folios: newest first."""
    types = ContentType.objects.get_for_models(Reservation, FolioLine, RoomAssignment)
    ct = {model: types[model] for model in types}
    entries = list(LogEntry.objects.filter(
        Q(content_type=ct[Reservation], object_id=reservation.pk)
        | Q(content_type=ct[FolioLine], object_id__in=FolioLine.objects.filter(reservation=reservation).values("pk"))
        | Q(content_type=ct[RoomAssignment],
            object_id__in=RoomAssignment.objects.filter(reservation=reservation).values("pk")))
        .select_related("actor").order_by("-timestamp", "-pk"))
    room_ids = {int(v) for e in entries if e.content_type_id == ct[RoomAssignment].pk
                for v in (e.changes_dict.get("room") or []) if str(v).isdigit()}
    rooms = dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "number")) if room_ids else {}
    models = {c.pk: m for m, c in ct.items()}
    tz = reservation.hotel.tz
    history = []
    for e in entries:
        model = models[e.content_type_id]
        name = model._meta.model_name
        who = e.actor.get_username() if e.actor else (e.actor_email or "system")
        changes = ()
        if e.action == LogEntry.Action.UPDATE:
            changes = tuple(Change(field=_label(model, f), before=_shown(f, old, rooms, tz),
                                   after=_shown(f, new, rooms, tz)) for f, (old, new) in e.changes_dict.items())
        history.append(HistoryEntry(at=e.timestamp, who=who, what=_WHAT.get((name, e.action), name),
                                    summary=e.object_repr if model is not Reservation else "", changes=changes))
    for s in StatusChange.objects.filter(reservation=reservation).select_related("changed_by"):
        who = s.changed_by.get_username() if s.changed_by else (s.actor or "system")
        history.append(HistoryEntry(at=s.at, who=who, what="Status", summary=s.note,
                                    changes=(Change(field="status", before=s.from_status or "—", after=s.to_status),)))
    for m in FolioLineMove.objects.filter(line__reservation=reservation).select_related(
            "line", "from_folio", "to_folio", "moved_by"):
        history.append(HistoryEntry(
            at=m.moved_at, who=m.moved_by.get_username() if m.moved_by else (m.actor or "system"),
            what="Folio line moved", summary=f"{m.line.description} ({m.line.amount:.2f}): {m.reason}",
            changes=(Change(field="folio", before=str(m.from_folio.number), after=str(m.to_folio.number)),)))
    history.sort(key=lambda h: h.at, reverse=True)
    return history


def _shown(field: str, value, rooms: dict, tz) -> str:
    if value in (None, "None", ""):
        return "—"
    if field == "room" and str(value).isdigit():
        return f"room {rooms.get(int(value), value)}"
    value = str(value)
    # A stored instant ("2026-12-04 21:00:00+00:00"): shown in the hotel's time.
    if len(value) >= 19 and value[4] == "-" and value[10] == " " and value[13] == ":":
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
        instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
        return f"{instant.astimezone(tz):%b %d, %Y %H:%M}"
    return value
