from datetime import date

from django.core.management.base import BaseCommand, CommandError

from inventory.models import Hotel
from inventory.services import inventory_open


class Command(BaseCommand):
    help = "Open per-night inventory for a date range from the hotel's physical rooms."

    def add_arguments(self, parser):
        parser.add_argument("hotel", help="Hotel code, e.g. NYC")
        parser.add_argument("start", type=date.fromisoformat, help="First night, YYYY-MM-DD")
        parser.add_argument("end", type=date.fromisoformat, help="Last night, YYYY-MM-DD")

    def handle(self, *args, hotel, start, end, **options):
        if end < start:
            raise CommandError("The last night is before the first.")
        try:
            h = Hotel.objects.get(code__iexact=hotel)
        except Hotel.DoesNotExist as exc:
            raise CommandError(f"No hotel {hotel}.") from exc
        created = inventory_open(hotel=h, start=start, end=end)
        self.stdout.write(f"Opened {created} room-type nights for {h.code} from {start} to {end}.")
