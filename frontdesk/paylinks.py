"""Payment links: staff ask a guest to pay a booking's balance, or a deposit, online; the guest opens
/pay/<signed token>/ and pays with a card (the test gateway's card fields, or Stripe's hosted fields).

A link is made for an amount no larger than what is owed, emailed to the guest after it commits, and works until
`expires_at` (PAYMENT_LINK_DAYS, default 7). Each try to pay is a CHARGE payment attempt (bookings/payments/
attempts.py) of the step LINK:<id> (the n-th try after a decline: LINK:<id>:<n>), sent with no transaction open.
Paying twice is impossible: a try is opened only under the link's lock, while no other try is under way and the
link is not paid; the first try that succeeds marks the link paid (its finisher, whether the answer came from the
call, the settle task or the webhook). A link is refused when the booking is cancelled or what it asks exceeds
what is owed now (the guest paid otherwise meanwhile). The money is an ordinary Payment of the reservation
(purpose LINK): it shows on the folio and counts in the balance.
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bookings import guest_mail
from bookings.guest_mail import guest_email_send
from bookings.models import PaymentAttempt, Reservation, Status, actor_label
from bookings.notifications import emailable
from bookings.payments import Card, PaymentGateway
from bookings.payments.attempts import attempt_open, attempt_send, finisher, step_kind
from bookings.services import reservation_lock
from currency.formatting import money_text
from hotelbooking.errors import InvalidState, PaymentFailed, PaymentLinkClosed, PaymentLinkNotFound, ValidationFailed
from hotelbooking.locale import email_language
from hotelbooking.money import ZERO, fmt, round_money

from .models import PaymentLink
from .selectors import check_out_preview

logger = logging.getLogger(__name__)

SALT = "frontdesk.payment-link"
KIND = "LINK"
MAX_TRIES = 5  # declined tries per link: a public page must not become a card-testing machine
OPEN_FOR = (Status.CONFIRMED, Status.CHECKED_IN, Status.CHECKED_OUT)
State = PaymentAttempt.State


def link_days() -> int:
    return int(getattr(settings, "PAYMENT_LINK_DAYS", 7))


# --- the link itself ------------------------------------------------------------------------------------------

def payment_link_token(link: PaymentLink) -> str:
    """The link's secret in its address: its id, signed with SECRET_KEY (the link itself knows when it expires)."""
    return signing.Signer(salt=SALT).sign_object({"l": link.pk})


def payment_link_url(link: PaymentLink) -> str:
    """The absolute address of the link's page (emails are written where there is no request to take a host from)."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + reverse("payment-link", args=[payment_link_token(link)])


def payment_link_by_token(token: str) -> PaymentLink:
    """The link a token names; PAYMENT_LINK_NOT_FOUND for anything we did not sign."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign_object(token)["l"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PaymentLinkNotFound() from None
    link = (PaymentLink.objects.select_related("reservation__hotel", "reservation__guest", "reservation__room_type",
                                               "attempt").filter(pk=pk).first())
    if link is None:
        raise PaymentLinkNotFound()
    return link


def _link_steps(link_pk: int) -> Q:
    return Q(step=f"{KIND}:{link_pk}") | Q(step__startswith=f"{KIND}:{link_pk}:")


def _link_pk(step: str) -> int:
    return int(step.split(":")[1])


# --- what is owed -----------------------------------------------------------------------------------------------

def amount_owed(reservation: Reservation) -> Decimal:
    """What the guest still owes for the whole stay (nights not posted yet included), less link payments under
    way; never negative."""
    balance = check_out_preview(reservation).balance
    in_flight = sum((a.amount or ZERO for a in reservation.payment_attempts.filter(
        step__startswith=f"{KIND}:", state__in=[State.RECORDED, State.UNKNOWN, State.REQUIRES_ACTION])), ZERO)
    return max(ZERO, round_money(balance - in_flight, reservation.currency))


