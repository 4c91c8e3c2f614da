"""The payment step after the book form, when the payment was not settled at once (the booking is PENDING, its
rooms held):

- /book/pay/<token>/: the guest's bank wants the payment authenticated (3-D Secure). With Stripe our
  stripe_payment.js runs stripe.handleNextAction; with the built-in test gateway the page offers "Complete
  authentication (test)" instead. Either way the guest then lands on the return URL.
- /book/pay/<token>/return: asks the provider where the payment stands (services.booking_payment_confirm); on to
  the confirmation, back to the book page with the reason (PAYMENT_FAILED), or "We are confirming your payment",
  which refreshes itself until the answer is in.
- /book/pay/<token>/test-authenticate: what the guest's bank does, for the demo and the tests; it answers only
  while the built-in test gateway is the gateway.

The token is signed (django.core.signing) and lasts as long as the hold on the rooms.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_POST

from hotelbooking.errors import BookingNotCompleted, PaymentFailed, PaymentLinkExpired, ReservationNotFound
from hotelbooking.money import round_money

from . import payments, services
from .models import PaymentAttempt, Status
from .payments import TestGateway
from .payments.stripe_gateway import stripe_enabled
from .services.confirm import NOT_COMPLETED
from .stripe_pages import STRIPE_JS, allow_stripe
from .views import PAYMENT_FAILED_KEY, book_url, remember_confirmation

# The "We are confirming your payment" page asks again this often (seconds).
REFRESH_SECONDS = 3


def _private(response):
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


def _read(request, token: str):
    """The token's payment and its reservation (None once a declined booking is gone), or the refusal page."""
    try:
        pending = services.booking_payment_token_read(token)
    except (PaymentLinkExpired, ReservationNotFound) as refused:
        expired = isinstance(refused, PaymentLinkExpired)
        return None, None, _private(render(request, "bookings/pay.html", {
            "state": "expired" if expired else "unknown", "message": refused.message},
            status=410 if expired else 404))
    return pending, services.booking_payment_pending(pending), None


def _failed(request, pending, message: str):
    """Back to the book page of the same stay, which says why the payment failed."""
    request.session[PAYMENT_FAILED_KEY] = message
    return redirect(book_url(pending.extra.get("q") or {}))


def _summary(reservation) -> dict:
    hotel = reservation.hotel
    attempt = services.booking_payment_attempt(reservation)
    amount = attempt.amount if attempt is not None and attempt.amount is not None else reservation.grand_total
    held = timezone.make_naive(reservation.hold_expires_at, hotel.tz) if reservation.hold_expires_at else None
    return {"r": reservation, "hotel": hotel, "amount": str(round_money(amount, reservation.currency)),
            "total": str(round_money(reservation.grand_total, reservation.currency)),
            "currency": reservation.currency, "held_until": held, "timezone": hotel.timezone,
            "saving_only": attempt is not None and attempt.operation == PaymentAttempt.Operation.SAVE_CARD}


def pay(request, token: str):
    """The 3-D Secure step: Stripe's (our script runs stripe.handleNextAction), or the test gateway's buttons."""
    pending, reservation, refused = _read(request, token)
    if refused:
        return refused
    attempt = services.booking_payment_attempt(reservation) if reservation is not None else None
    if (attempt is None or reservation.status != Status.PENDING
            or attempt.state != PaymentAttempt.State.REQUIRES_ACTION):
        return redirect(reverse("booking-pay-return", args=[token]))  # nothing to authenticate: see where it stands
    context = {**_summary(reservation), "token": token, "again": bool(request.GET.get("again")),
               "return_url": reverse("booking-pay-return", args=[token])}
    if attempt.gateway == "stripe" and stripe_enabled():
        context.update(state="stripe", stripe_js=STRIPE_JS, client_secret=attempt.client_secret,
                       publishable_key=settings.STRIPE_PUBLISHABLE_KEY)
        return allow_stripe(_private(render(request, "bookings/pay.html", context)))
    if _test_gateway_in_use():
        context.update(state="test", authenticate_url=reverse("booking-pay-test-authenticate", args=[token]))
        return _private(render(request, "bookings/pay.html", context))
    # The payment was started with a gateway that is no longer the one configured: wait for its answer.
    return redirect(reverse("booking-pay-return", args=[token]))


def pay_return(request, token: str):
    """Where the guest lands after authenticating (and what the confirming page refreshes): settle and move on."""
    pending, reservation, refused = _read(request, token)
    if refused:
        return refused
    if reservation is None:  # declined meanwhile (the webhook or the settle task): it left no trace
        return _failed(request, pending, NOT_COMPLETED)
    try:
        reservation = services.booking_payment_confirm(reservation.pk, payments.default_gateway())
    except (PaymentFailed, BookingNotCompleted) as error:
        return _failed(request, pending, error.message)
    if reservation.status != Status.PENDING:
        remember_confirmation(request, reservation.confirmation_number)
        return redirect(reverse("booking-confirmation", args=[reservation.confirmation_number]))
    attempt = services.booking_payment_attempt(reservation)
    if attempt.state == PaymentAttempt.State.REQUIRES_ACTION:  # not authenticated yet (the bank's window closed)
        return redirect(reverse("booking-pay", args=[token]) + "?again=1")
    return _private(render(request, "bookings/pay.html", {
        **_summary(reservation), "state": "confirming", "refresh_seconds": REFRESH_SECONDS,
        "return_url": reverse("booking-pay-return", args=[token])}))


def _test_gateway_in_use() -> bool:
    return isinstance(payments.default_gateway(), TestGateway)


@require_POST
def pay_test_authenticate(request, token: str):
    """The test gateway's stand-in for the bank's 3-D Secure window: the payment is authenticated (or, with
    outcome=fail, refused), then the guest goes on to the return URL like after Stripe's window."""
    if not _test_gateway_in_use():
        raise Http404("Only the built-in test gateway authenticates here.")
    pending, reservation, refused = _read(request, token)
    if refused:
        return refused
    attempt = services.booking_payment_attempt(reservation) if reservation is not None else None
    if attempt is not None and attempt.state == PaymentAttempt.State.REQUIRES_ACTION:
        try:
            TestGateway.authenticate(attempt.reference, succeed=request.POST.get("outcome") != "fail")
        except KeyError:  # not a payment this process's test gateway made: the return URL's check says so
            pass
    return redirect(reverse("booking-pay-return", args=[token]))


urlpatterns = [
    path("book/pay/<str:token>/", pay, name="booking-pay"),
    path("book/pay/<str:token>/return", pay_return, name="booking-pay-return"),
    path("book/pay/<str:token>/test-authenticate", pay_test_authenticate, name="booking-pay-test-authenticate"),
]
