"""The night audit: no-shows, nights posted, and the audit run per hotel and business date."""

import logging
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bookings import events
from bookings.models import OutboxEvent, PaymentAttempt, Reservation, Status
from bookings.payments import PaymentGateway
from bookings.payments.attempts import finisher
from bookings.services import (
    reservation_lock,
    reservation_save,
    transition,
)
from bookings.services.ledger import (
    OPEN_STATES,
    amount_paid_net,
    attempts_send,
    charge_on_file_open,
    claimed,
    compensation_open,
    is_claimed,
    refunds_open,
    unapplied_charges,
)
from bookings.waivers import waiver_check, waiver_note
from hotelbooking.errors import (
    DomainError,
    InvalidDates,
)
from hotelbooking.money import ZERO, fmt, round_money
from inventory.models import Hotel
from inventory.services import inventory_release
from pricing.cancellation import no_show_penalty
from pricing.search import hotel_today

from ..folio import nightly_totals
from ..models import (
    FolioLine,
    NightAuditRun,
    NightAuditSchedule,
)
from ..selectors import stay_plan
from .common import _channel_bills, _channel_collected, _post_line, post_stay_nights
from .out_of_order import out_of_order_sync

logger = logging.getLogger(__name__)

NO_SHOW_STEP = "NO_SHOW"


def no_show_terms(reservation: Reservation) -> tuple[Decimal, Decimal]:
    """The no-show penalty the policy asks of `reservation` and what it has paid (net): reads only."""
    penalty = no_show_penalty(snapshot=reservation.cancellation_policy or {}, total=reservation.grand_total,
                              nightly_totals=nightly_totals(stay_plan(reservation)), currency=reservation.currency,
                              retained=reservation.retained_amount)
    return penalty, amount_paid_net(reservation)


def reservation_no_show(*, reservation_id: int, gateway: PaymentGateway, business_date: date, actor=None,
                        waive_reason: str | None = None) -> Reservation | None:
    """A CONFIRMED reservation whose arrival day has passed: NO_SHOW with the policy's no-show penalty.

    One short transaction marks it, posts the penalty to the folio, gives the rooms back and records the money
    the penalty moves (step NO_SHOW:<business date>): what was paid beyond it refunded, what is missing charged
    to the card on file (a card guarantee's saved card included). After the commit the attempts are sent with
    nothing locked. The no-show stands whatever the gateway says: a declined charge leaves the penalty open on
    the folio, a refund refused for now is queued and retried, one refused outright waits for a person.
    ReservationNoShow is recorded once the money has its first answers, saying what was refunded, collected,
    is still outstanding (declined, or no card) and pending (being settled).
    """
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.CONFIRMED)
        if reservation is None or reservation.check_in > business_date:
            return None
        currency = reservation.currency
        waiver = waiver_check(actor=actor, hotel=reservation.hotel, reason=waive_reason) \
            if waive_reason is not None else None
        # A change charged a moment ago and not applied does not pay for the stay: it goes back whole.
        given_back = [compensation_open(charge) for charge in unapplied_charges(reservation)]
        penalty, paid = no_show_terms(reservation)
        note = f"No-show: penalty {fmt(penalty, currency)}"
        if waiver is not None:  # a manager's waiver (bookings.waivers): nothing kept, everything paid back
            waived = waiver_note(waiver, actor=actor, waived=round_money(penalty, currency), currency=currency)
            note = f"No-show. {waived}"
            penalty = ZERO
        transition(reservation, "mark_no_show", by=actor, note=note)
        reservation_save(reservation)
        channel_pays = _channel_bills(reservation) if penalty > 0 else _channel_collected(reservation)
        if penalty > 0:  # to the channel's folio when the channel collected the booking
            _post_line(reservation, kind=FolioLine.Kind.PENALTY, amount=penalty, business_date=business_date,
                       description=f"No-show penalty ({(reservation.cancellation_policy or {}).get('name', '')})",
                       key="no-show")
        step = f"{NO_SHOW_STEP}:{business_date.isoformat()}"
        attempts: list[PaymentAttempt] = []
        if channel_pays:  # the channel collects it from its guest: no card of ours to charge or refund
            pass
        elif paid > penalty:
            attempts = refunds_open(reservation=reservation, step=step, amount=paid - penalty, gateway=gateway)
        elif paid < penalty:
            charge = charge_on_file_open(reservation=reservation, step=step, amount=penalty - paid, gateway=gateway)
            attempts = [charge] if charge is not None else []
        inventory_release(holder=reservation.holder)
        if not attempts:
            uncharged = penalty - paid if paid < penalty and not channel_pays else ZERO
            _no_show_event(reservation, penalty=penalty, uncharged=uncharged)
    attempts_send(given_back, gateway)
    if attempts:
        with ExitStack() as waiting:  # the event waits for all of them, not for the first answer
            for attempt in attempts:
                waiting.enter_context(claimed(attempt))
            attempts_send(attempts, gateway)
        no_show_event_record(reservation.pk)
    return reservation


