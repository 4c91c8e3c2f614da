"""What is charged now, what later and when, as the guest reads it: the book page, the confirmation page, the
manage page, the confirmation email, the partner API; and the demo plans that show each guarantee rule."""

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from bookings.models import Channel, Reservation
from bookings.payment_terms import reservation_payment_terms
from bookings.services import booking_create
from pricing.guarantee import PaymentTerms
from pricing.models import RatePlan

from .booking_setup import seed_body, seed_request
from .test_booking_pages import _form_data

pytestmark = pytest.mark.django_db

PREPAID_664 = {"guarantee": "PREPAY", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
               "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"}


def _book_url(friday, rate_plan="AAA"):
    return "/book/?" + urlencode({
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": rate_plan, "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""})


def _terms_line(response) -> str:
    html = response.content.decode() if hasattr(response, "content") else response
    lines = re.findall(r'<p class="payment-terms"[^>]*>(.*?)</p>', html, re.S)
    assert len(lines) == 1, lines
    return lines[0]


def _price_card(response) -> str:
    return re.search(r'<div class="card" id="price">.*?</div>', response.content.decode(), re.S).group(0)


# --- the book page -------------------------------------------------------------------------------------

def test_the_book_page_says_the_deposit_now_and_the_balance_date_under_the_price(client, nyc, next_friday):
    far = next_friday + timedelta(days=28)
    response = client.get(_book_url(far, "DEP"))
    assert response.status_code == 200
    assert _terms_line(_price_card(response)) == (
        f"Charged now: 225.69 USD · Balance 499.15 USD charged automatically on {date_format(far - timedelta(days=7))}")


@pytest.mark.parametrize("rate_plan, line", [
    ("AAA", "Charged now: 664.14 USD"),
    ("DEP", "Charged now: 724.84 USD"),  # the balance date (a week before) has passed: all of it now
    ("FLEX", "Nothing charged now; your card guarantees the booking. Cancellation and no-show charges follow the "
             "policy. You pay 724.84 USD at the hotel."),
    ("HOTEL", "Pay at the hotel: no card needed. You pay 724.84 USD at the hotel."),
])
def test_the_book_page_says_what_each_rule_charges(client, nyc, next_friday, rate_plan, line):
    # A Friday at most a week ahead, so the deposit plan's balance date (a week before) is today or past: the
    # suite's next Friday is eight days ahead on a Thursday afternoon.
    today = timezone.now().astimezone(ZoneInfo("America/New_York")).date()
    friday = next_friday - timedelta(days=7) if next_friday - today > timedelta(days=7) else next_friday
    assert _terms_line(_price_card(client.get(_book_url(friday, rate_plan)))) == line


def test_the_terms_are_in_the_guests_language_and_date_format():
    terms = PaymentTerms(guarantee="DEPOSIT", due_now=Decimal("132.83"), due_later=Decimal("531.31"),
                         balance_due_on=date(2027, 3, 12), balance_when="BEFORE_ARRIVAL", card_required=True,
                         save_card=True, currency="USD")
    assert _terms_line(render_to_string("bookings/_payment_terms.html", {"terms": terms.as_dict()})) == (
        "Charged now: 132.83 USD · Balance 531.31 USD charged automatically on March 12, 2027")
    with translation.override("de"):
        assert "12. März 2027" in render_to_string("bookings/_payment_terms.html", {"terms": terms})
    plain = render_to_string("bookings/_payment_terms.html", {"terms": terms, "plain": True})
    assert plain == "Charged now: 132.83 USD · Balance 531.31 USD charged automatically on March 12, 2027"
    assert render_to_string("bookings/_payment_terms.html", {"terms": {}}) == ""


# --- after booking -------------------------------------------------------------------------------------

def test_the_confirmation_page_says_what_was_charged(client, nyc, next_friday):
    page = client.get(_book_url(next_friday))
    response = client.post(_book_url(next_friday), _form_data(page))
    confirmation = client.get(response["Location"])
    assert _terms_line(_price_card(confirmation)) == "Charged now: 664.14 USD"


def test_the_manage_page_and_the_confirmation_email_say_it_too(nyc, next_friday, gateway,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = booking_create(request=seed_request(next_friday), gateway=gateway)
    message = mail.outbox[-1]
    assert "\nCharged now: 664.14 USD\n" in message.body
    assert _terms_line(message.alternatives[0][0]) == "Charged now: 664.14 USD"

    client = Client()
    client.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"})
    assert _terms_line(client.get("/manage/booking/")) == "Charged now: 664.14 USD"


def test_a_reservation_reads_the_terms_frozen_on_it(nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday), gateway=gateway)
    r = Reservation.objects.prefetch_related("payments").get(pk=r.pk)
    assert reservation_payment_terms(r).as_dict() == PREPAID_664  # none frozen: a prepaid booking
    frozen = {"guarantee": "DEPOSIT", "due_now": "206.79", "due_later": "457.35", "balance_due_on": "2031-01-03",
              "balance_when": "BEFORE_ARRIVAL", "card_required": True, "save_card": True, "currency": "USD"}
    r.payment_terms = frozen
    assert reservation_payment_terms(r).as_dict() == frozen


def test_a_booking_the_channel_collected_shows_no_terms_of_ours(client, nyc, next_friday, gateway):
    r = booking_create(request=seed_request(next_friday, collect_payment=False, channel=Channel.OTA,
                                            source="Booking.com"), gateway=gateway)
    assert reservation_payment_terms(Reservation.objects.get(pk=r.pk)) is None
    client.post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"})
    assert 'class="payment-terms"' not in client.get("/manage/booking/").content.decode()


# --- the partner API -----------------------------------------------------------------------------------

def test_the_booking_answer_and_a_price_change_carry_the_terms(partner_client, nyc, next_friday):
    stale = partner_client.post("/api/v1/bookings", seed_body(next_friday, expected_total="600.00"), format="json")
    assert stale.status_code == 409
    assert stale.json()["error"]["quote"]["payment_terms"] == PREPAID_664
    booked = partner_client.post("/api/v1/bookings", seed_body(next_friday, expected_total="664.14"), format="json")
    assert booked.status_code == 201
    assert booked.json()["payment_terms"] == PREPAID_664
    again = partner_client.get(f"/api/v1/bookings/{booked.json()['confirmation_number']}")
    assert again.json()["payment_terms"] == PREPAID_664


# --- the demo plans ------------------------------------------------------------------------------------

def test_the_seed_has_one_plan_per_guarantee_rule_and_bar_and_aaa_stay_prepaid(nyc):
    plans = {p.code: p for p in RatePlan.objects.filter(hotel=nyc).select_related("parent")}
    assert sorted(plans) == ["AAA", "BAR", "BB", "DEP", "FLEX", "HOTEL"]
    rules = {code: (p.guarantee, p.deposit_kind, p.deposit_percent, p.balance_due_days) for code, p in plans.items()}
    assert rules == {
        "BAR": ("PREPAY", "", None, None), "AAA": ("PREPAY", "", None, None), "BB": ("PREPAY", "", None, None),
        "DEP": ("DEPOSIT", "FIRST_NIGHT", None, 7), "FLEX": ("CARD_GUARANTEE", "", None, None),
        "HOTEL": ("PAY_AT_HOTEL", "", None, None)}
    for code in ("DEP", "FLEX", "HOTEL"):
        p = plans[code]
        assert (p.parent.code, p.derivation, p.derivation_value) == ("BAR", "PERCENT", Decimal("0")), code
        assert p.cancellation_policy.name == "Flexible 24-Hour" and p.is_active
        p.full_clean()
    assert plans["AAA"].derivation_value == Decimal("10")