def _parse_amount(value, currency: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed("The amount must be a number, e.g. 120.00.", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("The amount must be positive.", field="amount")
    if round_money(amount, currency) != amount:
        raise ValidationFailed(f"The amount has more decimal places than {currency} allows.", field="amount")
    return amount


# --- staff: make and send a link --------------------------------------------------------------------------------

def payment_link_create(*, reservation: Reservation, purpose: str = PaymentLink.Purpose.BALANCE, amount=None,
                        email: str | None = None, actor=None) -> PaymentLink:
    """A link for the booking's balance (the amount owed, or part of it) or a deposit (an amount given), emailed
    to the guest (or `email`) once it commits.

    VALIDATION_ERROR for a bad amount, one larger than what is owed, or nothing owed; INVALID_STATE for a booking
    that is not confirmed, in house or checked out.
    """
    purpose = (purpose or PaymentLink.Purpose.BALANCE).strip().upper()
    if purpose not in PaymentLink.Purpose.values:
        raise ValidationFailed(f"purpose must be one of {', '.join(PaymentLink.Purpose.values)}.", field="purpose")
    with transaction.atomic():
        locked = reservation_lock(reservation.pk)
        cn, currency = locked.confirmation_number, locked.currency
        if locked.status not in OPEN_FOR:
            raise InvalidState(f"Reservation {cn} is {locked.get_status_display().lower()}: there is nothing to ask "
                               "a payment for.", state=locked.status)
        owed = amount_owed(locked)
        if amount in (None, ""):
            if purpose == PaymentLink.Purpose.DEPOSIT:
                raise ValidationFailed("Give the deposit amount.", field="amount")
            value = owed
        else:
            value = _parse_amount(amount, currency)
        if owed <= 0:
            raise ValidationFailed(f"Nothing is owed on reservation {cn}.", field="amount")
        if value > owed:
            raise ValidationFailed(f"{fmt(value, currency)} is more than the {fmt(owed, currency)} owed.",
                                   field="amount", owed=str(owed))
        to = (email or locked.guest.email or "").strip()
        if email:
            try:
                validate_email(to)
            except ValidationError:
                raise ValidationFailed("Please give a valid email address.", field="email") from None
        user = actor if getattr(actor, "pk", None) and hasattr(actor, "is_staff") else None
        now = timezone.now()
        link = PaymentLink.objects.create(
            reservation=locked, amount=value, currency=currency, purpose=purpose, created_by=user,
            actor=actor_label(actor), created_at=now, expires_at=now + timedelta(days=link_days()),
            sent_to=to if emailable(to) else "")
        if link.sent_to:
            transaction.on_commit(partial(payment_link_email, link.pk))
    return link


def payment_link_email(link_pk: int) -> None:
    """Email the link to the guest (after the link committed; never inside a transaction)."""
    link = PaymentLink.objects.select_related("reservation__hotel", "reservation__guest").get(pk=link_pk)
    r, hotel = link.reservation, link.reservation.hotel
    with translation.override(email_language(r.language)):  # the guest's, as booked
        context = {"link": link, "r": r, "hotel": hotel, "url": payment_link_url(link),
                   "amount": money_text(link.amount, link.currency),  # in the guest's language
                   "expires": timezone.localtime(link.expires_at, hotel.tz)}
        subject = _("Payment request from %(hotel)s: booking %(number)s") % {"hotel": hotel.name,
                                                                              "number": r.confirmation_number}
        message = EmailMultiAlternatives(
            subject=subject, body=render_to_string("frontdesk/email/payment_link.txt", context), to=[link.sent_to],
            reply_to=[hotel.email] if hotel.email else None)
        message.attach_alternative(render_to_string("frontdesk/email/payment_link.html", context), "text/html")
    guest_email_send(message, kind=guest_mail.PAYMENT_LINK, reservation=r)


# --- the guest: pay ----------------------------------------------------------------------------------------------

def payment_link_pay(*, link_id: int, gateway: PaymentGateway, card: Card | None = None,
                     payment_method: str = "") -> PaymentLink:
    """Pay the link with a card (test gateway) or a provider payment method (Stripe pm_...).

    PAYMENT_LINK_CLOSED (with its reason) when the link takes no payment; PAYMENT_FAILED when the card is
    declined (the guest may try another card, up to MAX_TRIES). Returns the link: paid, or with its try waiting
    for the guest to authenticate (3-D Secure) or for a lost answer to be settled.
    """
    if card is None and not payment_method:
        raise PaymentFailed("Card details are required.", decline_code="missing_card")
    reservation_id = PaymentLink.objects.filter(pk=link_id).values_list("reservation_id", flat=True).first()
    if reservation_id is None:
        raise PaymentLinkNotFound()
    with transaction.atomic():
        reservation = reservation_lock(reservation_id)  # the reservation first, then the link: the services' lock order
        link = PaymentLink.objects.select_for_update(of=("self",)).select_related("attempt").get(pk=link_id)
        _check_open(link, reservation)
        tries = PaymentAttempt.objects.filter(_link_steps(link.pk), reservation=reservation).count()
        if tries >= MAX_TRIES:
            raise PaymentLinkClosed(_("This link was declined too many times. Please contact the hotel."),
                                    reason="TOO_MANY_TRIES")
        if link.amount > amount_owed(reservation):
            raise PaymentLinkClosed(_("The amount owed on this booking has changed since the link was sent. "
                                      "Please ask the hotel for a new link."), reason="AMOUNT_CHANGED")
        step = f"{KIND}:{link.pk}" if tries == 0 else f"{KIND}:{link.pk}:{tries + 1}"
        attempt = attempt_open(reservation=reservation, step=step, operation=PaymentAttempt.Operation.CHARGE,
                               gateway=gateway, amount=link.amount, currency=link.currency,
                               payment_method=payment_method)
        link.attempt = attempt
        link.save(update_fields=["attempt"])
    attempt = attempt_send(attempt, gateway, card=card)  # no transaction open: nothing locked
    link.refresh_from_db()
    if attempt.state == State.FAILED:
        raise PaymentFailed(attempt.error_message or None, decline_code=attempt.error_code or "card_declined")
    return link


def _check_open(link: PaymentLink, reservation: Reservation) -> None:
    if link.paid_at is not None:
        raise PaymentLinkClosed(_("This link has been paid. Thank you."), reason="PAID")
    if link.expired:
        raise PaymentLinkClosed(_("This link has expired. Please ask the hotel for a new one."), reason="EXPIRED")
    if reservation.status not in OPEN_FOR:
        raise PaymentLinkClosed(_("This booking no longer takes payments. Please contact the hotel."),
                                reason="BOOKING_CLOSED")
    if link.attempt is not None and link.attempt.open:
        raise PaymentLinkClosed(_("A payment of this link is being confirmed. Please wait a moment and reload "
                                  "the page."), reason="IN_PROGRESS", retryable=True)


def payment_link_refresh(*, link: PaymentLink, gateway: PaymentGateway) -> PaymentLink:
    """Ask where the link's try stands (the guest is back from 3-D Secure, or its answer was lost and is due)."""
    attempt = link.attempt
    if attempt is None or not attempt.open:
        return link
    due = attempt.next_try_at is None or attempt.next_try_at <= timezone.now()
    if attempt.state == State.REQUIRES_ACTION or due:
        attempt_send(attempt, gateway)
        link.refresh_from_db()
    return link


@finisher(KIND)
def payment_link_finish(attempt: PaymentAttempt) -> None:
    """A try settled: the first one that succeeded marks the link paid. One succeeding after another (it cannot,
    while tries wait for each other; still) is flagged for a person to refund."""
    if attempt.state != State.SUCCEEDED or step_kind(attempt.step) != KIND:
        return
    with transaction.atomic():
        link = PaymentLink.objects.select_for_update().filter(pk=_link_pk(attempt.step)).first()
        if link is None:
            return
        if link.paid_at is None:
            link.paid_at, link.attempt = attempt.settled_at or timezone.now(), attempt
            link.save(update_fields=["paid_at", "attempt"])
            logger.info("Payment link %s of %s paid: %s %s", link.pk, attempt.reservation_id, link.amount,
                        link.currency)
        elif link.attempt_id != attempt.pk:
            PaymentAttempt.objects.filter(pk=attempt.pk).update(
                needs_attention=True, error_message=f"Payment link {link.pk} was already paid: refund this one.")
            logger.error("Payment link %s paid twice (attempt %s)", link.pk, attempt.pk)


def payment_links_of(reservation: Reservation) -> list[PaymentLink]:
    return list(PaymentLink.objects.filter(reservation=reservation).select_related("attempt"))
