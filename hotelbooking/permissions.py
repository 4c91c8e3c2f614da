"""Who may do what (ARCHITECTURE decision 10): the one answer the admin, the console and the API all ask.

Staff act through Django permissions named for hotel work (WORK below) and reach only the hotels they belong
to (`Hotel.staff`); superusers reach every hotel and hold every permission. API keys act by scope:

- partner: booking work at its hotels, on the bookings it made (all bookings of its hotels if `hotel_wide`);
- frontdesk: booking and front-desk work, on every booking of its hotels;
- channel: only the inbound messages of the one channel it is bound to (channelmanager.ChannelKey).

Partner and front-desk keys also manage their own webhook endpoints (WEBHOOKS), which are sent only the bookings
the key reaches.

The README's "Who may do what" section says the same for people.
"""

from dataclasses import dataclass

PARTNER = "partner"
FRONTDESK = "frontdesk"
CHANNEL = "channel"

# Hotel work -> the Django permission a staff member needs for it.
WORK = {
    "view_booking": "bookings.view_reservation",
    "book": "bookings.add_reservation",
    "modify_booking": "bookings.modify_reservation",
    "cancel_booking": "bookings.cancel_reservation",
    "view_desk": "frontdesk.view_stay",
    "check_in": "frontdesk.check_in_guest",
    "check_out": "frontdesk.check_out_guest",
    "view_folio": "frontdesk.view_folioline",
    "post_charge": "frontdesk.post_charge",
    "manage_folios": "frontdesk.manage_folios",
    "view_billing_parties": "frontdesk.view_billingparty",
    "add_billing_party": "frontdesk.add_billingparty",
    "send_payment_link": "frontdesk.send_payment_link",
    "assign_room": "frontdesk.assign_room",
    "move_room": "frontdesk.move_room",
    "mark_no_show": "frontdesk.mark_no_show",
    "override_rate": "frontdesk.override_rate",
    "waive_penalty": "frontdesk.waive_penalty",
    "view_rooms": "inventory.view_room",
    "view_housekeeping": "frontdesk.view_housekeepingtask",
    "move_housekeeping": "frontdesk.change_housekeepingtask",
    "set_out_of_order": "frontdesk.add_roomoutoforder",
    "lift_out_of_order": "frontdesk.change_roomoutoforder",
    "view_rates": "ratecalendar.view_calendaredit",
    "manage_rates": "ratecalendar.manage_rates",
    "view_reports": "reports.view_reports",
    "view_invoices": "invoicing.view_invoice",
    "issue_invoice": "invoicing.issue_invoice",
    "credit_invoice": "invoicing.credit_invoice",
}
CHANNEL_MESSAGE = "channel_message"  # only a channel key does this; no staff permission stands for it
# An API key managing its own webhook endpoints: only keys do this (staff manage endpoints in the admin).
WEBHOOKS = "webhooks"

BOOKING_WORK = frozenset({"view_booking", "book", "modify_booking", "cancel_booking"})
RATE_WORK = frozenset({"view_rates", "manage_rates"})  # people only (the rates calendar): no API key does it
REPORT_WORK = frozenset({"view_reports"})  # staff only: no API key scope reads the reports
MANAGER_WORK = frozenset({"override_rate", "waive_penalty"})  # people only: a manager answers for them
DESK_WORK = frozenset(WORK) - BOOKING_WORK - RATE_WORK - REPORT_WORK - MANAGER_WORK
KEY_WORK = {PARTNER: BOOKING_WORK | {WEBHOOKS}, FRONTDESK: BOOKING_WORK | DESK_WORK | {WEBHOOKS},
            CHANNEL: frozenset({CHANNEL_MESSAGE})}


def is_staff(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def staff_may(user, work: str, hotel=None) -> bool:
    """May this staff member do `work` (at `hotel`, when given)?"""
    if not is_staff(user) or work not in WORK or not user.has_perm(WORK[work]):
        return False
    return hotel is None or reaches_hotel(user, hotel)


def staff_hotels(user):
    """The hotels a staff member belongs to (every hotel for a superuser, none for anyone else)."""
    from inventory.models import Hotel

    if not is_staff(user):
        return Hotel.objects.none()
    if user.is_superuser:
        return Hotel.objects.all()
    return Hotel.objects.filter(staff=user)


def reaches_hotel(user, hotel) -> bool:
    if is_staff(user) and user.is_superuser:
        return True
    return staff_hotels(user).filter(pk=getattr(hotel, "pk", hotel)).exists()


def scope_to_hotels(queryset, user, path: str):
    """`queryset` narrowed to the hotels `user` belongs to; `path` leads from its model to the Hotel
    ("hotel", "room_type__hotel", ...; "" for Hotel itself)."""
    if is_staff(user) and user.is_superuser:
        return queryset
    mine = staff_hotels(user)
    if not path:
        return queryset.filter(pk__in=mine)
    if _crosses_many(queryset.model, path):  # e.g. a guest's reservations: one row per guest, not per match
        return queryset.filter(pk__in=queryset.model._base_manager.filter(**{f"{path}__in": mine}).values("pk"))
    return queryset.filter(**{f"{path}__in": mine})


def _crosses_many(model, path: str) -> bool:
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def key_may(key, work: str) -> bool:
    return work in KEY_WORK.get(key.scope, frozenset())


@dataclass(frozen=True)
class Reach:
    """Which bookings a caller reaches: those of `hotels`, and if `made_by_key` is set, only the ones that
    API key made (a partner key without hotel-wide scope). bookings.services.reservation_get applies it."""

    hotels: object  # a Hotel queryset
    made_by_key: int | None = None


def key_reach(key) -> Reach:
    own_only = key.scope != FRONTDESK and not key.hotel_wide
    return Reach(hotels=key.hotels.all(), made_by_key=key.pk if own_only else None)


def staff_reach(user) -> Reach:
    return Reach(hotels=staff_hotels(user))
