"""A hotel with several rate plans side by side and open inventory, for the all-rates and sold-out tests."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from inventory.models import InventoryDay
from inventory.services import inventory_open
from pricing.models import CancellationPolicy, RatePlan
from tests.factories import RoomFactory

from .pricing_setup import derived, fee, make_hotel, room_type_with_rates, tax

NY = ZoneInfo("America/New_York")
TODAY = date(2031, 1, 5)                       # a Sunday
NOON = datetime.combine(TODAY, time(12), tzinfo=NY)
FRI = date(2031, 1, 10)
SAT = date(2031, 1, 11)
MON = date(2031, 1, 13)


def rates_hotel(*, code="RATES", rooms_per_type=2, room_types=("DELUXE-KING",), plans=("AAA", "NR", "HOTEL")):
    """BAR (prepaid, 24-hour free cancellation), and on top as asked: AAA (10 % off), NR (15 % off,
    non-refundable), HOTEL (as BAR, pay at the hotel); a 12 % tax on the undiscounted rate, a $15 fee per night.
    Deluxe King: 189 weekdays, 219 Saturday, 199 Sunday; Standard Queen: 149 / 179 / 159."""
    hotel, bar = make_hotel(code=code)
    tax(hotel)
    fee(hotel)
    made = {"BAR": bar}
    if "AAA" in plans:
        made["AAA"] = derived(hotel, bar, code="AAA", value="10")
    if "NR" in plans:
        strict = CancellationPolicy.objects.create(hotel=hotel, name="Non-refundable",
                                                   description="No refund once booked")
        strict.tiers.create(hours_before=100000, penalty_percent=Decimal("100"))
        made["NR"] = RatePlan.objects.create(hotel=hotel, code="NR", name="Non-refundable saver",
                                             description="Breakfast not included", cancellation_policy=strict,
                                             parent=bar, derivation=RatePlan.Derivation.PERCENT,
                                             derivation_value=Decimal("15"))
    if "HOTEL" in plans:
        made["HOTEL"] = RatePlan.objects.create(hotel=hotel, code="HOTEL", name="Pay at the hotel",
                                                cancellation_policy=bar.cancellation_policy, parent=bar,
                                                derivation=RatePlan.Derivation.PERCENT,
                                                derivation_value=Decimal("0"),
                                                guarantee=RatePlan.Guarantee.PAY_AT_HOTEL)
    prices = {"DELUXE-KING": ("189", "219", "199"), "STANDARD-QUEEN": ("149", "179", "159")}
    for i, rt_code in enumerate(room_types):
        weekday, saturday, sunday = prices.get(rt_code, ("189", "219", "199"))
        rt = room_type_with_rates(hotel, bar, code=rt_code, weekday=weekday, saturday=saturday, sunday=sunday,
                                  sort_order=i)
        for n in range(rooms_per_type):
            RoomFactory(room_type=rt, hotel=hotel, number=f"{i + 1}{n + 1:02d}")  # Room.number holds 10 characters
    inventory_open(hotel=hotel, start=TODAY - timedelta(days=1), end=TODAY + timedelta(days=60))
    return hotel, made


def code_only(hotel, bar, *, code="CORP", access_code="ACME2031", visibility=RatePlan.Visibility.CODE,
              percent="20"):
    return RatePlan.objects.create(hotel=hotel, code=code, name=f"{code} rate",
                                   cancellation_policy=bar.cancellation_policy, parent=bar,
                                   derivation=RatePlan.Derivation.PERCENT,
                                   derivation_value=Decimal(percent), visibility=visibility, access_code=access_code)


def sell_out(hotel, night: date, room_type_codes=None):
    """Every room of these room types (all: none given) sold on `night`."""
    days = InventoryDay.objects.filter(room_type__hotel=hotel, date=night)
    if room_type_codes:
        days = days.filter(room_type__code__in=room_type_codes)
    for day in days:
        day.sold = day.total
        day.save(update_fields=["sold"])
