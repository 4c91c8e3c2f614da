"""Create or repair the "Front desk" and "Front office manager" groups (migrations create them; this restores them
after a flush), and put users in one of them."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_OFFICE_MANAGER_GROUP, GROUPS
from inventory.models import Hotel


class Command(BaseCommand):
    help = ("Give the Front desk group exactly a desk clerk's permissions and the Front office manager group a "
            "clerk's plus overrides and waivers (optionally add users to one of them, and with --hotel make them "
            "staff of those hotels).")

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Staff users to put in the group")
        parser.add_argument("--hotel", action="append", default=[], help="Hotel code the users work at; repeat")
        parser.add_argument("--manager", action="store_true",
                            help=f"Put the users in {FRONT_OFFICE_MANAGER_GROUP} instead of {FRONT_DESK_GROUP}")

    @transaction.atomic
    def handle(self, *args, usernames=(), hotel=(), manager=False, **options):
        from django.contrib.auth import get_user_model

        hotels = list(Hotel.objects.filter(code__in=[h.upper() for h in hotel]))
        missing = {h.upper() for h in hotel} - {h.code for h in hotels}
        if missing:
            raise CommandError(f"Unknown hotel(s): {', '.join(sorted(missing))}")

        groups = {}
        for name, wanted in GROUPS.items():
            query = Q(pk__in=[])
            for app, codename in wanted:
                query |= Q(content_type__app_label=app, codename=codename)
            perms = list(Permission.objects.filter(query))
            if len(perms) != len(wanted):
                self.stderr.write("Some permissions are missing; run migrate first.")
            groups[name], _ = Group.objects.get_or_create(name=name)
            groups[name].permissions.set(perms)
        group = groups[FRONT_OFFICE_MANAGER_GROUP if manager else FRONT_DESK_GROUP]
        for username in usernames:
            user = get_user_model().objects.get(username=username)
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(group)
            user.hotels.add(*hotels)
        at = f" at {', '.join(h.code for h in hotels)}" if hotels else ""
        counts = ", ".join(f"{name}: {g.permissions.count()} permissions" for name, g in groups.items())
        self.stdout.write(f"{counts}; users added to {group.name}: {len(usernames)}{at}.")
