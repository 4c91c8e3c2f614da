"""An ARI message's content at the moment it is sent: its nights, its XML and what it says of each night.

The state is read once per attempt (channelmanager/ari_figures.py); the XML is built from it twice, with the real
credentials for the channel and masked ones for the log, so both say the same.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from . import ari, ari_figures
from .models import AriKind, AriMessage, RoomTypeMapping


def message_dates(message: AriMessage) -> list[date]:
    out = []
    for start, end in message.ranges:
        a, b = date.fromisoformat(start), date.fromisoformat(end)
        out += [a + timedelta(days=i) for i in range((b - a).days + 1)]
    return out


@dataclass(frozen=True)
class AriContent:
    """A message's XML, built from the state read once (`build` takes the credentials: real, or masked for the
    log), and what it says of each night, for the admin's record (ChannelNight)."""

    build: Callable[[ari.Credentials], bytes]
    nights: dict[date, str]


def message_content(message: AriMessage, *, mapping: RoomTypeMapping) -> AriContent | None:
    """What the message says now, or None when there is nothing to say (no rate loaded)."""
    channel = message.channel
    timestamp = timezone.now()
    dates = message_dates(message)

    def common(credentials: ari.Credentials) -> dict:
        return dict(hotel_code=channel.hotel_code, inv_type_code=mapping.channel_room_code,
                    echo_token=message.echo_token, timestamp=timestamp, credentials=credentials)

    if message.kind == AriKind.AVAILABILITY:
        plans = ari_figures.avail_by_plan(channel=channel, room_type=message.room_type, dates=dates)
        longest = settings.BOOKING_MAX_NIGHTS
        return AriContent(lambda c: ari.avail_notif(plans=plans, arrival_based=not channel.hotel.counts_every_night,
                                                    max_nights=longest,
                                                    limit_per_room_type=channel.avail_limit_per_room_type,
                                                    **common(c)),
                          ari_figures.avail_summary(plans, max_nights=longest))
    rates = {code: days for code, days in ari_figures.rate_days(channel=channel, room_type=message.room_type,
                                                                 dates=dates).items() if days}
    if not rates:
        return None
    return AriContent(lambda c: ari.rate_amount_notif(currency=channel.hotel.currency, plans=rates,
                                                      amounts=channel.rate_amounts,
                                                      tax_details=channel.rate_tax_details, **common(c)),
                      ari_figures.rate_summary(rates, amounts=channel.rate_amounts))
