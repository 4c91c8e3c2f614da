"""Creating a booking: quote, hold the rooms, take the payment, confirm."""

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hotelbooking.errors import (
    DomainError,
    InvalidParty,
    PaymentFailed,
    PriceChanged,
    UnknownPromoCode,
    ValidationFailed,
)
from hotelbooking.locale import guest_language
from hotelbooking.money import round_money
from inventory.models import Hotel
from inventory.services import inventory_reserve
from pricing.engine import Quote
from pricing.guarantee import PaymentTerms, terms_at_hotel, terms_for_quote
from pricing.models import Promotion
from pricing.search import hotel_get, hotel_today
from pricing.selectors import USE_GIVEN_BACK

from ..consent import consent_record
from ..extras import extras_store
from ..models import (
    Channel,
    Guest,
    Reservation,
    ReservationNight,
    Status,
    StatusChange,
    actor_fields,
    actor_label,
)
from ..payments import Card, PaymentGateway
from ..payments.attempts import attempt_open, attempt_send
from ..payments.models import PaymentAttempt
from .override import PriceOverride, price_override_apply, price_override_note
from .quote import (  # noqa: F401 (booking_quote, quote_totals and RoomRequest are read from here too)
    MAX_ROOMS,
    BookingQuote,
    RoomQuote,
    RoomRequest,
    booking_quote,
    booking_quote_rooms,
    child_ages_validate,
    quote_payload,
    quote_totals,
    rate_plan_open_check,
    room_named,
    rooms_limit_message,
)
from .settle import (  # noqa: F401 (booking_payment_attempt and confirmation_number_next are read from here too)
    _booking_outcome,
    _confirm_booking,
    booking_payment_attempt,
    confirmation_number_next,
)

logger = logging.getLogger(__name__)

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
    card: Card | None  # raw card fields: the built-in test gateway only
    rate_plan_code: str | None = None
    adults: int | str = 1
    children: int | str = 0
    child_ages: list[int] = field(default_factory=list)
    room_count: int = 1
    promo_code: str | None = None
    special_requests: str = ""
    billing_address: str = ""     # printed on the guest's invoices
    arrival_time: time | None = None  # when the guest expects to arrive, hotel time
    channel: str = Channel.DIRECT
    source: str = ""
    expected_total: Decimal | None = None
    # A provider payment method (Stripe pm_...) from the hosted card fields, instead of `card`.
    payment_method: str = ""
    # False when the channel collects the money (an OTA's prepaid booking): confirm without charging.
    collect_payment: bool = True
    # Staff pricing the rooms by hand (bookings/services/override.py): needs override_rate and a reason.
    price_override: PriceOverride | None = None
    # What the history says when nothing is taken at booking (e.g. "Pay at the hotel (front desk)").
    payment_note: str = ""
    # Staff settle this booking at the hotel whatever the plan's guarantee asks (pay at the hotel, or a payment
    # link sent afterwards): no card at booking, and the reservation's terms say PAY_AT_HOTEL, so a later change
    # or cancellation leaves the money to the desk.
    settle_at_hotel: bool = False
    # A multi-room booking: each room's type and party (1 to MAX_ROOMS). When given it replaces room_type_code,
    # adults, children, child_ages and room_count.
    rooms: tuple[RoomRequest, ...] = ()
    # The guest ticked the marketing consent box (bookings/consent.py); where they did, a MarketingConsent.Source.
    marketing_consent: bool = False
    consent_source: str = "API"
    # The extras the guest takes, [{"code": "BRKF", "quantity": 1}] (pricing/engine/extras.py); with `rooms`,
    # each room takes them unless it names its own.
    extras: tuple[dict, ...] = ()
    # The member or corporate code the guest typed (RatePlan.visibility): a member or code-only plan is booked
    # only with it. None: not asked (the desk and channels book any plan of the hotel).
    access_code: str | None = None
    # The guest's language (a code of settings.LANGUAGES; the booking page passes the page's): their emails'.
    language: str = ""
    # False: our confirmation, change and cancellation emails are not sent (a channel writes to its guests).
    guest_emails: bool = True
    # A channel's booking the OTA has already sold: restrictions are not enforced, and nights with no room left
    # are booked short and listed in Reservation.overbooked_nights (inventory_reserve(overbook=True)).
    overbook: bool = False


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
        raise ValidationFailed(gettext("Please give a valid email address."), field="guest.email") from None


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


