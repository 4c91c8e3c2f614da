"""An amount off the stay, spread over its nights to the cent: what one night cannot take goes to the next, a
changed stay gets what is left of it, even under one unit, and a free night never ends up costing a cent."""

from datetime import date
from decimal import Decimal

import pytest

from pricing.engine import quote_stay
from pricing.models import Promotion, RateOverride
from pricing.selectors import pricing_context_load

from .pricing_setup import BOOKED_ON, FRI, make_hotel, price, promo, room_type_with_rates

pytestmark = pytest.mark.django_db

THU = date(2031, 1, 9)
SAT = date(2031, 1, 11)
TUE = date(2031, 1, 14)


def promotion_discounts(quote) -> list[str]:
    return [str(n.promotion_discount) for n in quote.nights]


def requote(plan, room_type, check_in, check_out, promotion, booked_nights):
    """A changed stay: the kept nights keep their agreed prices (as bookings.modifications quotes it)."""
    ctx = pricing_context_load(hotel=plan.hotel, rate_plan=plan, room_type_ids=[room_type.id], check_in=check_in,
                               check_out=check_out, promotion=promotion)
    return quote_stay(ctx, room_type=room_type, check_in=check_in, check_out=check_out, adults=2,
                      booked_on=BOOKED_ON, booked_nights=booked_nights)


def test_what_a_cheap_night_cannot_take_of_an_amount_promotion_goes_to_the_next_night():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, weekday="99", saturday="200", sunday="200")
    # 300.00 off three nights is 100.00 each, but Friday costs only 99.00: its missing 1.00 goes to Saturday.
    q = price(bar, king, promotion=promo(hotel, kind=Promotion.Kind.AMOUNT, value="300"))
    assert promotion_discounts(q) == ["99.00", "101.00", "100.00"]
    assert (q.as_dict()["promotion_discount"], q.as_dict()["room_total"]) == ("-300.00", "199.00")


def test_a_longer_stay_gets_the_last_fifty_cents_of_an_amount_promotion():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, weekday="99.50", saturday="219")
    hundred_off = promo(hotel, kind=Promotion.Kind.AMOUNT, value="100")
    one_night = price(bar, king, FRI, SAT, promotion=hundred_off)
    assert promotion_discounts(one_night) == ["99.50"]
    # Staying on to Sunday: Friday keeps its 99.50, Saturday gets the 0.50 left of the 100.00.
    longer = requote(bar, king, FRI, date(2031, 1, 12), hundred_off, {FRI: one_night.nights[0]})
    assert promotion_discounts(longer) == ["99.50", "0.50"]
    assert (longer.as_dict()["promotion_discount"], longer.as_dict()["room_total"]) == ("-100.00", "218.50")


def test_a_free_night_stays_free_when_the_last_cents_of_an_amount_promotion_are_spread():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar, weekday="99.98", saturday="219", sunday="199")
    RateOverride.objects.create(rate_plan=bar, room_type=king, date=FRI, amount=Decimal("0"))  # Friday on the house
    hundred_off = promo(hotel, kind=Promotion.Kind.AMOUNT, value="100")
    one_night = price(bar, king, THU, FRI, promotion=hundred_off)
    assert promotion_discounts(one_night) == ["99.98"]
    # Four more nights share the 0.02 left: 0.005 a night rounds up to 0.01. Friday can take none, Saturday to
    # Monday take 0.03, a cent too many: it comes back off Saturday, not onto the free Friday as a surcharge.
    longer = requote(bar, king, THU, TUE, hundred_off, {THU: one_night.nights[0]})
    assert promotion_discounts(longer) == ["99.98", "0.00", "0.00", "0.01", "0.01"]
    assert [str(n.net) for n in longer.nights] == ["0.00", "0.00", "219.00", "198.99", "99.97"]
    assert longer.as_dict()["promotion_discount"] == "-100.00"



def test_a_shorter_stay_keeps_its_nights_share_of_an_amount_promotion_and_takes_no_more():
    hotel, bar = make_hotel()
    king = room_type_with_rates(hotel, bar)
    hundred_off = promo(hotel, kind=Promotion.Kind.AMOUNT, value="100")
    booked = price(bar, king, promotion=hundred_off)
    assert promotion_discounts(booked) == ["33.34", "33.33", "33.33"]
    # Leaving a night early: every night left is a kept one, with the price agreed; nothing is spread again.
    shorter = requote(bar, king, FRI, date(2031, 1, 12), hundred_off, {n.date: n for n in booked.nights[:2]})
    assert promotion_discounts(shorter) == ["33.34", "33.33"]
    assert (shorter.as_dict()["promotion_discount"], shorter.as_dict()["room_total"]) == ("-66.67", "341.33")
    # The kept nights carry their discount; the quote applies the promotion to no night, so it names none.
    assert (booked.promotion, shorter.promotion) == (hundred_off, None)
