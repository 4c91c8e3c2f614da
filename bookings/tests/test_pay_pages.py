"""The guest's payment step with the built-in test gateway: 3-D Secure (Stripe's pm_card_authenticationRequired)
through the payment page, its "Complete authentication (test)" button and the return URL; a failed
authentication back on the book page; a lost answer on the "We are confirming your payment" page."""

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from bookings.models import Payment, PaymentAttempt, Reservation
from inventory.models import InventoryDay
from tests.test_content_security_policy import assert_runs_under_the_policy

from .faulty_gateway import FaultyGateway
from .test_booking_pages import _book_url, _form_data, _text

pytestmark = pytest.mark.django_db

PAY_URL = re.compile(r"^/book/pay/([^/]+)/$")


def _sold(friday):
    return list(InventoryDay.objects.filter(room_type__code="DELUXE-KING", date__gte=friday,
                                            date__lt=friday + timedelta(days=3))
                .order_by("date").values_list("sold", flat=True))


def _book_with(client, friday, payment_method):
    page = client.get(_book_url(friday))
    data = _form_data(page, card="", cvc="", holder_name="", payment_method=payment_method)
    return client.post(_book_url(friday), data)


def _token(response) -> str:
    assert response.status_code == 302, response.content[:500]
    match = PAY_URL.match(response["Location"])
    assert match, response["Location"]
    return match.group(1)


def test_the_test_gateways_form_offers_stripes_test_payment_methods_beside_the_card(client, nyc, next_friday):
    text = _text(client.get(_book_url(next_friday)))

    assert 'name="card_number"' in text and 'name="cvc"' in text
    assert 'name="payment_method"' in text
    assert '<option value="pm_card_authenticationRequired">Visa 3184: asks for 3-D Secure</option>' in text
    assert "js.stripe.com" not in text


def test_3d_secure_holds_the_rooms_authenticates_and_confirms_664_14(client, nyc, next_friday,
                                                                     django_capture_on_commit_callbacks):
    before = _sold(next_friday)
    response = _book_with(client, next_friday, "pm_card_authenticationRequired")

    token = _token(response)
    r = Reservation.objects.get()
    assert r.status == "PENDING"
    assert _sold(next_friday) == [n + 1 for n in before]  # the rooms are held meanwhile
    assert not Payment.objects.exists() and mail.outbox == []

    page = client.get(response["Location"])
    assert_runs_under_the_policy(page, response["Location"])  # no inline script or style
    text = _text(page)
    assert "Confirm the payment with your bank" in text
    assert "this payment of <strong>664.14 USD</strong> (3-D Secure)" in text
    assert "Test gateway: no bank is asked." in text
    assert f'action="/book/pay/{token}/test-authenticate"' in text
    assert "Complete authentication (test)" in text and "Fail authentication (test)" in text
    assert "no-store" in page["Cache-Control"]
    assert "js.stripe.com" not in text and "stripe.com" not in page["Content-Security-Policy"]

    back = client.post(f"/book/pay/{token}/test-authenticate", {"outcome": "succeed"})
    assert back.status_code == 302 and back["Location"] == f"/book/pay/{token}/return"
    with django_capture_on_commit_callbacks(execute=True):
        done = client.get(back["Location"])

    r.refresh_from_db()
    assert r.status == "CONFIRMED"
    assert done.status_code == 302 and done["Location"] == f"/booking/{r.confirmation_number}/"
    confirmation = _text(client.get(done["Location"]))
    assert "Your booking is confirmed" in confirmation
    assert "Paid 664.14 USD by Visa ending in 3184." in confirmation
    assert [(p.kind, p.amount) for p in Payment.objects.all()] == [("CHARGE", Decimal("664.14"))]
    assert _sold(next_friday) == [n + 1 for n in before]
    assert len(mail.outbox) == 1 and r.confirmation_number in mail.outbox[0].subject
    # The page is done with: it sends the guest on to the confirmation again.
    assert client.get(f"/book/pay/{token}/").status_code == 302


def test_a_failed_authentication_sends_the_guest_back_to_the_book_page_saying_so(client, nyc, next_friday):
    before = _sold(next_friday)
    token = _token(_book_with(client, next_friday, "pm_card_authenticationRequired"))

    client.post(f"/book/pay/{token}/test-authenticate", {"outcome": "fail"})
    back = client.get(f"/book/pay/{token}/return")

    assert back.status_code == 302 and back["Location"] == _book_url(next_friday)
    page = client.get(back["Location"])
    assert page.status_code == 200
    box = re.search(r'<div class="error-box" role="alert" id="form-errors" data-code="PAYMENT_FAILED">(.*?)</div>',
                    page.content.decode(), re.S)
    assert box and "The payment was declined. Please use another card." in box.group(1)
    assert not Reservation.objects.exists() and not Payment.objects.exists()
    assert _sold(next_friday) == before  # the rooms went back
    # Said once: the next visit of the book page is a fresh form.
    assert "PAYMENT_FAILED" not in client.get(_book_url(next_friday)).content.decode()