def booking_create(*, request: BookingRequest, gateway: PaymentGateway, actor=None) -> Reservation:
    """Quote, hold the rooms, take the payment the rate plan's guarantee asks for, confirm.

    PRICE_CHANGED if the fresh total differs from `expected_total`; SOLD_OUT naming the short night;
    PAYMENT_FAILED leaves no reservation and no rooms held. The gateway is called between two short
    transactions, never with a row locked (bookings/payments/attempts.py): the first holds the rooms as a
    PENDING reservation and records the payment attempt, the second confirms or gives the rooms back.

    With `request.rooms` the booking holds several rooms, one Reservation each (the first is the lead, the
    others point at it), all or nothing: one hold transaction, one gateway call for the sum of what each room's
    terms ask now (allocated per room), one confirmation. An error about one room names it (`room`, from 1).

    Returns the CONFIRMED reservation (the lead of a multi-room booking), or a PENDING one when the payment is
    not settled yet: the guest must authenticate it (3-D Secure; `booking_payment_attempt(reservation)
    .client_secret`), or the gateway's answer was lost and the settle task or the webhook will confirm or
    release it.
    """
    hotel = hotel_get(request.hotel_code)
    _guest_validate(request.guest)
    booking = _booking_quote(hotel, request, actor=actor)
    if request.access_code is not None:
        rate_plan_open_check(booking.rooms[0].quote.rate_plan, request.access_code)
    total = booking.total
    currency = booking.currency
    expected = None if request.expected_total is None else _expected(request.expected_total, currency)
    if request.expected_total is not None and expected != total:
        quote = quote_payload(booking.rooms[0].quote) if not request.rooms else booking.as_dict()
        raise PriceChanged(quote=quote, new_total=str(total),
                           expected_total=str(request.expected_total if expected is None else expected))
    step = _payment_step(request, booking)
    if step is not None and request.card is None and not request.payment_method:
        raise PaymentFailed("Card details are required.", decline_code="missing_card")

    # Retrying only makes sense when this is the outermost transaction: inside a caller's atomic block the
    # whole outer transaction is already lost.
    tries = 1 if transaction.get_connection().in_atomic_block else BOOKING_ATTEMPTS
    for attempt_no in range(1, tries + 1):
        try:
            reservation, attempt = _booking_hold(hotel=hotel, booking=booking, request=request, step=step,
                                                 gateway=gateway, actor=actor)
            break
        except OperationalError as exc:
            if attempt_no == tries or getattr(exc.__cause__, "sqlstate", None) not in _RETRYABLE_SQLSTATES:
                raise
            logger.warning("Booking at %s hit %s; retrying (attempt %d)", hotel.code,
                           getattr(exc.__cause__, "sqlstate", "?"), attempt_no)
    if attempt is None:
        return reservation
    attempt = attempt_send(attempt, gateway, card=request.card)  # no transaction open: nothing locked
    return _booking_outcome(reservation, attempt, gateway)


