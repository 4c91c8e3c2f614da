"""Booking use cases. Each runs in one transaction: inventory, money and state change together or not at all."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from hotelbooking.errors import (
    ConcurrentModification,
    InvalidParty,
    InvalidStateTransition,
    PaymentFailed,
    PriceChanged,
    ReservationNotFound,
    RestrictionViolated,
    UnknownRoomType,
    ValidationFailed,
)
from hotelbooking.money import round_money
from hotelbooking.permissions import Reach
from inventory.models import Hotel, RoomType
from inventory.services import inventory_release, inventory_reserve
from pricing.engine import Quote, quote_stay
from pricing.guarantee import terms_for_quote
from pricing.search import hotel_get, hotel_today, stay_validate
from pricing.selectors import pricing_context_load, promotion_get, rate_plan_get

from . import events
from .models import (
    Channel,
    ConfirmationSequence,
    Guest,
    Payment,
    Reservation,
    ReservationNight,
    Status,
    StatusChange,
    actor_fields,
)
from .payments import Card, PaymentGateway

logger = logging.getLogger(__name__)

MAX_ROOMS = 9
# A deadlock or serialization failure rolls the whole booking back; it is then safe to run it again.
BOOKING_ATTEMPTS = 4
_RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected


@dataclass(frozen=True)
class GuestDetails:
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    loyalty_number: str = ""


@dataclass(frozen=True)
class BookingRequest:
    hotel_code: str
    room_type_code: str
    check_in: date | str
    check_out: date | str
    guest: GuestDetails
    card: Card | None
    rate_plan_code: str | None = None
    adults: int | str = 1
    children: int | str = 0
    child_ages: list[int] = field(default_factory=list)
    room_count: int = 1
    promo_code: str | None = None
    special_requests: str = ""
    channel: str = Channel.DIRECT
    source: str = ""
    expected_total: Decimal | None = None
    # False when the channel collects the money (an OTA's prepaid booking): confirm without charging.
    collect_payment: bool = True


# --- reading ---------------------------------------------------------------------------------------------

def reservation_get(*, confirmation_number: str, hotels=None, for_update: bool = False) -> Reservation:
    """The reservation, if the caller may see it; otherwise RESERVATION_NOT_FOUND. `hotels` limits which:
    hotels, or a hotelbooking.permissions.Reach (hotels, and for a partner key only the bookings it made).

    `for_update` locks its row (see reservation_lock) and returns it as it is once the lock is held.
    """
    qs = Reservation.objects.with_details()
    number = (confirmation_number or "").strip()
    if not number or "\x00" in number:  # PostgreSQL refuses NUL in a query; no number contains one
        raise ReservationNotFound(f"No reservation {number}.")
    qs = qs.filter(confirmation_number__iexact=number)
    if isinstance(hotels, Reach):
        qs = qs.filter(hotel__in=hotels.hotels)
        if hotels.made_by_key is not None:
            qs = qs.filter(created_by_key_id=hotels.made_by_key)
    elif hotels is not None:
        qs = qs.filter(hotel__in=hotels)
    reservation = qs.first()
    if reservation is None:
        raise ReservationNotFound(f"No reservation {confirmation_number}.")
    if for_update:
        reservation = reservation_lock(reservation.pk)
        if reservation is None:  # reservations are never deleted: only a vanished row gets here
            raise ConcurrentModification()
    return reservation


def reservation_lock(pk: int, **conditions) -> Reservation | None:
    """Lock one reservation row by primary key, then read it (with its relations) as the lock holder sees it.

    None if the row does not meet `conditions` (on its own columns, e.g. status) once locked. The lock
    statement has no join: PostgreSQL re-checks a locking query against the row a concurrent transaction just
    committed but with the joined rows as first read, so a join on room_type or rate_plan dropped a booking
    someone had just changed and it was "not found". The read after the lock is a new statement and sees the
    committed row.
    """
    locked = Reservation.objects.select_for_update().filter(pk=pk, **conditions).order_by()
    if not list(locked.values_list("pk", flat=True)):
        return None
    return Reservation.objects.with_details().get(pk=pk)


def reservation_detail_get(*, confirmation_number: str, hotels=None) -> Reservation:
    """The reservation with its nights, status history and payments loaded (a fixed number of queries)."""
    reservation = reservation_get(confirmation_number=confirmation_number, hotels=hotels)
    prefetch_related_objects([reservation], "nights", "status_changes__api_key", "payments")
    return reservation


def payment_summary(reservation: Reservation) -> dict:
    """What a guest sees of the money: COMPLETED, REFUNDED, PARTIALLY_REFUNDED or NOT_COLLECTED, the card's
    last four and the amount paid (charges minus refunds)."""
    payments = [p for p in reservation.payments.all() if p.result == Payment.Result.SUCCEEDED]
    charges = [p for p in payments if p.kind == Payment.Kind.CHARGE]
    paid = amount_paid(reservation)
    if not charges:
        status = "NOT_COLLECTED"
    elif paid <= 0:
        status = "REFUNDED"
    elif any(p.kind == Payment.Kind.REFUND for p in payments):
        status = "PARTIALLY_REFUNDED"
    else:
        status = "COMPLETED"
    last = max(charges, key=lambda p: (p.created_at, p.id), default=None)
    return {"status": status, "last_four": last.last_four if last else "", "card_brand": last.card_brand if last
            else "", "amount": paid}


def amount_paid(reservation: Reservation) -> Decimal:
    """Charges minus refunds that succeeded."""
    total = Decimal(0)
    for p in reservation.payments.all():
        if p.result != Payment.Result.SUCCEEDED:
            continue
        total += p.amount if p.kind == Payment.Kind.CHARGE else -p.amount
    return round_money(total, reservation.currency)


def card_on_file(reservation: Reservation) -> Payment | None:
    """The latest successful charge that left a reusable token."""
    return (reservation.payments.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
            .exclude(card_token="").order_by("-created_at", "-id").first())


# --- transitions -----------------------------------------------------------------------------------------

def transition(reservation: Reservation, name: str, **kwargs) -> None:
    """Run a lifecycle transition, turning django-fsm's refusal into INVALID_STATE_TRANSITION."""
    method = getattr(reservation, name)
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        raise InvalidStateTransition(_refusal(reservation, name), state=reservation.status) from None