def test_coming_back_before_authenticating_shows_the_payment_page_again(client, nyc, next_friday):
    token = _token(_book_with(client, next_friday, "pm_card_authenticationRequired"))

    back = client.get(f"/book/pay/{token}/return")

    assert back.status_code == 302 and back["Location"] == f"/book/pay/{token}/?again=1"
    assert "The payment is not confirmed yet." in _text(client.get(back["Location"]))
    assert Reservation.objects.get().status == "PENDING"


def test_a_declined_test_payment_method_stays_on_the_book_page(client, nyc, next_friday):
    response = _book_with(client, next_friday, "pm_card_chargeDeclined")

    assert response.status_code == 200
    assert "The card was declined. Please use another card." in _text(response)
    assert not Reservation.objects.exists()


def test_the_card_fields_are_still_needed_without_a_test_payment_method(client, nyc, next_friday):
    response = _book_with(client, next_friday, "")

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"card_number", "cvc", "holder_name"}
    assert not Reservation.objects.exists()


def test_a_lost_answer_shows_the_confirming_page_until_the_payment_is_settled(client, nyc, next_friday):
    faulty = FaultyGateway()
    faulty.fail_next("charge", "timeout_after")
    with mock.patch("bookings.payments.default_gateway", return_value=faulty):
        token = _token(_book_with(client, next_friday, "pm_card_visa"))
        attempt = PaymentAttempt.objects.get()
        assert attempt.state == "UNKNOWN"

        waiting = client.get(f"/book/pay/{token}/", follow=True)
        assert waiting.redirect_chain == [(f"/book/pay/{token}/return", 302)]
        assert_runs_under_the_policy(waiting, "confirming")
        text = _text(waiting)
        assert "We are confirming your payment" in text
        assert "Your payment of <strong>664.14 USD</strong> is being confirmed" in text
        assert f'<meta http-equiv="refresh" content="3;url=/book/pay/{token}/return">' in text
        # Refreshing before the settle time asks the provider nothing (the attempt's tries are not used up).
        client.get(f"/book/pay/{token}/return")
        assert [op for op, _ in faulty.calls] == ["charge"]

        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            done = client.get(f"/book/pay/{token}/return")

    r = Reservation.objects.get()
    assert r.status == "CONFIRMED"
    assert done.status_code == 302 and done["Location"] == f"/booking/{r.confirmation_number}/"
    # The same idempotency key both times: the money moved once and is recorded once.
    assert [key for _, key in faulty.calls] == [attempt.idempotency_key] * 2
    assert faulty.total_moved == Decimal("664.14")
    assert [p.amount for p in Payment.objects.all()] == [Decimal("664.14")]


def test_a_token_that_is_not_ours_is_refused(client, nyc):
    response = client.get("/book/pay/not-a-token/return")

    assert response.status_code == 404
    assert "We could not find this payment" in _text(response)


def test_the_payment_page_expires_with_the_hold(client, nyc, next_friday, settings):
    token = _token(_book_with(client, next_friday, "pm_card_authenticationRequired"))

    with time_machine.travel(timezone.now() + timedelta(minutes=settings.BOOKING_HOLD_MINUTES, seconds=5)):
        response = client.get(f"/book/pay/{token}/")

    assert response.status_code == 410
    assert "This payment page has expired" in _text(response)


def test_test_authentication_answers_only_with_the_test_gateway(client, nyc, next_friday, settings):
    token = _token(_book_with(client, next_friday, "pm_card_authenticationRequired"))
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.PAYMENT_GATEWAY = "bookings.payments.stripe_gateway.StripeGateway"

    response = client.post(f"/book/pay/{token}/test-authenticate", {"outcome": "succeed"})

    assert response.status_code == 404
    assert PaymentAttempt.objects.get().state == "REQUIRES_ACTION"


def test_a_token_names_its_booking_attempt_without_giving_its_key_away(client, nyc, next_friday):
    from django.core import signing

    from bookings.services.confirm import TOKEN_SALT

    token = _token(_book_with(client, next_friday, "pm_card_authenticationRequired"))
    attempt = PaymentAttempt.objects.get()
    assert attempt.idempotency_key not in str(signing.loads(token, salt=TOKEN_SALT))
    # The same reservation with another attempt's digest (a primary key used again after a declined booking):
    # not this booking, which is left as it was.
    forged = signing.dumps({"r": attempt.reservation_id, "k": "0" * 24, "x": {}}, salt=TOKEN_SALT, compress=True)

    response = client.get(f"/book/pay/{forged}/return")

    assert response.status_code == 302 and response["Location"].startswith("/book/?")
    assert Reservation.objects.get().status == "PENDING"
    assert PaymentAttempt.objects.get().state == "REQUIRES_ACTION"