def _booking_quote(hotel: Hotel, request: BookingRequest, *, actor=None) -> BookingQuote:
    """The request priced room by room: its `rooms`, or the one room type of a single-room booking."""
    if request.rooms:
        if request.price_override is not None:
            raise ValidationFailed("A price override is given for a single-room booking: book the rooms one by "
                                   "one to override their prices.", field="price_override")
        if len(request.rooms) > MAX_ROOMS:
            raise InvalidParty(rooms_limit_message(), field="rooms")
        booking = booking_quote_rooms(hotel=hotel, rooms=request.rooms, rate_plan_code=request.rate_plan_code,
                                      check_in=request.check_in, check_out=request.check_out,
                                      promo_code=request.promo_code, extras=list(request.extras))
        return _settled_at_hotel(booking) if request.settle_at_hotel else booking
    quote = booking_quote(hotel=hotel, room_type_code=request.room_type_code,
                          rate_plan_code=request.rate_plan_code, check_in=request.check_in,
                          check_out=request.check_out, adults=request.adults, children=request.children,
                          room_count=request.room_count, promo_code=request.promo_code,
                          child_ages=request.child_ages, extras=list(request.extras))
    quote = price_override_apply(quote, request.price_override, actor=actor)
    child_ages = child_ages_validate(quote.children, request.child_ages)
    booking = BookingQuote(rooms=(RoomQuote(index=1, quote=quote, child_ages=child_ages,
                                            terms=terms_for_quote(quote, booked_on=hotel_today(hotel))),))
    return _settled_at_hotel(booking) if request.settle_at_hotel else booking


def _settled_at_hotel(booking: BookingQuote) -> BookingQuote:
    return replace(booking, rooms=tuple(replace(room, terms=terms_at_hotel(room.terms)) for room in booking.rooms))


def _expected(value, currency: str) -> Decimal | None:
    try:
        return round_money(Decimal(str(value)), currency)
    except (ArithmeticError, ValueError):
        return None


@dataclass(frozen=True)
class _Step:
    operation: str
    amount: Decimal | None


def _payment_step(request: BookingRequest, booking: BookingQuote) -> _Step | None:
    """What the gateway is asked at booking: the amount due now (saving the card for later charges), only
    saving the card (a guarantee, or nothing due now), or nothing (the channel collects, or pay at the hotel).
    A multi-room booking asks once, for the sum of its rooms' amounts due now."""
    if not request.collect_payment or not booking.card_required:
        return None
    if booking.due_now > 0:
        return _Step(PaymentAttempt.Operation.CHARGE, booking.due_now)
    return _Step(PaymentAttempt.Operation.SAVE_CARD, None)


def _booking_hold(*, hotel: Hotel, booking: BookingQuote, request: BookingRequest, step: _Step | None,
                  gateway: PaymentGateway, actor) -> tuple[Reservation, PaymentAttempt | None]:
    """The first short transaction: the PENDING reservations holding their rooms, and the payment attempt.

    Every room of the booking is created and reserved here, or none: a room sold out or restricted rolls the
    whole transaction back, naming the room. Rooms are reserved in room type order (each room type's nights in
    date order), so two bookings of the same room types lock inventory rows in the same order and never
    deadlock. With nothing to take through the gateway the booking is confirmed right here.
    """
    with transaction.atomic():
        rooms: list[tuple[RoomQuote, Reservation]] = []
        lead = None
        for room in booking.rooms:
            # A placeholder number until confirmation: a booking that fails never uses one up.
            reservation = _reservation_create_pending(hotel=hotel, quote=room.quote, request=request,
                                                      confirmation_number=f"TMP-{uuid.uuid4().hex}",
                                                      child_ages=room.child_ages, actor=actor, terms=room.terms,
                                                      lead=lead)
            lead = lead or reservation
            rooms.append((room, reservation))
        for room, reservation in sorted(rooms, key=lambda pair: (pair[0].quote.room_type.id, pair[0].index)):
            quote = room.quote
            try:
                short = inventory_reserve(room_type=quote.room_type, nights=[n.date for n in quote.nights],
                                          rooms=quote.rooms, holder=reservation.holder,
                                          enforce_restrictions=not request.overbook, check_out=quote.check_out,
                                          overbook=request.overbook)
            except DomainError as exc:
                raise room_named(exc, room.index, len(rooms)) from None
            if short:
                reservation.overbooked_nights = [night.isoformat() for night in short]
                Reservation.objects.filter(pk=reservation.pk).update(overbooked_nights=reservation.overbooked_nights)
        _promotion_use_take(lead, booking.rooms[0].quote.promotion)
        if step is None:
            note = request.payment_note or (f"Payment collected by {request.source or request.channel}"
                                            if not request.collect_payment else "Pay at the hotel: no card taken")
            _confirm_booking(lead, note=note, actor=actor)
            return lead, None
        allocation = ({r.pk: room.terms.due_now for room, r in rooms}
                      if len(rooms) > 1 and step.amount is not None else None)
        attempt = attempt_open(reservation=lead, step="BOOKING", operation=step.operation, gateway=gateway,
                               amount=step.amount, currency=booking.currency, payment_method=request.payment_method,
                               save_for_later=True, allocation=allocation)
    return lead, attempt


