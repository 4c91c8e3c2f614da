"""Payment links: staff send a guest a link for the balance or a deposit; the guest pays on /pay/<token>/ once,
and the payment shows on the folio."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from bookings.models import Channel, Payment, PaymentAttempt, Status
from bookings.payments import TestGateway
from bookings.payments.attempts import attempts_settle_due
from bookings.services import BookingRequest, GuestDetails, booking_create
from bookings.tests.faulty_gateway import FaultyGateway
from frontdesk import views
from frontdesk.models import PaymentLink
from frontdesk.paylinks import payment_link_create, payment_link_pay, payment_link_token
from frontdesk.permissions import FRONT_DESK_GROUP
from frontdesk.selectors import check_out_preview, folio_get
from frontdesk.services import charge_post, stay_check_in, stay_check_out
from hotelbooking.errors import InvalidState, PaymentLinkClosed, ValidationFailed

from .conftest import at

pytestmark = pytest.mark.django_db
GOOD = {"card_number": TestGateway.SUCCEEDS, "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "holder_name": "John Smith"}
DECLINED = {**GOOD, "card_number": TestGateway.DECLINED}


@pytest.fixture
def in_house(seed_stay, next_friday):
    """The seed stay checked in, with 92.50 of incidentals on the folio (the room was paid at booking)."""
    with at(next_friday):
        stay_check_in(confirmation_number=seed_stay.confirmation_number, room_numbers=["1204"])
        charge_post(confirmation_number=seed_stay.confirmation_number, kind="MINIBAR", amount="12.50", currency="USD")
        charge_post(confirmation_number=seed_stay.confirmation_number, kind="SPA", amount="80.00", currency="USD")
    seed_stay.refresh_from_db()
    return seed_stay


@pytest.fixture
def unpaid(nyc, next_friday):
    """The seed's stay booked to be paid at the hotel: nothing taken at booking, 664.14 owed."""
    return booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, card=None, collect_payment=False,
        guest=GuestDetails("Ana", "Lopez", "ana@example.com"), channel=Channel.DIRECT, source="Phone"),
        gateway=TestGateway())


@pytest.fixture
def faulty(monkeypatch):
    gateway = FaultyGateway()
    monkeypatch.setattr(views, "default_gateway", lambda: gateway)
    return gateway


def _link(reservation, commit, **kw) -> PaymentLink:
    with commit(execute=True):
        return payment_link_create(reservation=reservation, **kw)


def _url(link):
    return f"/pay/{payment_link_token(link)}/"


def _payments(reservation):
    return [(p.purpose, p.amount, p.last_four) for p in folio_get(reservation).payments]


