"""Create an API key. It lives here, in the app that knows every kind of key (partner, front desk, channel)."""

from django.core.management.base import BaseCommand, CommandError

from channelmanager.models import Channel
from channelmanager.services import channel_key_create
from inventory.models import Hotel, HotelAPIKey


class Command(BaseCommand):
    help = ("Create an API key for one or more hotels, or (--channel) for one channel's inbound messages. "
            "The key is printed once, alone on the last line.")

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--hotel", action="append", default=[], help="Hotel code; repeat for several")
        parser.add_argument("--scope", choices=["partner", "frontdesk"], default="partner")
        parser.add_argument("--hotel-wide", action="store_true",
                            help="A partner key that sees every booking of its hotels, not only its own")
        parser.add_argument("--channel", help="Channel code, e.g. BOOKING_COM: a key only for that channel's "
                                              "OTA_HotelResNotifRQ (give --hotel when several hotels have it)")

    def handle(self, *args, name, hotel, scope, hotel_wide, channel, **options):
        codes = {h.upper() for h in hotel}
        hotels = list(Hotel.objects.filter(code__in=codes))
        missing = codes - {h.code for h in hotels}
        if missing:
            raise CommandError(f"Unknown hotel(s): {', '.join(sorted(missing))}")
        if channel:
            self._channel_key(name, channel.strip().upper(), hotels)
            return
        if not hotels:
            raise CommandError("Give at least one --hotel.")
        api_key, key = HotelAPIKey.objects.create_key(name=name, scope=scope, hotel_wide=hotel_wide)
        api_key.hotels.set(hotels)
        reach = " (hotel-wide)" if hotel_wide and scope == "partner" else ""
        self._print(f"Created {scope} key {api_key.prefix}{reach} for {', '.join(h.code for h in hotels)}.", key)

    def _channel_key(self, name: str, code: str, hotels: list):
        channels = Channel.objects.filter(code=code).select_related("hotel")
        if hotels:
            channels = channels.filter(hotel__in=hotels)
        channels = list(channels)
        if not channels:
            raise CommandError(f"No channel {code}" + (f" at {', '.join(h.code for h in hotels)}." if hotels else "."))
        if len(channels) > 1:
            raise CommandError(f"Channel {code} is connected to several hotels: give one --hotel.")
        api_key, key = channel_key_create(channel=channels[0], name=name)
        self._print(f"Created channel key {api_key.prefix} for {channels[0]}.", key)

    def _print(self, summary: str, key: str):
        self.stdout.write(summary)
        self.stdout.write("Send it as 'Authorization: Api-Key <key>'. It will not be shown again:")
        self.stdout.write(key)
