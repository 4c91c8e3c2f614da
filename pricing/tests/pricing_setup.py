"""A small hotel to price against, built with the shared factories (tests only)."""

from datetime import date, time
from decimal import Decimal

from pricing.engine import Quote, quote_stay
from pricing.models import CancellationPolicy, CancellationTier, Fee, Promotion, Rate, RatePlan, Tax
from pricing.selectors import pricing_context_load
from tests.factories import HotelFactory, RateFactory, RatePlanFactory, RoomTypeFactory

# A Friday-to-Monday stay far from any DST change, used where the calendar does not matter.
FRI = date(2031, 1, 10)
MON = date(2031, 1, 13)
BOOKED_ON = date(2031, 1, 1)


def make_hotel(*, currency="USD", timezone="America/New_York", code=None):
    kwargs = {"currency": currency, "timezone": timezone, "check_in_time": time(15)}
    if code:
        kwargs["code"] = code
    hotel = HotelFactory(**kwargs)
    policy = CancellationPolicy.objects.create(hotel=hotel, name="Flexible 24-Hour",
                                              description="Free cancellation until 24 hours before check-in")
    CancellationTier.objects.create(policy=policy, hours_before=24, penalty_percent=Decimal("100"))
    bar = RatePlanFactory(hotel=hotel, code="BAR", name="Best Available Rate", cancellation_policy=policy)
    return hotel, bar


def room_type_with_rates(hotel, plan, *, code="DELUXE-KING", weekday="189", saturday="219", sunday="199",
                         start=date(2030, 1, 1), end=date(2032, 12, 31), **room_kwargs):
    rt = RoomTypeFactory(hotel=hotel, code=code, name=code.title(), **room_kwargs)
    RateFactory(rate_plan=plan, room_type=rt, start_date=start, end_date=end, name="All year",
                **week(weekday, saturday, sunday))
    return rt


def week(weekday, saturday, sunday) -> dict:
    w = Decimal(weekday)
    return dict(monday=w, tuesday=w, wednesday=w, thursday=w, friday=w,
                saturday=Decimal(saturday), sunday=Decimal(sunday))


def derived(hotel, parent, *, code="AAA", kind=RatePlan.Derivation.PERCENT, value="10"):
    return RatePlan.objects.create(hotel=hotel, code=code, name=f"{code} plan", parent=parent, derivation=kind,
                                   derivation_value=Decimal(value),
                                   cancellation_policy=parent.cancellation_policy)


def price(plan, room_type, check_in=FRI, check_out=MON, *, promotion=None, rooms=1, adults=2, children=0,
          booked_on=BOOKED_ON) -> Quote:
    ctx = pricing_context_load(hotel=plan.hotel, rate_plan=plan, room_type_ids=[room_type.id], check_in=check_in,
                               check_out=check_out, promotion=promotion)
    return quote_stay(ctx, room_type=room_type, check_in=check_in, check_out=check_out, adults=adults,
                      children=children, rooms=rooms, booked_on=booked_on)


def tax(hotel, kind=Tax.Kind.PERCENT, value="12", base=Tax.Base.GROSS, name=None):
    return Tax.objects.create(hotel=hotel, name=name or f"{kind} tax", kind=kind, value=Decimal(value), base=base)


def fee(hotel, kind=Fee.Kind.PER_NIGHT, amount="15", name=None):
    return Fee.objects.create(hotel=hotel, name=name or f"{kind} fee", kind=kind, amount=Decimal(amount))


def promo(hotel, *, code="SAVE", kind=Promotion.Kind.PERCENT, value="10", **kwargs):
    return Promotion.objects.create(hotel=hotel, code=code, name=code, kind=kind, value=Decimal(value), **kwargs)


def nightly(quote) -> list[str]:
    return [str(n.rate) for n in quote.nights]


__all__ = ["Rate", "make_hotel", "room_type_with_rates", "derived", "price", "tax", "fee", "promo", "nightly",
           "week", "FRI", "MON", "BOOKED_ON"]
