from django.core.management.base import BaseCommand, CommandError

from inventory.models import Hotel, HotelAPIKey


class Command(BaseCommand):
    help = "Create an API key for one or more hotels. The key is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--hotel", action="append", required=True, help="Hotel code; repeat for several")
        parser.add_argument("--scope", choices=["partner", "frontdesk"], default="partner")

    def handle(self, *args, name, hotel, scope, **options):
        hotels = list(Hotel.objects.filter(code__in=[h.upper() for h in hotel]))
        missing = {h.upper() for h in hotel} - {h.code for h in hotels}
        if missing:
            raise CommandError(f"Unknown hotel(s): {', '.join(sorted(missing))}")
        api_key, key = HotelAPIKey.objects.create_key(name=name, scope=scope)
        api_key.hotels.set(hotels)
        self.stdout.write(f"Created {scope} key {api_key.prefix} for {', '.join(h.code for h in hotels)}.")
        self.stdout.write("Send it as 'Authorization: Api-Key <key>'. It will not be shown again:")
        self.stdout.write(key)