def test_a_balance_link_is_emailed_and_paid_once_and_shows_on_the_folio(
        in_house, next_friday, client, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    assert (link.purpose, link.amount, link.currency, link.sent_to) == ("BALANCE", Decimal("92.50"), "USD",
                                                                      "john@example.com")
    assert link.expires_at - link.created_at == timedelta(days=7) and link.state == "OPEN"
    [email] = mail.outbox
    assert email.to == ["john@example.com"]
    assert email.subject == f"Payment request from Grand Hotel NYC: booking {in_house.confirmation_number}"
    assert "92.50 USD" in email.body and f"http://127.0.0.1:8000{_url(link)}" in email.body
    assert f'href="http://127.0.0.1:8000{_url(link)}"' in email.alternatives[0][0]

    page = client.get(_url(link))
    html = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"] and page["Referrer-Policy"] == "same-origin"
    assert "Grand Hotel NYC" in html and in_house.confirmation_number in html and "92.50 USD" in html
    assert 'name="card_number"' in html and 'name="payment_method"' not in html

    paid = client.post(_url(link), GOOD)
    assert paid.status_code == 302 and paid["Location"] == _url(link)
    thanks = client.get(_url(link)).content.decode()
    assert "Thank you: 92.50 USD has been paid." in thanks and "ending in 4242" in thanks
    assert 'name="card_number"' not in thanks

    link.refresh_from_db()
    assert link.state == "PAID" and link.attempt.step == f"LINK:{link.pk}" and link.attempt.state == "SUCCEEDED"
    assert _payments(in_house) == [("BOOKING", Decimal("664.14"), "4242"), ("LINK", Decimal("92.50"), "4242")]
    assert check_out_preview(in_house).balance == 0  # the stay is paid for: nights, taxes, fees and incidentals
    with at(next_friday + timedelta(days=3), 10):
        result = stay_check_out(confirmation_number=in_house.confirmation_number, gateway=TestGateway())
    assert result.folio.totals.balance == 0
    assert [p.purpose for p in result.folio.payments] == ["BOOKING", "LINK"]  # nothing left for check-out


def test_paying_a_paid_link_again_charges_nothing(in_house, client, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    client.post(_url(link), GOOD)
    again = client.post(_url(link), GOOD)
    assert again.status_code == 200 and "Thank you: 92.50 USD has been paid." in again.content.decode()
    assert PaymentAttempt.objects.filter(step__startswith="LINK:").count() == 1
    assert Payment.objects.filter(reservation=in_house, purpose="LINK").count() == 1
    with pytest.raises(PaymentLinkClosed) as closed:
        payment_link_pay(link_id=link.pk, gateway=TestGateway(), card=None, payment_method="pm_card_visa")
    assert closed.value.details["reason"] == "PAID"


def test_a_declined_card_can_be_replaced_and_the_link_is_paid_by_the_next_try(
        in_house, client, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    declined = client.post(_url(link), DECLINED)
    page = declined.content.decode()
    assert declined.status_code == 200 and "The card was declined. Please use another card." in page
    assert TestGateway.DECLINED not in page  # the card number is never written back into the page
    client.post(_url(link), GOOD)
    steps = list(PaymentAttempt.objects.filter(step__startswith="LINK:").order_by("pk").values_list("step", "state"))
    assert steps == [(f"LINK:{link.pk}", "FAILED"), (f"LINK:{link.pk}:2", "SUCCEEDED")]
    link.refresh_from_db()
    assert link.state == "PAID" and link.attempt.step == f"LINK:{link.pk}:2"
    assert [p[0] for p in _payments(in_house)] == ["BOOKING", "LINK"]


def test_after_five_declines_the_link_stops_taking_cards(in_house, client, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    for _ in range(5):
        client.post(_url(link), DECLINED)
    sixth = client.post(_url(link), GOOD)
    assert "This link was declined too many times. Please contact the hotel." in sixth.content.decode()
    assert PaymentAttempt.objects.filter(step__startswith="LINK:").count() == 5
    assert not Payment.objects.filter(purpose="LINK").exists()


def test_an_expired_link_takes_no_payment(in_house, client, next_friday, django_capture_on_commit_callbacks):
    with at(next_friday):
        link = _link(in_house, django_capture_on_commit_callbacks)
    with at(next_friday + timedelta(days=7), 16):
        page = client.get(_url(link)).content.decode()
        assert "This link has expired. Please ask the hotel for a new one." in page and 'name="card_number"' not in page
        client.post(_url(link), GOOD)
    assert not PaymentAttempt.objects.filter(step__startswith="LINK:").exists()


def test_a_link_we_did_not_sign_is_not_found(in_house, client, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    forged = payment_link_token(link)[:-2] + "xx"
    response = client.get(f"/pay/{forged}/")
    assert response.status_code == 404 and "This payment link is not valid" in response.content.decode()
    assert client.post(f"/pay/{forged}/", GOOD).status_code == 404
    assert client.get("/pay/abc/").status_code == 404


def test_a_deposit_then_the_balance_for_a_booking_paid_at_the_hotel(unpaid, client,
                                                                    django_capture_on_commit_callbacks):
    with pytest.raises(ValidationFailed) as missing:
        payment_link_create(reservation=unpaid, purpose="DEPOSIT")
    assert missing.value.details["field"] == "amount"
    with pytest.raises(ValidationFailed) as too_much:
        payment_link_create(reservation=unpaid, purpose="DEPOSIT", amount="700.00")
    assert too_much.value.message == "700.00 USD is more than the 664.14 USD owed."
    with pytest.raises(ValidationFailed):
        payment_link_create(reservation=unpaid, purpose="DEPOSIT", amount="12.345")

    deposit = _link(unpaid, django_capture_on_commit_callbacks, purpose="DEPOSIT", amount="200.00")
    assert "asks you for a deposit on your booking" in mail.outbox[0].body and "200.00 USD" in mail.outbox[0].body
    assert "Deposit" in client.get(_url(deposit)).content.decode()
    client.post(_url(deposit), GOOD)
    balance = _link(unpaid, django_capture_on_commit_callbacks)
    assert balance.amount == Decimal("464.14")
    client.post(_url(balance), GOOD)
    assert _payments(unpaid) == [("LINK", Decimal("200.00"), "4242"), ("LINK", Decimal("464.14"), "4242")]
    with pytest.raises(ValidationFailed) as nothing:
        payment_link_create(reservation=unpaid)
    assert nothing.value.message == f"Nothing is owed on reservation {unpaid.confirmation_number}."


def test_nothing_to_ask_of_a_prepaid_booking_or_a_cancelled_one(seed_stay):
    with pytest.raises(ValidationFailed):
        payment_link_create(reservation=seed_stay)  # the 664.14 was paid at booking
    from bookings.models import Reservation

    Reservation.objects.filter(pk=seed_stay.pk).update(status=Status.CANCELLED)
    with pytest.raises(InvalidState):
        payment_link_create(reservation=seed_stay, purpose="DEPOSIT", amount="10.00")


def test_a_link_for_a_booking_cancelled_since_or_paid_otherwise_is_refused(
        in_house, unpaid, client, django_capture_on_commit_callbacks):
    from bookings.models import Reservation

    cancelled = _link(unpaid, django_capture_on_commit_callbacks, purpose="DEPOSIT", amount="100.00")
    Reservation.objects.filter(pk=unpaid.pk).update(status=Status.CANCELLED)
    page = client.post(_url(cancelled), GOOD).content.decode()
    assert "This booking no longer takes payments. Please contact the hotel." in page

    link = _link(in_house, django_capture_on_commit_callbacks)
    Payment.objects.create(reservation=in_house, amount=Decimal("92.50"), currency="USD", gateway="desk",
                           purpose="CHECK_OUT_AT_DESK")
    page = client.post(_url(link), GOOD).content.decode()
    assert "The amount owed on this booking has changed since the link was sent." in page
    assert not Payment.objects.filter(purpose="LINK").exists()


def test_a_payment_whose_answer_was_lost_is_settled_and_never_taken_twice(
        in_house, client, faulty, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    faulty.fail_next("charge", "timeout_after")
    client.post(_url(link), GOOD)
    page = client.get(_url(link)).content.decode()
    assert "We are confirming your payment with your card's bank." in page and 'name="card_number"' not in page
    again = client.post(_url(link), GOOD).content.decode()
    assert "A payment of this link is being confirmed." in again
    assert [op for op, _ in faulty.calls] == ["charge"]

    attempt = PaymentAttempt.objects.get(step=f"LINK:{link.pk}")
    assert attempt.state == "UNKNOWN" and not Payment.objects.filter(purpose="LINK").exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        assert attempts_settle_due(gateway=faulty) == 1
    link.refresh_from_db()
    assert link.state == "PAID"
    assert Payment.objects.filter(purpose="LINK").count() == 1 and faulty.total_moved == Decimal("92.50")
    assert "Thank you: 92.50 USD has been paid." in client.get(_url(link)).content.decode()


def test_a_guest_without_an_email_gets_no_email(nyc, next_friday, django_capture_on_commit_callbacks):
    reservation = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, card=None, collect_payment=False,
        guest=GuestDetails("Ota", "Guest", "guest-1@booking.invalid"), channel=Channel.DIRECT),
        gateway=TestGateway())
    link = _link(reservation, django_capture_on_commit_callbacks, purpose="DEPOSIT", amount="50.00")
    assert link.sent_to == "" and mail.outbox == []
    other = _link(reservation, django_capture_on_commit_callbacks, purpose="DEPOSIT", amount="50.00",
                  email="ota.guest@example.com")
    assert other.sent_to == "ota.guest@example.com" and mail.outbox[0].to == ["ota.guest@example.com"]


# --- the console -------------------------------------------------------------------------------------------

@pytest.fixture
def clerk(client, nyc):
    if not Group.objects.filter(name=FRONT_DESK_GROUP).exists():
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user("maria", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=FRONT_DESK_GROUP))
    nyc.staff.add(user)
    client.force_login(user)
    return client


def test_a_clerk_sends_a_link_from_the_folio(clerk, in_house, django_capture_on_commit_callbacks):
    folio = f"/admin/frontdesk/stay/{in_house.pk}/folio/"
    assert "Send a payment link" in clerk.get(folio).content.decode()
    too_much = clerk.post(f"/admin/frontdesk/stay/{in_house.pk}/payment-link/",
                          {"purpose": "BALANCE", "amount": "100.00", "email": ""})
    assert "100.00 USD is more than the 92.50 USD owed." in too_much.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = clerk.post(f"/admin/frontdesk/stay/{in_house.pk}/payment-link/",
                          {"purpose": "BALANCE", "amount": "", "email": ""}, follow=True)
    html = sent.content.decode()
    assert "Payment link for 92.50 USD emailed to john@example.com." in html
    link = PaymentLink.objects.get()
    assert link.actor == "maria" and link.created_by.username == "maria"
    assert f"http://127.0.0.1:8000{_url(link)}" in html and mail.outbox[0].to == ["john@example.com"]
    assert clerk.get("/admin/frontdesk/paymentlink/").status_code == 200


def test_staff_without_the_permission_cannot_send_links(client, nyc, in_house):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_stay", "view_folioline"]))
    nyc.staff.add(user)
    client.force_login(user)
    folio = client.get(f"/admin/frontdesk/stay/{in_house.pk}/folio/")
    assert folio.status_code == 200 and "Send a payment link" not in folio.content.decode()
    refused = client.post(f"/admin/frontdesk/stay/{in_house.pk}/payment-link/", {"purpose": "BALANCE"})
    assert refused.status_code == 403 and not PaymentLink.objects.exists()


# --- with Stripe on: the hosted card fields, only a payment method id reaches us ---------------------------

class StripeLike(FaultyGateway):
    __test__ = False
    name = "stripe"


@pytest.fixture
def stripe_on(settings, monkeypatch):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"
    gateway = StripeLike()
    monkeypatch.setattr(views, "default_gateway", lambda: gateway)
    return gateway


def test_with_stripe_the_page_has_the_hosted_fields_and_no_card_inputs(
        in_house, client, stripe_on, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    page = client.get(_url(link))
    html = page.content.decode()
    assert 'name="payment_method"' in html and 'id="payment-element"' in html
    assert 'data-publishable-key="pk_test_123"' in html and "js/stripe_payment.js" in html
    assert 'name="card_number"' not in html and 'name="cvc"' not in html
    assert "https://js.stripe.com" in page["Content-Security-Policy"]

    typed = client.post(_url(link), GOOD)  # card fields posted anyway: not a payment method, nothing is sent
    assert typed.status_code == 200 and stripe_on.calls == []
    client.post(_url(link), {"payment_method": "pm_card_visa"})
    link.refresh_from_db()
    assert link.state == "PAID" and link.attempt.payment_method == "pm_card_visa"
    assert [(op, key) for op, key in stripe_on.calls] == [("charge", link.attempt.idempotency_key)]
    assert _payments(in_house)[-1] == ("LINK", Decimal("92.50"), "4242")


def test_with_stripe_a_payment_needing_authentication_hands_the_page_its_client_secret(
        in_house, client, stripe_on, django_capture_on_commit_callbacks):
    link = _link(in_house, django_capture_on_commit_callbacks)
    client.post(_url(link), {"payment_method": "pm_card_authenticationRequired"})
    attempt = PaymentAttempt.objects.get(step=f"LINK:{link.pk}")
    assert attempt.state == "REQUIRES_ACTION"
    html = client.get(_url(link)).content.decode()
    assert f'data-client-secret="{attempt.client_secret}"' in html and "ending in" not in html

    TestGateway.authenticate(attempt.reference)  # the guest passes 3-D Secure; Stripe's script comes back
    done = client.get(_url(link) + "?check=1").content.decode()
    assert "Thank you: 92.50 USD has been paid." in done
    assert Payment.objects.filter(purpose="LINK").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_payments_of_one_link_at_the_same_moment_charge_once(in_house):
    import threading

    from django.db import connection

    from bookings.payments import Card

    link = payment_link_create(reservation=in_house)
    barrier, outcomes = threading.Barrier(3), []
    gateway = FaultyGateway()

    def pay():
        try:
            barrier.wait()
            payment_link_pay(link_id=link.pk, gateway=gateway, card=Card(TestGateway.SUCCEEDS, 12, 2030, "123"))
            outcomes.append("paid")
        except PaymentLinkClosed as closed:
            outcomes.append(closed.details["reason"])
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("paid") == 1 and set(outcomes) <= {"paid", "PAID", "IN_PROGRESS"}
    assert Payment.objects.filter(purpose="LINK").count() == 1 and gateway.total_moved == Decimal("92.50")
    assert [op for op, _ in gateway.calls] == ["charge"]
