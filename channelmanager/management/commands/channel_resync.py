"""Push a channel's whole window again: availability, restrictions and rates for the next N days."""

from django.core.management.base import BaseCommand, CommandError

from channelmanager.models import AriMessage, Channel
from channelmanager.services import ari_drain, channel_full_resync


class Command(BaseCommand):
    help = "Full ARI resync of channels (all active ones, or one hotel's, or one channel)."

    def add_arguments(self, parser):
        parser.add_argument("--hotel", help="Hotel code, e.g. NYC")
        parser.add_argument("--channel", help="Channel code, e.g. BOOKING_COM")
        parser.add_argument("--days", type=int, help="How many days ahead (default: each channel's window)")
        parser.add_argument("--now", action="store_true",
                            help="Send from this process now (one attempt each) instead of through Celery")

    def handle(self, *args, hotel=None, channel=None, days=None, now=False, **options):
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        channels = Channel.objects.filter(is_active=True).select_related("hotel")
        if hotel:
            channels = channels.filter(hotel__code__iexact=hotel)
        if channel:
            channels = channels.filter(code__iexact=channel)
        channels = list(channels)
        if not channels:
            raise CommandError("No active channel matches.")
        for ch in channels:
            queued = channel_full_resync(channel=ch, days=days, schedule=not now)
            self.stdout.write(f"{ch}: {queued} room-type nights queued.")
            if now:
                sent = ari_drain(channel_ids=[ch.pk], reason="full resync")
                ok = sum(1 for m in sent if m.status == AriMessage.Status.SENT)
                self.stdout.write(f"{ch}: {ok} of {len(sent)} messages delivered.")
