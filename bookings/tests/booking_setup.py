"""The seed's stay, as a service request and as an API body, for the booking tests."""

from datetime import timedelta

from bookings.payments import Card, TestGateway
from bookings.services import BookingRequest, GuestDetails

GOOD_CARD = TestGateway.SUCCEEDS
DECLINED_CARD = TestGateway.DECLINED
NO_FUNDS_CARD = TestGateway.INSUFFICIENT_FUNDS


def seed_request(friday, *, card=GOOD_CARD, email="john.smith@example.com", **overrides) -> BookingRequest:
    """The seed's stay: NYC, Deluxe King, AAA rate, Friday to Monday, two adults."""
    fields = dict(hotel_code="NYC", room_type_code="DELUXE-KING", rate_plan_code="AAA", check_in=friday,
                  check_out=friday + timedelta(days=3), adults=2,
                  guest=GuestDetails("John", "Smith", email, "+1 212 555 0199"),
                  card=card if isinstance(card, Card) else Card(card, 12, 2030, "123", "John Smith"))
    fields.update(overrides)
    return BookingRequest(**fields)


def seed_body(friday, *, card=GOOD_CARD, **overrides) -> dict:
    body = {
        "hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": friday.isoformat(),
        "check_out": (friday + timedelta(days=3)).isoformat(), "adults": 2, "children": 0, "child_ages": [],
        "room_count": 1, "promo_code": "",
        "guest": {"first_name": "John", "last_name": "Smith", "email": "john.smith@example.com",
                  "phone": "+1 212 555 0199", "loyalty_number": ""},
        "payment": {"card_number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123",
                    "holder_name": "John Smith"},
        "special_requests": "High floor, please",
    }
    body.update(overrides)
    return body
