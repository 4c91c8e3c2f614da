"""Create or repair the "Front desk" group (a migration creates it; this restores it after a flush)."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q

from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_DESK_PERMISSIONS


class Command(BaseCommand):
    help = "Give the Front desk group exactly the staff console's permissions (optionally add users to it)."

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*", help="Staff users to put in the group")

    @transaction.atomic
    def handle(self, *args, usernames=(), **options):
        from django.contrib.auth import get_user_model

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
        self.stdout.write(f"{FRONT_DESK_GROUP}: {len(perms)} permissions, users added: {len(usernames)}.")
