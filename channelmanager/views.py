"""The iCalendar export of a room type's booked nights, for channels that sync by iCal. No guest data."""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from pricing.search import hotel_today

from .models import IcalFeed
from .selectors import booked_ranges

PAST_DAYS = 30


@require_GET
def ical_feed(request, token: str):
    """One VEVENT per run of nights with the same number of rooms booked: "Booked (2 of 5 rooms)", or
    "Sold out" when none is left, "Closed to sale" on stop-sell nights.
    All-day events; DTEND is the morning of departure (exclusive)."""
    feed = (IcalFeed.objects.select_related("hotel", "room_type", "channel")
            .filter(token=token, is_active=True).first()) if "\x00" not in token else None
    if feed is None:
        raise Http404("No such calendar.")
    hotel, room_type = feed.hotel, feed.room_type
    today = hotel_today(hotel)
    days = feed.channel.ari_days if feed.channel_id else 365
    calendar = Calendar()
    calendar.add("prodid", "-//Hotel Booking//Channel manager//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{hotel.name}: {room_type.name}")
    calendar.add("x-wr-timezone", hotel.timezone)
    stamp = timezone.now().replace(microsecond=0)
    for booked in booked_ranges(room_type=room_type, start=today - timedelta(days=PAST_DAYS),
                                end=today + timedelta(days=days)):
        event = Event()
        event.add("uid", f"{room_type.code}-{booked.start:%Y%m%d}-{booked.end:%Y%m%d}-{feed.pk}@{hotel.code}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booked.start)
        event.add("dtend", booked.end)
        sold_out = booked.booked >= booked.sellable
        if booked.stop_sell and not sold_out:
            summary = "Closed to sale"
        else:
            summary = "Sold out" if sold_out else f"Booked ({booked.booked} of {booked.sellable} rooms)"
        event.add("summary", summary)
        event.add("description", f"{booked.booked} of {booked.sellable} {room_type.name} rooms booked each night.")
        event.add("transp", "OPAQUE" if sold_out or booked.stop_sell else "TRANSPARENT")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{hotel.code}-{room_type.code}.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


