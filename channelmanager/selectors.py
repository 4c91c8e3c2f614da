"""Reads for the channel manager: the channel an inbound message is for, booked nights, the ARI window.

The figures the ARI push sends are read in channelmanager/ari_figures.py.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, Prefetch, Q

from hotelbooking.errors import ChannelNotFound
from inventory.models import Hotel, InventoryDay, RoomType
from pricing.search import hotel_today

from .models import Channel, ChannelKey, RatePlanMapping, RoomTypeMapping


def channels_with_mappings(*, hotel_id: int) -> list[Channel]:
    """The hotel's active channels that have somewhere to push to, with their mappings, in three queries."""
    return list(Channel.objects.filter(hotel_id=hotel_id, is_active=True).exclude(endpoint_url="")
                .select_related("hotel")
                .prefetch_related(Prefetch("room_mappings", queryset=RoomTypeMapping.objects.all()),
                                  Prefetch("rate_mappings", queryset=RatePlanMapping.objects.select_related(
                                      "rate_plan__parent", "rate_plan__cancellation_policy"))))


def channel_for_inbound(*, code: str, hotels, property_code: str = "") -> Channel:
    """The channel `code` of one of `hotels`. When several hotels have it, the message's HotelCode decides."""
    code = (code or "").strip().upper()
    if not code or "\x00" in code or "\x00" in property_code:
        raise ChannelNotFound()
    candidates = list(Channel.objects.filter(code=code, hotel__in=hotels).select_related("hotel"))
    if property_code:
        candidates = [c for c in candidates if c.hotel_code.upper() == property_code.strip().upper()]
    if not candidates:
        where = f" for hotel {property_code}" if property_code else ""
        raise ChannelNotFound(f"No channel {code}{where} that this API key reaches.")
    if len(candidates) > 1:
        raise ChannelNotFound(f"Channel {code} is connected to several hotels: send BasicPropertyInfo@HotelCode.")
    return candidates[0]


def channel_of_key(api_key) -> Channel | None:
    """The channel an API key is bound to (scope "channel"), or None."""
    if api_key is None or api_key.scope != "channel":
        return None
    binding = ChannelKey.objects.select_related("channel__hotel").filter(api_key=api_key).first()
    return binding.channel if binding else None


def room_type_for_code(*, channel: Channel, channel_room_code: str) -> RoomType | None:
    mapping = (RoomTypeMapping.objects.select_related("room_type")
               .filter(channel=channel, channel_room_code=channel_room_code).first())
    return mapping.room_type if mapping else None


def rate_plan_for_code(*, channel: Channel, channel_rate_code: str):
    mapping = (RatePlanMapping.objects.select_related("rate_plan")
               .filter(channel=channel, channel_rate_code=channel_rate_code).first())
    return mapping.rate_plan if mapping else None


@dataclass(frozen=True)
class BookedRange:
    start: date          # first booked night
    end: date            # the morning after the last booked night (iCal DTEND, exclusive)
    booked: int          # rooms booked each night of the range
    sellable: int        # rooms that exist and are in order
    stop_sell: bool = False  # the hotel has closed these nights to sale


def booked_ranges(*, room_type: RoomType, start: date, end: date) -> list[BookedRange]:
    """Runs of consecutive nights in [start, end) with the same number of rooms booked and sellable. Nights
    with nothing booked are left out, unless nothing is left to sell (every room out of order, or stop-sell):
    those are closed to a channel as much as sold-out nights are."""
    out: list[BookedRange] = []
    rows = (InventoryDay.objects.filter(room_type=room_type, date__gte=start, date__lt=end)
            .filter(Q(sold__gt=0) | Q(out_of_order__gte=F("total")) | Q(stop_sell=True))
            .order_by("date").values_list("date", "sold", "total", "out_of_order", "stop_sell"))
    for night, sold, total, out_of_order, stop_sell in rows:
        sellable = max(0, total - out_of_order)
        last = out[-1] if out else None
        if (last and last.end == night and last.booked == sold and last.sellable == sellable
                and last.stop_sell == stop_sell):
            out[-1] = BookedRange(last.start, night + timedelta(days=1), sold, sellable, stop_sell)
        else:
            out.append(BookedRange(night, night + timedelta(days=1), sold, sellable, stop_sell))
    return out


def ari_window(*, hotel: Hotel, days: int) -> tuple[date, date]:
    """The nights a channel is kept up to date on: from the hotel's today, `days` of them (end exclusive)."""
    today = hotel_today(hotel)
    return today, today + timedelta(days=days)
