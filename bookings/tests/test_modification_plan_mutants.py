"""What the mutation run of bookings/modifications/plan.py found unwatched (see tests/MUTATION.md)."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from bookings.models import Reservation
from bookings.modifications import ModificationRequest, modification_quote

from .test_manage_support import _fresh_cache, book, check_in_at  # noqa: F401

pytestmark = pytest.mark.django_db

D = Decimal
H = timedelta(hours=1)


def quote(r, **changes) -> dict:
    with time_machine.travel(check_in_at(r) - 48 * H, tick=False):
        return modification_quote(confirmation_number=r.confirmation_number,
                                  request=ModificationRequest(**changes)).as_dict()


@pytest.mark.parametrize("booked_total, difference, pay_more, refund", [
    ("664.14", "0.00", False, False),
    ("663.64", "0.50", True, False),
    ("664.64", "-0.50", False, True),
])
def test_a_change_costing_the_same_asks_nothing_and_50_cents_either_way_is_told(
        nyc, next_friday, booked_total, difference, pay_more, refund):
    r = book(next_friday)
    # One adult instead of two costs the same 664.14; the booked total is moved 0.50 off it to make a difference.
    Reservation.objects.filter(pk=r.pk).update(grand_total=D(booked_total))
    b = quote(r, adults=1)["pricing_breakdown"]
    assert (b["previous_total"], b["new_total"], b["difference"]) == (booked_total, "664.14", difference)
    assert (b["additional_payment_required"], b["refund_due"]) == (pay_more, refund)


def test_a_shorter_stay_before_any_penalty_refunds_the_whole_difference_and_withholds_nothing(nyc, next_friday):
    r = book(next_friday)
    b = quote(r, check_out=next_friday + timedelta(days=2))["pricing_breakdown"]
    # Sunday's 179.10 (199.00 less 10%), its 12% tax on 199.00 (23.88) and its 15.00 resort fee.
    assert (b["previous_total"], b["new_total"], b["difference"]) == ("664.14", "446.16", "-217.98")
    assert (b["amount_to_refund"], b["refund_withheld"], b["amount_to_charge"]) == ("217.98", "0.00", "0.00")
