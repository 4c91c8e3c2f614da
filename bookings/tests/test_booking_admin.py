"""The bookings admin: reservations to find and read (never to edit status), payments and events read-only."""

import re
from datetime import timedelta

import pytest
from django.core import mail

from bookings.models import OutboxEvent, Reservation, Status
from bookings.services import booking_create
from tests.factories import HotelFactory

from .booking_setup import seed_request


@pytest.fixture
def booked(nyc, next_friday, gateway):
    first = booking_create(request=seed_request(next_friday), gateway=gateway)
    second = booking_create(request=seed_request(next_friday + timedelta(days=14), email="ann.lee@example.com"),
                            gateway=gateway)
    return first, second


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.django_db
def test_the_reservation_list_filters_and_searches(admin_client, booked, nyc, next_friday):
    first, second = booked
    HotelFactory(code="LAX")  # with one hotel there is nothing to filter by
    base = "/admin/bookings/reservation/"

    everything = _text(admin_client.get(base))
    by_email = _text(admin_client.get(base, {"q": "ann.lee@"}))
    by_number = _text(admin_client.get(base, {"q": first.confirmation_number}))
    by_status = _text(admin_client.get(base, {"status__exact": "CANCELLED"}))
    by_hotel = _text(admin_client.get(base, {"hotel__id__exact": nyc.pk}))
    by_arrival = _text(admin_client.get(base, {"check_in__gte": next_friday.isoformat(),
                                               "check_in__lt": (next_friday + timedelta(days=1)).isoformat()}))

    assert first.confirmation_number in everything and second.confirmation_number in everything
    assert second.confirmation_number in by_email and first.confirmation_number not in by_email
    assert first.confirmation_number in by_number and second.confirmation_number not in by_number
    assert first.confirmation_number not in by_status
    assert first.confirmation_number in by_hotel
    assert first.confirmation_number in by_arrival and second.confirmation_number not in by_arrival
    for heading in ["By hotel", "By status", "By check in", "By check out"]:
        assert heading.lower() in everything.lower(), heading


@pytest.mark.django_db
def test_the_change_page_shows_nights_history_and_payments_and_no_status_control(admin_client, booked):
    first, _ = booked
    text = _text(admin_client.get(f"/admin/bookings/reservation/{first.pk}/change/"))

    assert "Status history" in text and "PENDING" in text and "CONFIRMED" in text
    assert "Payment received" in text or "Paid 664.14 USD" in text
    assert "4242" in text and "664.14" in text and "Nights (prices as booked)" in text
    assert re.search(r'<div class="readonly">3</div>', text)  # nights
    assert 'name="status"' not in text and 'name="grand_total"' not in text
    assert 'name="special_requests"' in text


@pytest.mark.django_db
def test_posting_a_status_to_the_change_page_does_not_change_it(admin_client, booked):
    first, _ = booked
    response = admin_client.post(f"/admin/bookings/reservation/{first.pk}/change/",
                                 {"status": "CANCELLED", "special_requests": "Crib, please",
                                  "grand_total": "1.00"}, follow=False)
    first = Reservation.objects.get(pk=first.pk)
    assert response.status_code in (200, 302)
    assert first.status == Status.CONFIRMED and str(first.grand_total) == "664.140"


@pytest.mark.django_db
def test_reservations_are_neither_added_nor_deleted_in_the_admin(admin_client, booked):
    first, _ = booked
    assert admin_client.get("/admin/bookings/reservation/add/").status_code == 403
    assert admin_client.get(f"/admin/bookings/reservation/{first.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_payments_are_read_only(admin_client, booked):
    first, _ = booked
    payment = first.payments.get()
    listing = _text(admin_client.get("/admin/bookings/payment/"))
    page = _text(admin_client.get(f"/admin/bookings/payment/{payment.pk}/change/"))

    assert first.confirmation_number in listing and "4242" in listing
    assert 'name="amount"' not in page and "tok_" not in page
    assert admin_client.get("/admin/bookings/payment/add/").status_code == 403


@pytest.mark.django_db
def test_guests_list_with_their_bookings(admin_client, booked):
    first, _ = booked
    text = _text(admin_client.get("/admin/bookings/guest/", {"q": "john.smith"}))
    assert "john.smith@example.com" in text and "ann.lee" not in text
    guest_page = _text(admin_client.get(f"/admin/bookings/guest/{first.guest_id}/change/"))
    assert first.confirmation_number in guest_page


@pytest.mark.django_db
def test_undelivered_events_are_listed_and_redelivered_on_demand(admin_client, booked):
    first, _ = booked  # created outside on_commit capture: neither event has been delivered
    events = OutboxEvent.objects.filter(reservation=first, name="ReservationConfirmed")
    other = OutboxEvent.objects.exclude(reservation=first).get(name="ReservationConfirmed")
    OutboxEvent.objects.filter(pk=other.pk).update(delivered_at=other.created_at)

    undelivered = _text(admin_client.get("/admin/bookings/outboxevent/", {"delivered": "no"}))
    assert str(events.get().pk) in undelivered and str(other.pk) not in undelivered

    response = admin_client.post("/admin/bookings/outboxevent/", {
        "action": "redeliver_now", "_selected_action": [str(events.get().pk), str(other.pk)]}, follow=True)

    assert "1 event(s) delivered." in _text(response) and "1 event(s) were already delivered." in _text(response)
    assert events.get().delivered_at is not None
    assert len(mail.outbox) == 1 and first.confirmation_number in mail.outbox[0].subject
    assert admin_client.get("/admin/bookings/outboxevent/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_reservation_page_shows_money_in_cents_and_the_policy_in_words(nyc, next_friday):
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.test import Client

    from bookings.payments import Card, TestGateway
    from bookings.services import BookingRequest, GuestDetails, booking_create

    r = booking_create(request=BookingRequest(
        hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=next_friday,
        check_out=next_friday + timedelta(days=3), adults=2, guest=GuestDetails("John", "Smith", "js@example.com"),
        card=Card("4242424242424242", 12, 2030, "123")), gateway=TestGateway())
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.com", "x"))
    page = client.get(f"/admin/bookings/reservation/{r.pk}/change/").content.decode()
    assert "664.14 USD" in page and "546.30 USD" in page and "664.140" not in page
    assert "NYC Hotel Room Tax: 72.84 USD" in page
    assert ("Flexible 24-Hour: Free cancellation until 24 hours before check-in "
            "(Within 24 hours: 100% of booking)") in page
    listing = client.get("/admin/bookings/reservation/").content.decode()
    assert "664.14 USD" in listing
