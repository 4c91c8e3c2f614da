"""What a desk row shows beside the booking itself: rooms, balance and paid status, loyalty and VIP.

`desk_rows_annotate` adds them to a list of reservations in six queries whatever the list's length (rooms,
folio extras, routes to others' folios, booked lines moved there by hand, payments, guest stats), for today's
desk and the search results alike.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from bookings.models import Payment, Reservation, Status
from hotelbooking.money import ZERO, round_money

from .folio import extras_total
from .models import Folio, FolioLine, FolioRoute, GuestStats, RoomAssignment

PAID, PART_PAID, UNPAID = "Paid", "Part paid", "Unpaid"
# Lines the booked total already holds (room nights with their taxes and fees).
_BOOKED_KINDS = (FolioLine.Kind.ROOM, FolioLine.Kind.TAX, FolioLine.Kind.FEE, FolioLine.Kind.EXTRA)
_OTHERS_FOLIOS = (Folio.Kind.COMPANY, Folio.Kind.TRAVEL_AGENT, Folio.Kind.CHANNEL)


def _booked_part(reservation: Reservation, kind: str) -> Decimal:
    """The part of the booked total a kind of charge makes (the room nights: all but the taxes and fees)."""
    if kind == FolioLine.Kind.TAX:
        return reservation.taxes
    if kind == FolioLine.Kind.FEE:
        return reservation.fees
    if kind == FolioLine.Kind.EXTRA:
        return extras_total(reservation)
    return reservation.grand_total - reservation.taxes - reservation.fees - extras_total(reservation)


def paid_status(*, balance: Decimal, paid: Decimal) -> str:
    if balance <= 0:
        return PAID
    return PART_PAID if paid > 0 else UNPAID


def desk_rows_annotate(rows: list[Reservation]) -> list[Reservation]:
    """Sets on each row: room_numbers, paid (net of refunds), balance (the stay's total plus what the folio added
    beyond it, less paid), paid_status, stays (the guest's completed stays) and loyalty (the number, if any)."""
    ids = [r.pk for r in rows]
    if not ids:
        return rows
    rooms = defaultdict(list)
    for reservation_id, number in RoomAssignment.objects.filter(reservation__in=ids) \
            .exclude(released_at__isnull=False, reservation__status=Status.CHECKED_IN) \
            .values_list("reservation_id", "room__number"):  # not a room the guest moved out of
        rooms[reservation_id].append(number)
    extras = dict(FolioLine.objects.filter(reservation__in=ids).exclude(kind__in=_BOOKED_KINDS)
                  .exclude(folio__kind__in=_OTHERS_FOLIOS)
                  .values("reservation_id").annotate(total=Sum("amount")).values_list("reservation_id", "total"))
    # What a company's or channel's folio takes of the booked stay is not the guest's to pay.
    billed_away, by_id = defaultdict(lambda: ZERO), {r.pk: r for r in rows}
    routed = defaultdict(set)
    for reservation_id, kind in FolioRoute.objects.filter(reservation__in=ids, folio__kind__in=_OTHERS_FOLIOS) \
            .filter(kind__in=_BOOKED_KINDS).values_list("reservation_id", "kind"):
        billed_away[reservation_id] += _booked_part(by_id[reservation_id], kind)
        routed[reservation_id].add(kind)
    # A booked night's line moved by hand to a company's or channel's folio (its kind not routed there).
    for reservation_id, kind, total in FolioLine.objects.filter(
            reservation__in=ids, kind__in=_BOOKED_KINDS, folio__kind__in=_OTHERS_FOLIOS) \
            .values("reservation_id", "kind").annotate(total=Sum("amount")).values_list("reservation_id", "kind",
                                                                                        "total"):
        if kind not in routed[reservation_id]:
            billed_away[reservation_id] += total
    paid = defaultdict(lambda: ZERO)
    for reservation_id, kind, total in Payment.objects.filter(reservation__in=ids, result=Payment.Result.SUCCEEDED) \
            .values("reservation_id", "kind").annotate(total=Sum("amount")).values_list("reservation_id", "kind",
                                                                                        "total"):
        paid[reservation_id] += total if kind == Payment.Kind.CHARGE else -total
    stays = defaultdict(int)
    for guest_id, count in GuestStats.objects.filter(guest__in={r.guest_id for r in rows}) \
            .values("guest_id").annotate(total=Sum("stays")).values_list("guest_id", "total"):
        stays[guest_id] = count or 0
    for r in rows:
        c = r.currency
        r.room_numbers = sorted(rooms.get(r.pk, []))
        r.paid = round_money(paid[r.pk], c)
        r.balance = round_money(r.grand_total - billed_away[r.pk] + (extras.get(r.pk) or ZERO) - r.paid, c)
        r.paid_status = paid_status(balance=r.balance, paid=r.paid)
        r.stays = stays[r.guest_id]
        r.loyalty = r.guest_loyalty_number or r.guest.loyalty_number
    return rows