_ACTIONS = {"confirm": "confirmed", "expire": "expired", "cancel": "cancelled", "check_in_guest": "checked in",
            "check_out_guest": "checked out", "mark_no_show": "marked as a no-show"}


def _refusal(reservation: Reservation, name: str) -> str:
    state = reservation.get_status_display().lower()
    if name == "cancel" and reservation.status == Status.CHECKED_IN:
        return "This reservation is checked in. Please contact the front desk for early departure."
    return f"Reservation {reservation.confirmation_number} is {state} and cannot be {_ACTIONS.get(name, name)}."


def reservation_save(reservation: Reservation) -> None:
    """Save, turning a lost race on the status (ConcurrentTransition) into CONCURRENT_MODIFICATION."""
    try:
        reservation.save()
    except ConcurrentTransition:
        raise ConcurrentModification() from None


# --- payments --------------------------------------------------------------------------------------------

def payment_charge_card(*, gateway: PaymentGateway, reservation: Reservation, card: Card, amount: Decimal,
                        purpose: str, description: str | None = None) -> Payment:
    result = gateway.charge(card=card, amount=amount, currency=reservation.currency,
                            description=description or f"{reservation.hotel.name} {reservation.confirmation_number}",
                            idempotency_key=f"{reservation.confirmation_number}:{purpose}")
    if not result.success:
        raise PaymentFailed(result.message or None, decline_code=result.error_code)
    return Payment.objects.create(
        reservation=reservation, kind=Payment.Kind.CHARGE, amount=amount, currency=reservation.currency,
        gateway=gateway.name, gateway_reference=result.reference, card_token=result.token,
        card_brand=result.brand, last_four=result.last_four, purpose=purpose)


