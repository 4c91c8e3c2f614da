"""The modification quote shows the refund the change would really make (never below the new total)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.models import Payment
from bookings.modifications import ModificationRequest, modification_quote, reservation_modify
from bookings.payments import TestGateway
from bookings.services import amount_paid

from .test_manage_support import _fresh_cache, book, check_in_at  # noqa: F401


@pytest.mark.django_db
def test_quoted_refund_equals_the_refund_made_when_part_was_already_refunded(nyc, next_friday):
    r = book(next_friday)  # 664.14 paid
    charge = r.payments.get(kind=Payment.Kind.CHARGE)
    # An earlier partial refund of 400.00 (e.g. a goodwill gesture): only 264.14 is left paid.
    Payment.objects.create(reservation=r, kind=Payment.Kind.REFUND, amount=Decimal("400.00"), currency="USD",
                           gateway="test", gateway_reference="re_x", refund_of=charge, purpose="GOODWILL")
    shorter = ModificationRequest(check_out=next_friday + timedelta(days=1))  # Friday night only
    # Two days before arrival: no cancellation penalty is retained, only the new total bounds the refund.
    with time_machine.travel(check_in_at(r) - timedelta(hours=48), tick=False):
        quote = modification_quote(confirmation_number=r.confirmation_number, request=shorter).as_dict()
        breakdown = quote["pricing_breakdown"]
        new_total = Decimal(breakdown["new_total"])
        assert breakdown["amount_to_refund"] == str(Decimal("264.14") - new_total)

        reservation_modify(confirmation_number=r.confirmation_number, request=shorter, gateway=TestGateway())
    r.refresh_from_db()
    assert amount_paid(r) == new_total  # refunded exactly what was quoted: the guest has paid the new total