def _promotion_use_take(reservation: Reservation, promotion) -> None:
    """A promotion with a usage cap: count its uses with its row locked, this booking's included.

    The quote checked the cap without a lock; two bookings at the same moment could both see one use left.
    The lock (taken after the inventory rows, in every booking) makes them count one after the other, so the
    later one is refused like any fully booked promotion and its transaction rolls back. A booking counts once
    however many rooms it holds: only the leads (and single-room bookings) are counted.
    """
    if promotion is None or promotion.max_uses is None:
        return
    Promotion.objects.select_for_update().filter(pk=promotion.pk).values_list("pk", flat=True).first()
    uses = (Reservation.objects.filter(promotion_id=promotion.pk, lead__isnull=True)
            .exclude(status__in=USE_GIVEN_BACK).count())
    if uses > promotion.max_uses:
        raise UnknownPromoCode(f"The promotion {promotion.code} has been fully booked.", promo_code=promotion.code)


def _reservation_create_pending(*, hotel, quote: Quote, request: BookingRequest, confirmation_number: str,
                                child_ages, actor, terms: PaymentTerms, lead: Reservation | None = None
                                ) -> Reservation:
    guest = _guest_get_or_create(request.guest)
    currency = quote.currency
    typed = request.guest
    reservation = Reservation.objects.create(
        confirmation_number=confirmation_number, lead=lead,
        hotel=hotel, room_type=quote.room_type, rate_plan=quote.rate_plan, promotion=quote.promotion, guest=guest,
        guest_first_name=typed.first_name.strip()[:100], guest_last_name=typed.last_name.strip()[:100],
        guest_phone=typed.phone.strip()[:40], guest_loyalty_number=typed.loyalty_number.strip()[:30],
        check_in=quote.check_in, check_out=quote.check_out, adults=quote.adults, children=quote.children,
        child_ages=child_ages, room_count=quote.rooms, channel=request.channel, source=request.source[:100],
        special_requests=(request.special_requests or "").strip(), arrival_time=request.arrival_time,
        guest_emails=request.guest_emails,
        billing_address=(request.billing_address or "").strip(), language=guest_language(request.language),
        currency=currency, created_by_key=actor_fields(actor)["api_key"], **quote_totals(quote),
        cancellation_policy=quote.policy_snapshot, free_until=quote.free_until,
        payment_terms=terms.as_dict() if request.collect_payment else {},  # a channel's terms are not ours
        price_override=quote.price_override or {},
        hold_expires_at=timezone.now() + timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
    )
    ReservationNight.objects.bulk_create([
        ReservationNight(reservation=reservation, date=n.date, rate=n.rate, rate_plan_discount=n.rate_plan_discount,
                         promotion_discount=n.promotion_discount) for n in quote.nights])
    extras_store(reservation, quote)
    StatusChange.objects.create(reservation=reservation, from_status="", to_status=Status.PENDING,
                                note=f"Booked via {request.channel}{price_override_note(quote)}",
                                **actor_fields(actor))
    if request.marketing_consent and lead is None:  # once per booking, with its lead room
        consent_record(guest=guest, granted=True, source=request.consent_source, reservation=reservation,
                       actor=actor_label(actor) if actor is not None else "guest")
    return reservation