def payment_charge_on_file(*, gateway: PaymentGateway, reservation: Reservation, amount: Decimal,
                           purpose: str) -> Payment:
    """Charge the card on file; PAYMENT_FAILED if there is none or it is declined."""
    on_file = card_on_file(reservation)
    if on_file is None:
        raise PaymentFailed("There is no card on file for this reservation.", decline_code="no_card_on_file")
    result = gateway.charge_saved(token=on_file.card_token, amount=amount, currency=reservation.currency,
                                  description=f"{reservation.hotel.name} {reservation.confirmation_number}")
    if not result.success:
        raise PaymentFailed(result.message or None, decline_code=result.error_code)
    return Payment.objects.create(
        reservation=reservation, kind=Payment.Kind.CHARGE, amount=amount, currency=reservation.currency,
        gateway=gateway.name, gateway_reference=result.reference, card_token=on_file.card_token,
        card_brand=on_file.card_brand, last_four=on_file.last_four, purpose=purpose)


def payment_refund(*, gateway: PaymentGateway, reservation: Reservation, amount: Decimal,
                   purpose: str, made: list | None = None) -> list[Payment]:
    """Refund `amount` against the reservation's charges, newest first. Returns the refund rows.

    `made`, if given, receives each refund as the gateway makes it: should the caller's transaction roll back
    afterwards (a later part refused, a failed commit), payment_refunds_keep records them again.
    """
    remaining = round_money(amount, reservation.currency)
    refunds = []
    if remaining <= 0:
        return refunds
    charges = list(reservation.payments.filter(kind=Payment.Kind.CHARGE, result=Payment.Result.SUCCEEDED)
                   .order_by("-created_at", "-id"))
    for charge in charges:
        if remaining <= 0:
            break
        already = sum((r.amount for r in charge.refunds.filter(result=Payment.Result.SUCCEEDED)), Decimal(0))
        refundable = charge.amount - already
        if refundable <= 0:
            continue
        part = min(refundable, remaining)
        result = gateway.refund(reference=charge.gateway_reference, amount=part, currency=reservation.currency)
        if not result.success:
            done = round_money(sum((r.amount for r in refunds), Decimal(0)), reservation.currency)
            message = result.message or "The refund could not be processed."
            if done > 0:
                message = f"{message} {done} {reservation.currency} of it was refunded to the card."
            exc = PaymentFailed(message, decline_code=result.error_code, retry_action="CONTACT_HOTEL",
                                **({"refunded": str(done)} if done > 0 else {}))
            exc.refunds_made = refunds  # for payment_refunds_keep(exc), after the caller's rollback
            raise exc
        refunds.append(Payment.objects.create(
            reservation=reservation, kind=Payment.Kind.REFUND, amount=part, currency=reservation.currency,
            gateway=gateway.name, gateway_reference=result.reference, card_brand=charge.card_brand,
            last_four=charge.last_four, purpose=purpose, refund_of=charge))
        if made is not None:
            made.append(refunds[-1])
        remaining -= part
    return refunds


def payment_refunds_keep(made) -> None:
    """After a rollback, record again the refunds the gateway made: payment_refund's `made` list, or the
    PaymentFailed it raised when the gateway refused a later part (its `refunds_made`).

    Without them the books would show money the guest already has back as still paid, and a retry would
    refund it a second time. Inside a caller's own transaction the rows last as long as that transaction does.
    """
    if isinstance(made, BaseException):
        made = getattr(made, "refunds_made", None) or []
    if not made:
        return
    with transaction.atomic():
        for refund in made:
            refund.pk = None
            refund._state.adding = True
            refund.save()


# --- creating a booking ----------------------------------------------------------------------------------

_GUEST_LIMITS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 40, "loyalty_number": 30}


