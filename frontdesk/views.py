"""The guest's payment-link page, /pay/<signed token>/: the hotel, the booking and the amount, and the card form.

Thin: the token is read and the payment made by frontdesk.paylinks; this only turns HTTP into those calls and
their errors into the page. With Stripe on, the card is typed into Stripe's hosted fields (the script
static/js/stripe_payment.js fills the hidden payment_method field) and only a pm_... id reaches us.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from bookings.payments import default_gateway
from bookings.payments.stripe_gateway import to_stripe_amount
from hotelbooking.errors import PaymentFailed, PaymentLinkClosed, PaymentLinkNotFound
from hotelbooking.money import round_money

from . import paylinks
from .pay_forms import PayForm

# What Stripe's hosted card fields need from the page's Content-Security-Policy (docs.stripe.com/security/guide).
STRIPE_CSP = {"script-src": ["https://js.stripe.com"], "frame-src": ["https://js.stripe.com", "https://hooks.stripe.com"],
              "connect-src": ["https://api.stripe.com"]}


def _hosted_fields(gateway) -> bool:
    return gateway.name == "stripe" and bool(settings.STRIPE_PUBLISHABLE_KEY)


@sensitive_post_parameters("card_number", "cvc", "exp_month", "exp_year")
@sensitive_variables("form")
def pay(request, token):
    """GET: what is asked and the form (or that it is paid). POST: pay, then back to GET (PRG)."""
    try:
        link = paylinks.payment_link_by_token(token)
    except PaymentLinkNotFound as error:
        return _page(request, "frontdesk/pay_invalid.html", {"message": error.message}, status=404)
    gateway = default_gateway()
    hosted = _hosted_fields(gateway)
    form, closed = None, None
    if request.method == "POST":
        form = PayForm(request.POST, hosted_fields=hosted)
        if form.is_valid():
            try:
                paylinks.payment_link_pay(link_id=link.pk, gateway=gateway, card=form.card(),
                                          payment_method=form.method_id())
            except PaymentFailed as error:  # the card number and CVC are never written back (NeverEchoedInput)
                form.add_error(None, error.message)
            except PaymentLinkClosed as error:
                closed = error.message
            else:
                return redirect(request.path)
    elif {"check", "payment_intent"} & set(request.GET):
        link = paylinks.payment_link_refresh(link=link, gateway=gateway)
    link = paylinks.payment_link_by_token(token)  # as it stands now
    attempt = link.attempt
    r = link.reservation
    context = {
        "link": link, "r": r, "hotel": r.hotel, "amount": round_money(link.amount, link.currency),
        "form": form or PayForm(hosted_fields=hosted), "closed": closed, "hosted_fields": hosted,
        "paid_payment": attempt.payment if link.paid_at and attempt is not None else None,
        "pending": attempt is not None and attempt.open and not link.paid_at,
        "client_secret": attempt.client_secret if attempt is not None and attempt.state == "REQUIRES_ACTION" else "",
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY if hosted else "",
        # What stripe_payment.js needs to mount the Payment Element for this amount (Stripe's minor unit).
        "stripe_amount": to_stripe_amount(round_money(link.amount, link.currency), link.currency) if hosted else "",
        "stripe_currency": link.currency.lower(),
        "expires_local": timezone.make_naive(link.expires_at, r.hotel.tz),
    }
    response = _page(request, "frontdesk/pay.html", context, status=200)
    if hosted:
        response._csp_update = STRIPE_CSP
        response._csp_update_ro = STRIPE_CSP
    return response


def _page(request, template, context, *, status):
    response = render(request, template, context, status=status)
    # A page about one guest's booking, reached by a secret link: never cached, never shown from history.
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["Referrer-Policy"] = "same-origin"  # the token never leaks to other sites in the Referer
    return response


urlpatterns = [
    path("<str:token>/", pay, name="payment-link"),
]
