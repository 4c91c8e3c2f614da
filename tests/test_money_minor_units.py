"""Amounts as integer minor units, for providers that take them (hotelbooking.money)."""

from decimal import Decimal

import pytest

from hotelbooking.money import allocate, from_minor_units, minor_units, to_minor_units


@pytest.mark.parametrize("amount, currency, minor", [
    ("664.14", "USD", 66414), ("664.145", "USD", 66415), ("45000", "JPY", 45000), ("1.234", "KWD", 1234),
    ("3000", "RWF", 3000), ("0", "EUR", 0),
])
def test_to_and_from_minor_units(amount, currency, minor):
    assert to_minor_units(Decimal(amount), currency) == minor
    assert from_minor_units(minor, currency) == Decimal(amount).quantize(Decimal(1).scaleb(-minor_units(currency)),
                                                                         rounding="ROUND_HALF_UP")


def test_a_provider_exponent_that_cannot_carry_the_amount_is_refused():
    assert to_minor_units(Decimal("1500"), "ISK", exponent=2) == 150000
    with pytest.raises(ValueError):
        to_minor_units(Decimal("10.50"), "USD", exponent=0)


@pytest.mark.parametrize("currency", ["BIF", "DJF", "GNF", "KMF", "RWF", "VUV"])
def test_iso_zero_decimal_currencies(currency):
    assert minor_units(currency) == 0


def test_allocate_spreads_what_rounding_leaves_a_minor_unit_at_a_time_never_below_zero():
    # 19 JPY over 11 nights: 1.73 each rounds to 2 (22 in all); the 3 too many come off the first three nights.
    assert allocate(Decimal("19"), [Decimal(1)] * 11, "JPY") == [Decimal(1)] * 3 + [Decimal(2)] * 8
    # The usual cent goes to the heaviest night; a night of weight 0 takes nothing.
    assert allocate(Decimal("10.01"), [Decimal(100), Decimal(200), Decimal(100)], "USD") == [
        Decimal("2.50"), Decimal("5.01"), Decimal("2.50")]
    assert allocate(Decimal("1.00"), [Decimal(1), Decimal(0)], "USD") == [Decimal("1.00"), Decimal("0.00")]