def _guest_validate(details: GuestDetails) -> None:
    for name, limit in _GUEST_LIMITS.items():
        value = getattr(details, name)
        if not isinstance(value, str):
            raise ValidationFailed(f"guest {name} must be text.", field=f"guest.{name}")
        if len(value.strip()) > limit:
            raise ValidationFailed(f"guest {name} can be at most {limit} characters.", field=f"guest.{name}")
        if "\x00" in value:
            raise ValidationFailed(f"guest {name} contains a character that is not allowed.", field=f"guest.{name}")
    for name in ("first_name", "last_name", "email"):
        if not getattr(details, name).strip():
            raise ValidationFailed(f"guest {name} is required.", field=f"guest.{name}")
    try:
        validate_email(details.email.strip())
    except ValidationError:
        raise ValidationFailed("Please give a valid email address.", field="guest.email") from None


def _guest_get_or_create(details: GuestDetails) -> Guest:
    """The profile of this email (any case), made from these details if there is none yet.

    An existing profile is never changed here: anyone can type anyone's email, so what a booking gives (name,
    phone, loyalty number) belongs to that reservation, not to the person whose email it is.
    """
    email = details.email.strip()
    guest = Guest.objects.filter(email__iexact=email).first()
    if guest is None:
        try:
            with transaction.atomic():
                return Guest.objects.create(first_name=details.first_name.strip(),
                                            last_name=details.last_name.strip(), email=email,
                                            phone=details.phone.strip(),
                                            loyalty_number=details.loyalty_number.strip())
        except IntegrityError:  # the same guest booking twice at the same moment
            guest = Guest.objects.get(email__iexact=email)
    return guest


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


def booking_quote(*, hotel: Hotel, room_type_code: str, rate_plan_code: str | None, check_in, check_out,
                  adults, children, room_count: int = 1, promo_code: str | None = None) -> Quote:
    """Validate a request and price it, exactly as a booking would be priced now."""
    stay = stay_validate(hotel=hotel, check_in=check_in, check_out=check_out, adults=adults, children=children)
    room_type = RoomType.objects.filter(hotel=hotel, code__iexact=(room_type_code or "").strip()).first()
    if room_type is None:
        raise UnknownRoomType(f"{hotel.name} has no room type {room_type_code}.", room_type=room_type_code)
    rooms = _room_count(room_count)
    rate_plan = rate_plan_get(hotel=hotel, code=rate_plan_code)
    if rate_plan.min_stay and stay.nights < rate_plan.min_stay:
        raise RestrictionViolated(f"The {rate_plan.name} needs a stay of at least {rate_plan.min_stay} nights.",
                                  restriction="MIN_STAY")
    promotion = promotion_get(hotel=hotel, code=promo_code)
    ctx = pricing_context_load(hotel=hotel, rate_plan=rate_plan, room_type_ids=[room_type.id],
                               check_in=stay.check_in, check_out=stay.check_out, promotion=promotion)
    return quote_stay(ctx, room_type=room_type, check_in=stay.check_in, check_out=stay.check_out,
                      adults=stay.adults, children=stay.children, rooms=rooms,
                      booked_on=hotel_today(hotel))


def _room_count(value) -> int:
    try:
        rooms = int(str(1 if value in (None, "") else value).strip())
    except ValueError:
        raise InvalidParty("room_count must be a whole number.", field="room_count") from None
    if not 1 <= rooms <= MAX_ROOMS:
        raise InvalidParty(f"Book between 1 and {MAX_ROOMS} rooms at a time.", field="room_count")
    return rooms


def _validate_child_ages(children: int, ages: list) -> list[int]:
    ages = list(ages or [])
    if ages and len(ages) != children:
        raise InvalidParty(f"Give one age per child ({children} expected, {len(ages)} given).", field="child_ages")
    out = []
    for age in ages:
        try:
            value = int(age)
        except (TypeError, ValueError):
            raise InvalidParty("Child ages must be whole numbers.", field="child_ages") from None
        if not 0 <= value <= 17:
            raise InvalidParty("Child ages must be between 0 and 17.", field="child_ages")
        out.append(value)
    return out


