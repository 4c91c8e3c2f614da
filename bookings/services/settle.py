"""Settling a booking once its payment is known: confirm every room (taking the booking's number), or give
the rooms back and undo what the payment moved. The finisher of the BOOKING payment step."""

import logging
from datetime import date

from django.db import connection, transaction

from hotelbooking.errors import (
    BookingNotCompleted,
    PaymentFailed,
)
from hotelbooking.money import round_money
from inventory.models import Hotel
from inventory.services import inventory_release

from .. import events
from ..models import (
    ConfirmationSequence,
    Reservation,
    Status,
)
from ..payments import PaymentGateway, default_gateway
from ..payments.attempts import attempt_open, attempt_send, finisher
from ..payments.models import Payment, PaymentAttempt
from .lifecycle import reservation_save, transition
from .reading import reservation_lock

logger = logging.getLogger(__name__)


def confirmation_number_next(*, hotel: Hotel, check_in: date) -> str:
    """Brand, hotel code, arrival date and a sequence: GH-NYC-2024031501234. Never reused.

    One statement takes the next number: the upsert creates the (hotel, date) row or locks and increments it,
    so two bookings at the same moment wait on each other for the length of this statement's transaction.
    """
    table = connection.ops.quote_name(ConfirmationSequence._meta.db_table)
    last = connection.ops.quote_name("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (hotel_id, date, {last}) VALUES (%s, %s, 1) "
            f"ON CONFLICT (hotel_id, date) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [hotel.pk, check_in])
        number = cursor.fetchone()[0]
    return f"{hotel.brand_code}-{hotel.code}-{check_in:%Y%m%d}{number:05d}"



def _rooms_lock(lead: Reservation) -> list[Reservation]:
    """Inside a transaction: the booking's rooms locked, the lead first, then the others by id (one order)."""
    rooms = [reservation_lock(lead.pk)]
    for pk in Reservation.objects.filter(lead=lead.pk).order_by("id").values_list("pk", flat=True):
        rooms.append(reservation_lock(pk))
    return [r for r in rooms if r is not None]


def _confirm_booking(lead: Reservation, *, note: str, actor=None) -> None:
    """Inside a transaction holding the lead: take the booking's number, confirm every PENDING room.

    The lead has the number; the other rooms have it with -2, -3, ... in their order."""
    rooms = [lead, *Reservation.objects.with_details().filter(lead=lead.pk).order_by("id")]
    # The number is taken last: its (hotel, arrival date) sequence row stays locked only until the commit right
    # after, and a booking that fails never uses one up, so numbers run without gaps.
    number = confirmation_number_next(hotel=lead.hotel, check_in=lead.check_in)
    for position, reservation in enumerate(rooms, start=1):
        if reservation.status != Status.PENDING:
            continue
        reservation.confirmation_number = number if position == 1 else f"{number}-{position}"
        transition(reservation, "confirm", by=actor, note=note)
        reservation_save(reservation)
        payload = {
            "guest_email": reservation.guest.email, "loyalty_number": reservation.guest.loyalty_number,
            "grand_total": str(round_money(reservation.grand_total, reservation.currency)),
            "currency": reservation.currency,
            "room_count": reservation.room_count}
        if len(rooms) > 1:
            payload.update(booking=number, booking_rooms=len(rooms), room=position)
        events.event_record(events.RESERVATION_CONFIRMED, reservation=reservation, payload=payload)


def _booking_outcome(reservation: Reservation, attempt: PaymentAttempt, gateway: PaymentGateway) -> Reservation:
    """What the guest is told once the first answer is in (the finisher below has acted on it)."""
    current = Reservation.objects.with_details().filter(pk=reservation.pk).first()
    if attempt.state == PaymentAttempt.State.FAILED:
        logger.info("Payment declined at %s (%s)", reservation.hotel.code, attempt.error_code)
        raise PaymentFailed(attempt.error_message or None, decline_code=attempt.error_code or "card_declined")
    if current is not None and current.status == Status.PENDING and not attempt.open:
        # The money moved but confirming failed (the finisher raised): give it back, release the rooms.
        booking_release(current.pk, gateway=gateway, note="The booking could not be completed; payment returned")
        raise BookingNotCompleted()
    if current is None or current.status == Status.EXPIRED:
        raise PaymentFailed("The hold on the rooms ran out before the payment was confirmed; any amount taken "
                            "is being refunded.", decline_code="hold_expired")
    return current


def booking_payment_attempt(reservation: Reservation) -> PaymentAttempt | None:
    """The booking's payment attempt (its 3-D Secure client secret while the guest must authenticate)."""
    return PaymentAttempt.objects.filter(reservation=reservation.booking_lead, step="BOOKING").first()


@finisher("BOOKING")
def booking_finish(attempt: PaymentAttempt) -> None:
    """The booking's payment settled: confirm the held booking (every room), or give the rooms back (and any
    money)."""
    if attempt.state == PaymentAttempt.State.SUCCEEDED:
        with transaction.atomic():
            rooms = _rooms_lock(Reservation(pk=attempt.reservation_id))
            if not rooms:
                return  # declined and deleted meanwhile: nothing to confirm
            reservation = rooms[0]
            if reservation.status == Status.PENDING:
                _confirm_booking(reservation, note=_paid_note(attempt), actor=_booked_by(reservation))
                return
        if reservation.status in (Status.CONFIRMED, Status.CHECKED_IN, Status.CHECKED_OUT):
            return  # confirmed already (the webhook and the settle task both reported it)
        _compensate(attempt)  # the hold was given up before the money was known to have moved
    elif attempt.state == PaymentAttempt.State.FAILED:
        booking_release(attempt.reservation_id, gateway=None, note="Payment declined", declined=True)


def _booked_by(reservation: Reservation):
    """Who made the booking (its first history row), so that its confirmation is theirs too."""
    first = reservation.status_changes.order_by("at", "id").select_related("api_key", "changed_by").first()
    if first is None:
        return None
    return first.api_key or first.changed_by or first.actor or None


def _paid_note(attempt: PaymentAttempt) -> str:
    card = f"{attempt.card_brand} ending {attempt.last_four}".strip()
    if attempt.operation == PaymentAttempt.Operation.SAVE_CARD:
        return f"Card {card} kept as the guarantee; nothing charged"
    note = f"Paid {round_money(attempt.amount, attempt.currency)} {attempt.currency} by {card}"
    if attempt.allocation:
        note += f", for the booking's {len(attempt.allocation)} rooms"
    return note


def booking_release(pk: int, *, gateway: PaymentGateway | None, note: str, declined: bool = False) -> None:
    """Give a PENDING booking's rooms back (every room of it, `pk` being any of them). A declined booking, which
    moved no money, leaves no trace; one whose payment went through stays EXPIRED beside its refund."""
    with transaction.atomic():
        first = Reservation.objects.filter(pk=pk).values_list("lead_id", flat=True).first()
        lead = reservation_lock(first or pk, status=Status.PENDING)
        if lead is None:
            return
        rooms = [r for r in _rooms_lock(lead) if r.status == Status.PENDING]
        for reservation in rooms:
            inventory_release(holder=reservation.holder)
        moved = Payment.objects.filter(reservation__in=rooms).exists()
        if declined and not moved:
            for reservation in reversed(rooms):  # the lead last: the others point at it
                reservation.payment_attempts.all().delete()
                reservation.nights.all().delete()
                reservation.status_changes.all().delete()
                reservation.events.all().delete()
                reservation.delete()
            return
        for reservation in rooms:
            transition(reservation, "expire", note=note)
            reservation_save(reservation)
            events.event_record(events.RESERVATION_EXPIRED, reservation=reservation)
        compensations = [c for a in lead.payment_attempts.filter(step="BOOKING", state=PaymentAttempt.State.SUCCEEDED)
                         for c in _compensations_open(a)]
    for compensation in compensations:
        if gateway is not None:
            attempt_send(compensation, gateway)


def _compensations_open(attempt: PaymentAttempt) -> list[PaymentAttempt]:
    """Inside a transaction: record what undoes a succeeded booking attempt (a refund per room's share of the
    charge, or a release)."""
    if attempt.payment_id:
        shares = [attempt.payment]
        if attempt.allocation:
            shares = list(Payment.objects.filter(
                reservation_id__in=[int(pk) for pk in attempt.allocation], kind=Payment.Kind.CHARGE,
                gateway_reference=attempt.payment.gateway_reference, purpose="BOOKING").order_by("id"))
        return [attempt_open(reservation=share.reservation, step=f"COMPENSATE:{attempt.pk}",
                             operation=PaymentAttempt.Operation.REFUND, gateway=attempt.gateway,
                             amount=share.amount, currency=attempt.currency, target=share) for share in shares]
    if attempt.operation == PaymentAttempt.Operation.AUTHORISE:
        return [attempt_open(reservation=attempt.reservation, step=f"COMPENSATE:{attempt.pk}",
                             operation=PaymentAttempt.Operation.RELEASE, gateway=attempt.gateway,
                             target_reference=attempt.reference)]
    return []


def _compensate(attempt: PaymentAttempt) -> None:
    with transaction.atomic():
        compensations = _compensations_open(PaymentAttempt.objects.select_related("payment").get(pk=attempt.pk))
    for compensation in compensations:
        attempt_send(compensation, default_gateway())
