"""What the guest pages need for Stripe's hosted card fields: the script's address, the Content-Security-Policy
that lets it run (only on the pages that use it, only with Stripe on), and the Payment Element's options.

The boundary is kept thin: https://js.stripe.com/v3/ is loaded from Stripe (never copied here) and our own
static/js/stripe_payment.js mounts the element, makes the PaymentMethod and runs the 3-D Secure step.
"""

from django.conf import settings

from pricing.guarantee import PaymentTerms

from .payments.stripe_gateway import stripe_enabled, to_stripe_amount

STRIPE_JS = "https://js.stripe.com/v3/"
# Stripe's published CSP for Stripe.js and Elements: the script and its frames from js.stripe.com, the 3-D Secure
# frames from hooks.stripe.com, and the script's calls to api.stripe.com.
STRIPE_CSP = {
    "script-src": ["https://js.stripe.com", "https://*.js.stripe.com"],
    "frame-src": ["'self'", "https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"],
    "connect-src": ["https://api.stripe.com"],
}


def allow_stripe(response):
    """Let this page load Stripe.js and its frames (enforced and report-only policy alike)."""
    response._csp_update = STRIPE_CSP
    response._csp_update_ro = STRIPE_CSP
    return response


def payment_element(terms: PaymentTerms) -> dict | None:
    """The Payment Element's options for what the booking takes now, or None when no card is asked for.

    `mode` is "payment" when money is due now (amount in Stripe's minor unit), "setup" when the card is only
    kept. The server creates and confirms the intent itself (bookings.services.booking_create), so the element
    only makes a PaymentMethod (paymentMethodCreation "manual"); the booking always keeps the card for later
    charges (setup_future_usage off_session), and the element is told so.
    """
    if not stripe_enabled() or not terms.card_required:
        return None
    due_now = terms.due_now or 0
    return {
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "mode": "payment" if due_now > 0 else "setup",
        "amount": to_stripe_amount(due_now, terms.currency) if due_now > 0 else "",
        "currency": terms.currency.lower(),
        "setup_future_usage": "off_session",
    }