def booking_create(*, request: BookingRequest, gateway: PaymentGateway, actor=None) -> Reservation:
    """Quote, hold the rooms, charge, confirm: all or nothing.

    PRICE_CHANGED if the fresh total differs from `expected_total`; SOLD_OUT naming the short night;
    PAYMENT_FAILED leaves no reservation and no rooms held. A charge taken before a later failure is refunded.
    A deadlock or serialization failure (PostgreSQL) reruns the booking a bounded number of times; the
    caller sees the booking or a domain error, never the database's complaint.
    """
    hotel = hotel_get(request.hotel_code)
    _guest_validate(request.guest)
    quote = booking_quote(hotel=hotel, room_type_code=request.room_type_code,
                          rate_plan_code=request.rate_plan_code, check_in=request.check_in,
                          check_out=request.check_out, adults=request.adults, children=request.children,
                          room_count=request.room_count, promo_code=request.promo_code)
    child_ages = _validate_child_ages(quote.children, request.child_ages)
    total = round_money(quote.total, quote.currency)
    expected = None if request.expected_total is None else _expected(request.expected_total, quote.currency)
    if request.expected_total is not None and expected != total:
        raise PriceChanged(quote=quote_payload(quote), new_total=str(total),
                           expected_total=str(request.expected_total if expected is None else expected))
    if request.card is None and request.collect_payment:
        raise PaymentFailed("Card details are required.", decline_code="missing_card")

    # Retrying only makes sense when this is the outermost transaction: inside a caller's atomic block the
    # whole outer transaction is already lost.
    attempts = 1 if transaction.get_connection().in_atomic_block else BOOKING_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return _booking_commit(hotel=hotel, quote=quote, request=request, child_ages=child_ages, total=total,
                                   gateway=gateway, actor=actor)
        except OperationalError as exc:
            if attempt == attempts or getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
            logger.warning("Booking at %s hit %s; retrying (attempt %d)", hotel.code,
                           getattr(exc.__cause__, "sqlstate", "?"), attempt)
    raise AssertionError("unreachable")


def _expected(value, currency: str) -> Decimal | None:
    try:
        return round_money(Decimal(str(value)), currency)
    except (ArithmeticError, ValueError):
        return None


def _booking_commit(*, hotel: Hotel, quote: Quote, request: BookingRequest, child_ages: list[int], total: Decimal,
                    gateway: PaymentGateway, actor) -> Reservation:
    charged: Payment | None = None
    try:
        with transaction.atomic():
            # A placeholder number until the end: nobody outside this transaction ever sees it.
            reservation = _reservation_create_pending(hotel=hotel, quote=quote, request=request,
                                                      confirmation_number=f"TMP-{uuid.uuid4().hex}",
                                                      child_ages=child_ages, actor=actor)
            inventory_reserve(room_type=quote.room_type, nights=[n.date for n in quote.nights],
                              rooms=quote.rooms, holder=reservation.holder, enforce_restrictions=True,
                              check_out=quote.check_out)
            if request.collect_payment:
                charged = payment_charge_card(
                    gateway=gateway, reservation=reservation, card=request.card, amount=total, purpose="BOOKING",
                    description=f"{hotel.name}: {quote.room_type.name}, {quote.check_in} to {quote.check_out}")
                note = f"Paid {total} {quote.currency} by {charged.card_brand} ending {charged.last_four}"
            else:
                note = f"Payment collected by {request.source or request.channel}"
            # The number is taken last: its (hotel, arrival date) sequence row stays locked only until the
            # commit right after, and a booking that fails never uses one up, so numbers run without gaps.
            reservation.confirmation_number = confirmation_number_next(hotel=hotel, check_in=quote.check_in)
            transition(reservation, "confirm", by=actor, note=note)
            reservation_save(reservation)
            events.event_record(events.RESERVATION_CONFIRMED, reservation=reservation, payload={
                "guest_email": reservation.guest.email, "loyalty_number": reservation.guest.loyalty_number,
                "grand_total": str(total), "currency": quote.currency, "room_count": quote.rooms})
    except PaymentFailed as exc:
        logger.info("Payment declined at %s (%s)", hotel.code, exc.details.get("decline_code", ""))
        raise
    except Exception:
        if charged is not None:  # money moved but the booking did not: give it back
            _compensate(gateway, charged)
        raise
    return reservation


