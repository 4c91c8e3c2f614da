"""Our side of Stripe's hosted card fields in a real browser, with Stripe on (the booking charges through the real
`stripe` client against the local fake of api.stripe.com).

Stripe.js cannot load offline, so the browser is given a stand-in at https://js.stripe.com/v3/ (a few lines in
this file, never shipped): it records what our static/js/stripe_payment.js asks of it and answers like Stripe.js.
What is tested is ours: the Content-Security-Policy lets the script in (the page fixture fails on any violation),
the form posts a pm_ id and no card field, the 3-D Secure page hands the client secret to handleNextAction and
goes on to our return URL, and a Stripe.js that does not load leaves the guest a clear message.
"""

import re
from decimal import Decimal
from urllib.parse import parse_qs

from bookings.tests import stripe_setup
from tests import test_browser_booking as booking
from tests.test_browser_three_d_secure import _book_page, _shots

pytestmark = booking.pytestmark
demo, page = booking.demo, booking.page
stripe_fake, stripe_on = stripe_setup.stripe_fake, stripe_setup.stripe_on

STRIPE_JS_STAND_IN = """
window.__stripe = {};
window.Stripe = function (key) {
  window.__stripe.key = key;
  return {
    elements: function (options) {
      window.__stripe.options = options;
      return {
        create: function (type) {
          return {mount: function (holder) {
            holder.textContent = "[Stripe's card fields]";
            window.__stripe.mounted = type;
          }};
        },
        submit: function () { return Promise.resolve({}); }
      };
    },
    createPaymentMethod: function (made) {
      sessionStorage.setItem("billing", JSON.stringify(made.params.billing_details));
      return Promise.resolve({paymentMethod: {id: window.__stripe.next || "pm_card_visa"}});
    },
    handleNextAction: function (asked) {
      window.__stripe.clientSecret = asked.clientSecret;
      return new Promise(function (resolve) {
        window.__stripe.finish = function () { resolve({paymentIntent: {status: "succeeded"}}); };
      });
    }
  };
};
"""


def _stand_in(page):
    page.route("https://js.stripe.com/v3/", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=STRIPE_JS_STAND_IN))


def _until(page, expression: str, seconds: float = 10):
    """Wait until `expression` is true in the page. (page.wait_for_function evaluates a string, which the page's
    policy rightly refuses: no 'unsafe-eval'.)"""
    for _ in range(int(seconds * 20)):
        if page.evaluate(f"() => Boolean({expression})"):
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"never true: {expression}")


def _guest(page):
    page.fill("#id_first_name", "John")
    page.fill("#id_last_name", "Smith")
    page.fill("#id_email", "john.smith@example.com")


def test_the_stripe_form_posts_only_a_payment_method_id_and_books_664_14(page, demo, stripe_on):
    from bookings.models import Payment, Reservation

    _stand_in(page)
    _book_page(page, demo.url, booking._next_friday())
    _until(page, "window.__stripe && window.__stripe.mounted === 'payment'")
    assert page.evaluate("window.__stripe.key") == stripe_setup.PUBLISHABLE_KEY
    assert page.evaluate("window.__stripe.options") == {
        "mode": "payment", "currency": "usd", "amount": 66414, "paymentMethodCreation": "manual",
        "paymentMethodTypes": ["card"], "setupFutureUsage": "off_session"}
    assert page.locator("#payment-element").inner_text() == "[Stripe's card fields]"
    assert page.locator("input[name=card_number], input[name=cvc]").count() == 0
    _guest(page)
    _shots(page, "book-stripe")

    with page.expect_request(lambda r: r.method == "POST" and "/book/" in r.url) as posted:
        page.click("#booking-form button[type=submit]")
    form = parse_qs(posted.value.post_data)
    assert form["payment_method"] == ["pm_card_visa"]
    assert not {"card_number", "cvc", "exp_month", "exp_year", "holder_name"} & set(form)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('billing'))") == {
        "name": "John Smith", "email": "john.smith@example.com"}

    page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    assert "Paid 664.14 USD by Visa ending in 4242." in page.locator("main").inner_text()
    assert Reservation.objects.get().status == "CONFIRMED"
    assert [(p.amount, p.gateway) for p in Payment.objects.all()] == [(Decimal("664.14"), "stripe")]
    assert stripe_on.sent("/v1/payment_intents")[0].form["amount"] == "66414"


def test_3d_secure_with_stripe_hands_the_client_secret_to_handle_next_action(page, demo, stripe_on):
    from bookings.models import Reservation

    _stand_in(page)
    _book_page(page, demo.url, booking._next_friday())
    _until(page, "window.__stripe && window.__stripe.mounted")
    page.evaluate("window.__stripe.next = 'pm_card_authenticationRequired'")
    _guest(page)
    page.click("#booking-form button[type=submit]")

    page.wait_for_url(re.compile(r"/book/pay/[^/]+/$"))
    _until(page, "window.__stripe && window.__stripe.finish")
    [intent_id] = stripe_on.intents
    assert page.evaluate("window.__stripe.clientSecret") == f"{intent_id}_secret_fake"
    assert page.locator("#payment-action-status").inner_text() == "Waiting for your bank\u2026"
    assert not page.locator("#payment-action-start").is_visible()  # offered only if the window fails or closes
    assert Reservation.objects.get().status == "PENDING"
    _shots(page, "3ds-stripe")

    stripe_setup.intent_authenticated(stripe_on, intent_id)  # the guest passed the bank's check in Stripe's window
    page.evaluate("window.__stripe.finish()")

    page.wait_for_url(re.compile(r"/booking/GH-NYC-\d{13}/$"))
    assert "Your booking is confirmed" in page.locator("main").inner_text()
    assert Reservation.objects.get().status == "CONFIRMED"


def test_without_stripe_js_the_guest_is_told_and_cannot_submit(page, demo, stripe_on):
    page.route("https://js.stripe.com/v3/", lambda route: route.abort())

    friday = booking._next_friday()
    _book_page(page, demo.url, friday)

    errors = page.locator("#payment-errors")
    errors.wait_for(state="visible")
    assert "The card fields could not be loaded from Stripe." in errors.inner_text()
    assert page.locator("#booking-form button[type=submit]").is_disabled()
    assert "664.14" in page.locator("#price").inner_text()  # the stay itself is still shown
