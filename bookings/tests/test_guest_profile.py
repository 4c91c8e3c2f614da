"""A booking never rewrites another person's profile: what the booker typed belongs to the reservation."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core import mail

from bookings.models import Guest, OutboxEvent, Reservation
from bookings.payments import TestGateway
from bookings.services import GuestDetails, booking_create
from frontdesk import handlers
from frontdesk.models import LoyaltyEntry, LoyaltyRule
from frontdesk.services import loyalty_balance, stay_check_in, stay_check_out
from frontdesk.tests.conftest import at

from .booking_setup import GOOD_CARD, seed_request

pytestmark = pytest.mark.django_db

VICTIM = GuestDetails("Vera", "Victim", "vera.victim@example.com", phone="+1 917 555 0100",
                      loyalty_number="GH-VERA-1")


def _book_as(friday, details: GuestDetails, **overrides) -> Reservation:
    return booking_create(request=seed_request(friday, email=details.email, guest=details, **overrides),
                          gateway=TestGateway())


def _attack_through_the_booking_page(client, friday) -> Reservation:
    params = {"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
              "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "promo_code": ""}
    url = "/book/?" + urlencode(params)
    form = client.get(url).context["form"]
    response = client.post(url, {
        "first_name": "Mallory", "last_name": "Attacker", "email": "VERA.Victim@EXAMPLE.com",
        "phone": "+1 666 555 0666", "loyalty_number": "GH-MALLORY", "special_requests": "",
        "card_number": GOOD_CARD, "exp_month": "12", "exp_year": "2030", "cvc": "123", "holder_name": "M A",
        "expected_total": form["expected_total"].value(), "idempotency_key": form["idempotency_key"].value()})
    assert response.status_code == 302
    return Reservation.objects.exclude(guest_last_name="Victim").get()


def test_booking_with_someone_elses_email_leaves_their_profile_alone(client, nyc, next_friday):
    mine = _book_as(next_friday, VICTIM)
    theirs = _attack_through_the_booking_page(client, next_friday + timedelta(days=7))

    victim = Guest.objects.get()
    assert theirs.guest_id == victim.pk == mine.guest_id  # one email, one profile
    assert (victim.first_name, victim.last_name, victim.email, victim.phone, victim.loyalty_number) == (
        "Vera", "Victim", "vera.victim@example.com", "+1 917 555 0100", "GH-VERA-1")
    # The attacker's booking carries what was typed with it, and only it.
    assert (theirs.guest_full_name, theirs.guest_phone, theirs.guest_loyalty_number) == (
        "Mallory Attacker", "+1 666 555 0666", "GH-MALLORY")
    assert (mine.guest_full_name, mine.guest_phone, mine.guest_loyalty_number) == (
        "Vera Victim", "+1 917 555 0100", "GH-VERA-1")


def test_the_victims_points_stay_on_her_own_loyalty_number(client, nyc, next_friday,
                                                           django_capture_on_commit_callbacks):
    LoyaltyRule.objects.create(currency="USD", points_per_unit="1", booking_points=100)
    with django_capture_on_commit_callbacks(execute=True):
        mine = _book_as(next_friday, VICTIM)
        _attack_through_the_booking_page(client, next_friday + timedelta(days=7))
    with at(next_friday):
        stay_check_in(confirmation_number=mine.confirmation_number, room_numbers=["1201"])
    with at(next_friday + timedelta(days=3), 9):
        result = stay_check_out(confirmation_number=mine.confirmation_number, gateway=TestGateway())

    assert result.loyalty_points_earned == 664  # floor(664.14 x 1)
    numbers = set(LoyaltyEntry.objects.values_list("loyalty_number", flat=True))
    assert numbers == {"GH-VERA-1"} and not LoyaltyEntry.objects.filter(loyalty_number="GH-MALLORY").exists()
    assert loyalty_balance(mine.guest) == 100 + 100 + 664  # two booking bonuses (both on her email) and her stay
    payloads = [e.payload["loyalty_number"] for e in OutboxEvent.objects.filter(name="ReservationConfirmed")]
    assert payloads == ["GH-VERA-1", "GH-VERA-1"]


def test_a_handler_delivered_again_after_the_attack_still_pays_the_profile(nyc, next_friday):
    mine = _book_as(next_friday, VICTIM)
    _book_as(next_friday + timedelta(days=7), GuestDetails("Mallory", "Attacker", "Vera.Victim@Example.COM",
                                                           phone="+1 666", loyalty_number="GH-MALLORY"))
    handlers.award_booking_points(OutboxEvent.objects.filter(reservation=mine).get(name="ReservationConfirmed"))
    assert list(LoyaltyEntry.objects.values_list("loyalty_number", "points")) == [("GH-VERA-1", 100)]


def test_a_new_email_still_makes_a_profile_from_the_booking(nyc, next_friday):
    r = _book_as(next_friday, GuestDetails("Ann", "Lee", "ann@example.com", phone="+44 20 5555 0100",
                                           loyalty_number="GH-ANN"))
    guest = Guest.objects.get()
    assert (guest.full_name, guest.email, guest.phone, guest.loyalty_number) == (
        "Ann Lee", "ann@example.com", "+44 20 5555 0100", "GH-ANN")
    assert (r.guest_phone, r.guest_loyalty_number) == ("+44 20 5555 0100", "GH-ANN")


def test_the_emails_show_the_reservations_details(nyc, next_friday, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _book_as(next_friday, VICTIM)
        _book_as(next_friday + timedelta(days=7), GuestDetails("Mallory", "Attacker", "VERA.victim@example.com",
                                                               phone="+1 666 555 0666"))
    assert len(mail.outbox) == 2
    victims, attackers = mail.outbox
    for message, name, phone in ((victims, "Vera Victim", "+1 917 555 0100"),
                                 (attackers, "Mallory Attacker", "+1 666 555 0666")):
        html = message.alternatives[0][0]
        assert f"Dear {name}," in message.body and f"Phone: {phone}" in message.body
        assert f"Dear {name}," in html and f"<td>Phone</td><td>{phone}</td>" in html
    assert "+1 666" not in victims.body and "+1 917" not in attackers.body


def test_the_front_desk_and_the_admin_show_what_was_booked(admin_client, nyc, next_friday):
    _book_as(next_friday, VICTIM)
    theirs = _book_as(next_friday, GuestDetails("Mallory", "Attacker", "vera.victim@EXAMPLE.com",
                                                phone="+1 666 555 0666", loyalty_number="GH-MALLORY"))
    with at(next_friday):
        desk = admin_client.get(f"/admin/frontdesk/stay/{theirs.pk}/check-in/").content.decode()
    assert "Mallory Attacker" in desk and "phone +1 666 555 0666, loyalty number GH-MALLORY" in desk
    page = admin_client.get(f"/admin/bookings/reservation/{theirs.pk}/change/").content.decode()
    assert "Booked as" in page and "+1 666 555 0666" in page and "GH-MALLORY" in page
