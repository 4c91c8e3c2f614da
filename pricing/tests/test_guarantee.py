"""Guarantee rules per rate plan: what is charged at booking, what later and when, to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pricing.guarantee import PaymentTerms, payment_terms, terms_for_quote
from pricing.models import RatePlan

from .pricing_setup import FRI, derived, fee, make_hotel, price, room_type_with_rates, tax

G, K = RatePlan.Guarantee, RatePlan.DepositKind

# The seed's stay on AAA: Friday to Monday, 664.14 in all; its first night (rooms, tax and fee) is 206.79.
TOTAL = Decimal("664.14")
NIGHTS = [Decimal("206.79"), Decimal("239.62"), Decimal("217.73")]
CHECK_IN = date(2027, 3, 19)


def plan(guarantee=G.PREPAY, **kwargs) -> RatePlan:
    return RatePlan(code="X", name="X", guarantee=guarantee, **kwargs)


def terms(rate_plan, *, booked_on=date(2027, 1, 5), total=TOTAL, nights=NIGHTS, currency="USD",
          check_in=CHECK_IN) -> PaymentTerms:
    return payment_terms(rate_plan=rate_plan, total=total, nightly_totals=nights, currency=currency,
                         check_in=check_in, booked_on=booked_on)


def test_prepay_takes_the_whole_stay_at_booking():
    t = terms(plan())
    assert t.as_dict() == {"guarantee": "PREPAY", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
                           "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"}


def test_first_night_deposit_then_the_balance_seven_days_before_arrival():
    t = terms(plan(G.DEPOSIT, deposit_kind=K.FIRST_NIGHT, balance_due_days=7))
    assert (t.due_now, t.due_later) == (Decimal("206.79"), Decimal("457.35"))
    assert t.balance_due_on == date(2027, 3, 12)
    assert (t.balance_when, t.card_required, t.save_card) == ("BEFORE_ARRIVAL", True, True)


def test_percent_deposit_of_the_grand_total_rounds_once_half_up():
    t = terms(plan(G.DEPOSIT, deposit_kind=K.PERCENT, deposit_percent=Decimal("20"), balance_due_days=7))
    assert (str(t.due_now), str(t.due_later)) == ("132.83", "531.31")  # 132.828
    # 498.105 exactly: half-up gives .11 where banker's rounding would give .10.
    t = terms(plan(G.DEPOSIT, deposit_kind=K.PERCENT, deposit_percent=Decimal("75")))
    assert (str(t.due_now), str(t.due_later)) == ("498.11", "166.03")
    assert t.due_now + t.due_later == TOTAL


def test_jpy_has_no_minor_unit():
    total, nights = Decimal("33333"), [Decimal("11111"), Decimal("11111"), Decimal("11111")]
    t = terms(plan(G.DEPOSIT, deposit_kind=K.PERCENT, deposit_percent=Decimal("12.5"), balance_due_days=3),
              total=total, nights=nights, currency="JPY")
    assert t.as_dict() == {"guarantee": "DEPOSIT", "due_now": "4167", "due_later": "29166",  # 4166.6625
                           "balance_due_on": "2027-03-16", "balance_when": "BEFORE_ARRIVAL", "card_required": True,
                           "save_card": True, "currency": "JPY"}
    assert terms(plan(G.PAY_AT_HOTEL), total=total, nights=nights, currency="JPY").as_dict()["due_now"] == "0"


def test_the_balance_date_is_the_cut_over_day():
    deposit = plan(G.DEPOSIT, deposit_kind=K.FIRST_NIGHT, balance_due_days=7)
    day_before = terms(deposit, booked_on=date(2027, 3, 11))
    assert (str(day_before.due_now), str(day_before.due_later)) == ("206.79", "457.35")
    assert day_before.balance_due_on == date(2027, 3, 12)
    for booked_on in (date(2027, 3, 12), date(2027, 3, 13), CHECK_IN):
        on_the_day = terms(deposit, booked_on=booked_on)
        assert on_the_day.as_dict() == {
            "guarantee": "DEPOSIT", "due_now": "664.14", "due_later": "0.00", "balance_due_on": None,
            "balance_when": "NONE", "card_required": True, "save_card": False, "currency": "USD"}


def test_balance_at_check_in_when_no_days_are_set_even_booked_on_arrival_day():
    t = terms(plan(G.DEPOSIT, deposit_kind=K.FIRST_NIGHT), booked_on=CHECK_IN)
    assert (str(t.due_now), str(t.due_later), t.balance_due_on, t.balance_when) == (
        "206.79", "457.35", None, "AT_CHECK_IN")


def test_a_deposit_that_reaches_the_total_takes_everything_now():
    one_night = terms(plan(G.DEPOSIT, deposit_kind=K.FIRST_NIGHT, balance_due_days=7),
                      total=Decimal("206.79"), nights=[Decimal("206.79")])
    assert (str(one_night.due_now), str(one_night.due_later), one_night.balance_when) == ("206.79", "0.00", "NONE")
    all_of_it = terms(plan(G.DEPOSIT, deposit_kind=K.PERCENT, deposit_percent=Decimal("100")))
    assert (str(all_of_it.due_now), str(all_of_it.due_later), all_of_it.balance_due_on) == ("664.14", "0.00", None)


def test_card_guarantee_charges_nothing_and_keeps_the_card():
    assert terms(plan(G.CARD_GUARANTEE)).as_dict() == {
        "guarantee": "CARD_GUARANTEE", "due_now": "0.00", "due_later": "664.14", "balance_due_on": None,
        "balance_when": "AT_HOTEL", "card_required": True, "save_card": True, "currency": "USD"}


def test_pay_at_hotel_needs_no_card():
    assert terms(plan(G.PAY_AT_HOTEL)).as_dict() == {
        "guarantee": "PAY_AT_HOTEL", "due_now": "0.00", "due_later": "664.14", "balance_due_on": None,
        "balance_when": "AT_HOTEL", "card_required": False, "save_card": False, "currency": "USD"}


def test_as_dict_and_from_dict_round_trip():
    t = terms(plan(G.DEPOSIT, deposit_kind=K.PERCENT, deposit_percent=Decimal("20"), balance_due_days=7))
    again = PaymentTerms.from_dict(t.as_dict())
    assert again == t and again.total == TOTAL
    assert PaymentTerms.prepay(total=Decimal("5000"), currency="JPY").as_dict()["due_later"] == "0"


# --- the plan's own rules ------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    ({"guarantee": G.DEPOSIT}, "deposit_kind"),
    ({"guarantee": G.DEPOSIT, "deposit_kind": K.PERCENT}, "deposit_percent"),
    ({"guarantee": G.DEPOSIT, "deposit_kind": K.PERCENT, "deposit_percent": Decimal("0")}, "deposit_percent"),
    ({"guarantee": G.DEPOSIT, "deposit_kind": K.PERCENT, "deposit_percent": Decimal("100.001")}, "deposit_percent"),
    ({"guarantee": G.DEPOSIT, "deposit_kind": K.FIRST_NIGHT, "deposit_percent": Decimal("20")}, "deposit_percent"),
    ({"guarantee": G.PREPAY, "deposit_kind": K.FIRST_NIGHT}, "deposit_kind"),
    ({"guarantee": G.CARD_GUARANTEE, "deposit_percent": Decimal("20")}, "deposit_percent"),
    ({"guarantee": G.PAY_AT_HOTEL, "balance_due_days": 7}, "balance_due_days"),
])
def test_clean_refuses_deposit_fields_that_do_not_fit(kwargs, field):
    with pytest.raises(ValidationError) as caught:
        RatePlan(code="X", name="X", **kwargs).clean()
    assert field in caught.value.message_dict


@pytest.mark.parametrize("kwargs", [
    {"guarantee": G.PREPAY},
    {"guarantee": G.CARD_GUARANTEE},
    {"guarantee": G.PAY_AT_HOTEL},
    {"guarantee": G.DEPOSIT, "deposit_kind": K.FIRST_NIGHT},
    {"guarantee": G.DEPOSIT, "deposit_kind": K.FIRST_NIGHT, "balance_due_days": 0},
    {"guarantee": G.DEPOSIT, "deposit_kind": K.PERCENT, "deposit_percent": Decimal("100"), "balance_due_days": 7},
])
def test_clean_accepts_the_rules_as_documented(kwargs):
    RatePlan(code="X", name="X", **kwargs).clean()


@pytest.mark.django_db
def test_the_database_refuses_deposit_fields_on_a_prepaid_plan():
    hotel, bar = make_hotel()
    bar.deposit_kind = K.FIRST_NIGHT
    with pytest.raises(IntegrityError), transaction.atomic():
        bar.save()
    bar.refresh_from_db()
    bar.guarantee, bar.deposit_kind, bar.deposit_percent = G.DEPOSIT, K.PERCENT, Decimal("0")
    with pytest.raises(IntegrityError), transaction.atomic():
        bar.save()


# --- over a real quote -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_terms_for_quote_on_the_seed_stay():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar)
    tax(hotel)
    fee(hotel)
    aaa = derived(hotel, bar)
    aaa.guarantee, aaa.deposit_kind, aaa.balance_due_days = G.DEPOSIT, K.FIRST_NIGHT, 7
    quote = price(aaa, king)
    assert str(quote.total) == "664.14"
    t = terms_for_quote(quote, booked_on=date(2031, 1, 1))
    assert (str(t.due_now), str(t.due_later), t.balance_due_on) == ("206.79", "457.35", date(2031, 1, 3))
    assert terms_for_quote(quote, booked_on=date(2031, 1, 3)).due_now == Decimal("664.14")  # the cut-over day
    # Two rooms: the first night is both rooms' first night, with its share of the tax and fees.
    two = price(aaa, king, rooms=2, adults=2)
    assert (str(two.total), str(two.nightly_totals[0])) == ("1328.28", "413.58")
    t = terms_for_quote(two, booked_on=date(2031, 1, 1))
    assert (str(t.due_now), str(t.due_later), t.balance_when) == ("413.58", "914.70", "BEFORE_ARRIVAL")
    assert FRI == quote.check_in


@pytest.mark.django_db
def test_terms_for_quote_in_yen():
    hotel, bar = make_hotel(currency="JPY", timezone="Asia/Tokyo")
    room = room_type_with_rates(hotel, bar, weekday="12000", saturday="15000", sunday="13000")
    tax(hotel, value="10")
    bar.guarantee, bar.deposit_kind, bar.deposit_percent = G.DEPOSIT, K.PERCENT, Decimal("33")
    quote = price(bar, room)
    assert str(quote.total) == "44000"  # 40000 + 4000 tax
    assert terms_for_quote(quote, booked_on=date(2031, 1, 1)).as_dict() == {
        "guarantee": "DEPOSIT", "due_now": "14520", "due_later": "29480", "balance_due_on": None,
        "balance_when": "AT_CHECK_IN", "card_required": True, "save_card": True, "currency": "JPY"}