def _no_show_event(reservation: Reservation, *, penalty: Decimal, uncharged: Decimal = ZERO) -> None:
    """Inside the transaction holding the reservation: ReservationNoShow, once, with where its money stands.

    `uncharged`: penalty left owed without a charge being tried (no card on file).
    """
    if OutboxEvent.objects.filter(reservation=reservation, name=events.RESERVATION_NO_SHOW).exists():
        return
    c = reservation.currency
    moved = list(PaymentAttempt.objects.filter(reservation=reservation, step__startswith=f"{NO_SHOW_STEP}:"))
    Op, S = PaymentAttempt.Operation, PaymentAttempt.State

    def total(operation, *states) -> Decimal:
        return round_money(sum((a.amount for a in moved if a.operation == operation and a.state in states), ZERO), c)

    def shown(amount: Decimal) -> str:  # as the payload always had it: "0" for nothing, else the amount
        return str(round_money(amount, c)) if amount else "0"

    events.event_record(events.RESERVATION_NO_SHOW, reservation=reservation, payload={
        "penalty": str(round_money(penalty, c)), "refunded": shown(total(Op.REFUND, S.SUCCEEDED)),
        "collected": shown(total(Op.CHARGE_SAVED, S.SUCCEEDED)),
        "outstanding": shown(uncharged + total(Op.CHARGE_SAVED, S.FAILED)),
        "pending": shown(total(Op.CHARGE_SAVED, *OPEN_STATES) + total(Op.REFUND, *OPEN_STATES, S.FAILED)),
        "currency": c})


def no_show_event_record(reservation_id: int) -> None:
    """Record ReservationNoShow if it is not yet (once the no-show's money has its answers)."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.NO_SHOW)
        if reservation is None:
            return
        line = FolioLine.objects.filter(reservation=reservation, posting_key="no-show").first()
        _no_show_event(reservation, penalty=line.amount if line is not None else ZERO)


@finisher(NO_SHOW_STEP)
def no_show_finish(attempt: PaymentAttempt) -> None:
    """A no-show's charge or refund settled. A declined penalty charge stays owed on the folio and is flagged for
    the desk (the admin's "needs a person" list). With nobody waiting (the night audit's process died, or the
    answer came later) the ReservationNoShow event is recorded if it was not yet."""
    if attempt.operation == PaymentAttempt.Operation.CHARGE_SAVED and attempt.state == PaymentAttempt.State.FAILED:
        PaymentAttempt.objects.filter(pk=attempt.pk).update(needs_attention=True)
    if not is_claimed(attempt):
        no_show_event_record(attempt.reservation_id)


def stay_nights_post(*, reservation_id: int, through: date) -> int:
    """The night audit's posting for an in-house stay: every night up to `through` not yet on the folio."""
    with transaction.atomic():
        reservation = reservation_lock(reservation_id, status=Status.CHECKED_IN)
        if reservation is None:
            return 0
        return post_stay_nights(reservation, through=through)