def _compensate(gateway: PaymentGateway, charge: Payment) -> None:
    result = gateway.refund(reference=charge.gateway_reference, amount=charge.amount, currency=charge.currency)
    if not result.success:
        logger.error("Could not refund charge %s after a failed booking", charge.gateway_reference)


def _reservation_create_pending(*, hotel, quote: Quote, request: BookingRequest, confirmation_number: str,
                                child_ages, actor) -> Reservation:
    guest = _guest_get_or_create(request.guest)
    currency = quote.currency
    typed = request.guest
    reservation = Reservation.objects.create(
        confirmation_number=confirmation_number,
        hotel=hotel, room_type=quote.room_type, rate_plan=quote.rate_plan, promotion=quote.promotion, guest=guest,
        guest_first_name=typed.first_name.strip()[:100], guest_last_name=typed.last_name.strip()[:100],
        guest_phone=typed.phone.strip()[:40], guest_loyalty_number=typed.loyalty_number.strip()[:30],
        check_in=quote.check_in, check_out=quote.check_out, adults=quote.adults, children=quote.children,
        child_ages=child_ages, room_count=quote.rooms, channel=request.channel, source=request.source[:100],
        special_requests=(request.special_requests or "").strip(), currency=currency,
        created_by_key=actor_fields(actor)["api_key"], **quote_totals(quote),
        cancellation_policy=quote.policy_snapshot, free_until=quote.free_until,
        hold_expires_at=timezone.now() + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
    )
    ReservationNight.objects.bulk_create([
        ReservationNight(reservation=reservation, date=n.date, rate=n.rate, rate_plan_discount=n.rate_plan_discount,
                         promotion_discount=n.promotion_discount) for n in quote.nights])
    StatusChange.objects.create(reservation=reservation, from_status="", to_status=Status.PENDING,
                                note=f"Booked via {request.channel}", **actor_fields(actor))
    return reservation


def quote_totals(quote: Quote) -> dict:
    """The reservation's money fields from a quote, each rounded once."""
    c = quote.currency
    return dict(
        subtotal=round_money(quote.subtotal, c), rate_plan_discount=round_money(quote.rate_plan_discount, c),
        promotion_discount=round_money(quote.promotion_discount, c), room_total=round_money(quote.room_total, c),
        taxes=round_money(quote.taxes, c), fees=round_money(quote.fees, c), grand_total=round_money(quote.total, c),
        charge_lines={"taxes": [{"name": t.name, "amount": str(t.amount)} for t in quote.tax_lines],
                      "fees": [{"name": f.name, "amount": str(f.amount)} for f in quote.fee_lines]},
    )


def quote_payload(quote: Quote) -> dict:
    data = quote.as_dict()
    data["free_until"] = quote.free_until.isoformat() if quote.free_until else None
    data["payment_terms"] = terms_for_quote(quote, booked_on=hotel_today(quote.hotel)).as_dict()
    return data


# --- holds that ran out ----------------------------------------------------------------------------------

def reservations_expire_pending(*, now=None) -> int:
    """PENDING reservations whose hold has run out become EXPIRED and give their rooms back."""
    now = now or timezone.now()
    ids = list(Reservation.objects.filter(status=Status.PENDING, hold_expires_at__lt=now)
               .values_list("pk", flat=True))
    expired = 0
    for pk in ids:
        with transaction.atomic():
            reservation = Reservation.objects.select_for_update().filter(pk=pk, status=Status.PENDING).first()
            if reservation is None:
                continue
            transition(reservation, "expire")
            inventory_release(holder=reservation.holder)
            reservation_save(reservation)
            events.event_record(events.RESERVATION_EXPIRED, reservation=reservation)
            expired += 1
    return expired
