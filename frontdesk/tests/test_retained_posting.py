"""What a stay changed inside a paying cancellation window still owes at check-out: the retained amount the
stay's own postings do not cover, on its last night, and no line at all when nothing is short (pure)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from frontdesk.folio import Posting, retained_posting

D = Decimal
FRI, SUN, MON = date(2031, 1, 10), date(2031, 1, 12), date(2031, 1, 13)


def changed(retained, grand_total, check_in=FRI, check_out=MON, currency="USD"):
    return SimpleNamespace(retained_amount=D(retained), grand_total=D(grand_total), check_in=check_in,
                           check_out=check_out, currency=currency)


def test_the_shortfall_is_posted_on_the_last_night_of_the_stay():
    # Shortened to Fri-Mon (412.00) after cancelling would already have cost 607.00: 195.00 is still owed.
    assert retained_posting(changed("607.00", "412.00")) == Posting(
        SUN, "PENALTY", "Non-refundable after a change in the cancellation window", D("195.00"), "retained")


def test_a_one_night_stay_posts_it_on_that_night():
    assert retained_posting(changed("219.00", "189.00", check_out=date(2031, 1, 11))).night == FRI


@pytest.mark.parametrize("retained, grand_total, amount", [
    ("412.50", "412.00", D("0.50")),   # under one unit still owed
    ("412.01", "412.00", D("0.01")),
])
def test_even_a_few_cents_short_are_posted(retained, grand_total, amount):
    assert retained_posting(changed(retained, grand_total)).amount == amount


@pytest.mark.parametrize("retained, grand_total", [
    ("412.00", "412.00"),   # the stay covers it exactly: no 0.00 penalty line on the folio
    ("0.00", "412.00"),
    ("412.004", "412.00"),  # less than half a cent rounds to nothing
])
def test_no_line_when_the_stay_covers_what_was_retained(retained, grand_total):
    assert retained_posting(changed(retained, grand_total)) is None


def test_yen_shortfalls_are_whole_yen():
    assert retained_posting(changed("30000.4", "29000", currency="JPY")).amount == D("1000")