def audit_time_for(hotel: Hotel) -> time:
    schedule = getattr(hotel, "night_audit_schedule", None)
    return schedule.audit_time if schedule is not None else NightAuditSchedule.DEFAULT_TIME


def audit_business_date_due(*, hotel: Hotel, audit_time: time, now: datetime) -> date:
    """The latest business day whose audit time has passed, in the hotel's zone.

    An audit time before noon closes the previous day (03:00 on the 16th closes the 15th); from noon on it
    closes the same day.
    """
    local = timezone.localtime(now, hotel.tz)
    day = local.date()
    if audit_time < time(12):
        day -= timedelta(days=1)
    if local.time() < audit_time:
        day -= timedelta(days=1)
    return day


AUDIT_LEASE = timedelta(minutes=10)


def night_audit_run(*, hotel: Hotel, business_date: date, gateway: PaymentGateway) -> NightAuditRun | None:
    """Close one business day of one hotel, at most once: no-shows, room nights posted, out-of-order rooms.

    Returns None when that day is already audited or another worker is auditing it right now. A day after the
    hotel's today is refused (INVALID_DATES): auditing it would make guests who have not arrived yet no-shows.
    """
    if business_date > hotel_today(hotel):
        raise InvalidDates(f"The business day {business_date:%B %-d, %Y} at {hotel.name} has not ended yet; "
                           "only a day that has passed can be audited.", field="business_date")
    run = NightAuditRun.objects.filter(hotel=hotel, business_date=business_date).first()
    if run is None:
        try:
            with transaction.atomic():
                run = NightAuditRun.objects.create(hotel=hotel, business_date=business_date)
        except IntegrityError:
            run = NightAuditRun.objects.get(hotel=hotel, business_date=business_date)
    now = timezone.now()
    claimed = NightAuditRun.objects.filter(pk=run.pk, finished_at__isnull=True).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(claimed_until=now + AUDIT_LEASE)
    if not claimed:
        return None
    errors, no_shows, nights = [], 0, 0
    due = Reservation.objects.filter(hotel=hotel, status=Status.CONFIRMED, check_in__lte=business_date) \
        .order_by("check_in", "pk").values_list("pk", flat=True)
    for pk in list(due):
        try:
            if reservation_no_show(reservation_id=pk, gateway=gateway, business_date=business_date):
                no_shows += 1
        except DomainError as exc:  # the no-show's money never fails it: a refused refund is queued, not raised
            errors.append(f"no-show {pk}: {exc.code} {exc.message}")
            logger.warning("Night audit %s %s: no-show %s failed: %s", hotel.code, business_date, pk, exc.message)
    in_house = Reservation.objects.filter(hotel=hotel, status=Status.CHECKED_IN).values_list("pk", flat=True)
    for pk in list(in_house):
        nights += stay_nights_post(reservation_id=pk, through=business_date)
    out_of_order_sync(hotel=hotel, today=hotel_today(hotel))
    NightAuditRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), no_shows=no_shows,
                                                   nights_posted=nights, errors="\n".join(errors)[:5000])
    run.refresh_from_db()
    return run


def night_audits_run_due(*, gateway: PaymentGateway, now: datetime | None = None) -> list[NightAuditRun]:
    """Every hotel whose local audit time has passed and whose business day is not audited yet: audit it."""
    now = now or timezone.now()
    runs = []
    for hotel in Hotel.objects.select_related("night_audit_schedule").order_by("code"):
        schedule = getattr(hotel, "night_audit_schedule", None)
        if schedule is not None and not schedule.enabled:
            continue
        day = audit_business_date_due(hotel=hotel, audit_time=audit_time_for(hotel), now=now)
        if NightAuditRun.objects.filter(hotel=hotel, business_date=day, finished_at__isnull=False).exists():
            continue
        run = night_audit_run(hotel=hotel, business_date=day, gateway=gateway)
        if run is not None:
            runs.append(run)
    return runs
