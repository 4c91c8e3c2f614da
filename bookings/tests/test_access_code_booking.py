"""A member or code-only rate plan is booked only with its access code, as the search shows it only with it:
through the booking API and the book page a guest without the code is told the plan does not exist, and
nothing is held or charged; with the code the booking is made at the plan's price. The desk and channels,
which pass no code, book any plan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from bookings.models import Reservation
from bookings.payments import TestGateway
from bookings.services import booking_create
from inventory.models import InventoryDay
from pricing.models import RatePlan

from .booking_setup import seed_body, seed_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def members_only(nyc):
    RatePlan.objects.filter(hotel=nyc, code="AAA").update(visibility=RatePlan.Visibility.MEMBER,
                                                          access_code="AAA-2027")
    return nyc


def _sold(friday) -> int:
    return sum(InventoryDay.objects.filter(room_type__code="DELUXE-KING", room_type__hotel__code="NYC",
                                           date=friday).values_list("sold", flat=True))


def test_the_api_refuses_a_member_rate_without_its_code_and_books_it_with(members_only, partner_client,
                                                                          next_friday):
    refused = partner_client.post("/api/v1/bookings", seed_body(next_friday), format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "UNKNOWN_RATE_PLAN"
    assert Reservation.objects.count() == 0 and _sold(next_friday) == 0

    wrong = partner_client.post("/api/v1/bookings", seed_body(next_friday, access_code="BAR"), format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "UNKNOWN_RATE_PLAN"

    booked = partner_client.post("/api/v1/bookings", seed_body(next_friday, access_code=" aaa-2027 "),
                                 format="json")
    assert booked.status_code == 201, booked.json()
    assert booked.json()["pricing"]["total"] == "664.14" and _sold(next_friday) == 1


def test_the_book_page_needs_the_code_the_search_link_carries(members_only, next_friday):
    monday = next_friday + timedelta(days=3)
    stay = (f"hotel=NYC&room_type=DELUXE-KING&rate_plan=AAA&check_in={next_friday}&check_out={monday}"
            "&adults=2&children=0")
    client = Client()
    without = client.get("/book/?" + stay)
    assert "This hotel has no rate plan AAA." in without.content.decode() and "664.14" not in without.content.decode()

    search = client.get(f"/search/?hotel=NYC&check_in={next_friday}&check_out={monday}&adults=2&children=0"
                        "&access_code=aaa-2027")
    assert "access_code=AAA-2027" in search.content.decode()
    with_code = client.get("/book/?" + stay + "&access_code=AAA-2027")
    assert with_code.status_code == 200 and "664.14" in with_code.content.decode()


def test_the_desk_and_channels_book_any_plan(members_only, next_friday):
    reservation = booking_create(request=seed_request(next_friday), gateway=TestGateway())
    assert reservation.status == "CONFIRMED" and reservation.grand_total == Decimal("664.14")


def test_a_change_to_a_member_rate_needs_its_code_too(members_only, partner_client, next_friday):
    booked = partner_client.post("/api/v1/bookings", seed_body(next_friday, rate_plan="FLEX"), format="json")
    assert booked.status_code == 201, booked.json()
    number = booked.json()["confirmation_number"]

    refused = partner_client.patch(f"/api/v1/bookings/{number}", {"rate_plan": "AAA"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "UNKNOWN_RATE_PLAN"
    quote = partner_client.post(f"/api/v1/bookings/{number}/modification-quote", {"rate_plan": "AAA"}, format="json")
    assert quote.status_code == 400 and quote.json()["error"]["code"] == "UNKNOWN_RATE_PLAN"
    reservation = Reservation.objects.get(confirmation_number=number)
    assert reservation.rate_plan.code == "FLEX" and reservation.grand_total == Decimal("724.84")

    priced = partner_client.post(f"/api/v1/bookings/{number}/modification-quote",
                                 {"rate_plan": "AAA", "access_code": "aaa-2027"}, format="json")
    assert priced.status_code == 200, priced.json()
    assert priced.json()["rate_plan"] == "AAA" and priced.json()["pricing_breakdown"]["new_total"] == "664.14"
    # Keeping the booked plan needs no code, even once the plan has become code-only.
    RatePlan.objects.filter(hotel=members_only, code="FLEX").update(visibility=RatePlan.Visibility.MEMBER,
                                                                  access_code="FLEX-1")
    longer = partner_client.post(f"/api/v1/bookings/{number}/modification-quote",
                                 {"check_out": (next_friday + timedelta(days=4)).isoformat()}, format="json")
    assert longer.status_code == 200, longer.json()


def test_the_desk_changes_to_any_plan(members_only, next_friday):
    from bookings.modifications import ModificationRequest, modification_quote

    reservation = booking_create(request=seed_request(next_friday, rate_plan_code="FLEX"), gateway=TestGateway())
    quote = modification_quote(confirmation_number=reservation.confirmation_number,
                               request=ModificationRequest(rate_plan_code="AAA"))
    assert quote.rate_plan_changed and quote.new_total == Decimal("664.14")
