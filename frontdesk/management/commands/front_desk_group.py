"""Create or repair the "Front desk" group (a migration creates it; this restores it after a flush)."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_DESK_PERMISSIONS
from inventory.models import Hotel


class Command(BaseCommand):
    help = ("Give the Front desk group exactly a desk clerk's permissions (optionally add users to it, and with "
            "--hotel make them staff of those hotels).")

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Staff users to put in the group")
        parser.add_argument("--hotel", action="append", default=[], help="Hotel code the users work at; repeat")

    @transaction.atomic
    def handle(self, *args, usernames=(), hotel=(), **options):
        from django.contrib.auth import get_user_model

        hotels = list(Hotel.objects.filter(code__in=[h.upper() for h in hotel]))
        missing = {h.upper() for h in hotel} - {h.code for h in hotels}
        if missing:
            raise CommandError(f"Unknown hotel(s): {', '.join(sorted(missing))}")

        query = Q(pk__in=[])
        for app, codename in FRONT_DESK_PERMISSIONS:
            query |= Q(content_type__app_label=app, codename=codename)
        perms = list(Permission.objects.filter(query))
        if len(perms) != len(FRONT_DESK_PERMISSIONS):
            self.stderr.write("Some permissions are missing; run migrate first.")
        group, _ = Group.objects.get_or_create(name=FRONT_DESK_GROUP)
        group.permissions.set(perms)
        for username in usernames:
            user = get_user_model().objects.get(username=username)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(group)
            user.hotels.add(*hotels)
        at = f" at {', '.join(h.code for h in hotels)}" if hotels else ""
        self.stdout.write(f"{FRONT_DESK_GROUP}: {len(perms)} permissions, users added: {len(usernames)}{at}.")
