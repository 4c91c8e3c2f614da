"""The reservation desk (issue 11): clerks book, change, cancel, assign and move rooms and mark no-shows; the
"Front office manager" group adds price overrides and penalty waivers (frontdesk.permissions)."""

from django.db import migrations

DESK = "Front desk"
MANAGER = "Front office manager"
ADDED = [("bookings", "add_reservation"), ("bookings", "modify_reservation"), ("bookings", "cancel_reservation"),
         ("frontdesk", "assign_room"), ("frontdesk", "move_room"), ("frontdesk", "mark_no_show")]
MANAGER_ONLY = [("frontdesk", "override_rate"), ("frontdesk", "waive_penalty")]


def _perms(apps, db, pairs):
    from django.db.models import Q

    query = Q(pk__in=[])
    for app, codename in pairs:
        query |= Q(content_type__app_label=app, codename=codename)
    return list(apps.get_model("auth", "Permission").objects.using(db).filter(query))


def give(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    db = schema_editor.connection.alias
    for label in ("bookings", "frontdesk"):
        config = apps.get_app_config(label)
        config.models_module = True  # permissions are normally created after all migrations; these are needed now
        create_permissions(config, apps=apps, verbosity=0, using=db)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    desk = Group.objects.using(db).filter(name=DESK).first()
    if desk is None:
        return
    desk.permissions.add(*_perms(apps, db, ADDED))
    manager, _ = Group.objects.using(db).get_or_create(name=MANAGER)
    manager.permissions.set(list(desk.permissions.all()) + _perms(apps, db, MANAGER_ONLY))


def take_back(apps, schema_editor):
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Group.objects.using(db).filter(name=MANAGER).delete()
    desk = Group.objects.using(db).filter(name=DESK).first()
    if desk is not None:
        desk.permissions.remove(*_perms(apps, db, ADDED))


class Migration(migrations.Migration):

    dependencies = [
        ('bookings', '0008_reservation_dispute'),
        ('frontdesk', '0005_payment_links'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='stay',
            options={'permissions': [
                ('check_in_guest', 'Can check guests in and assign rooms'),
                ('check_out_guest', 'Can check guests out and settle the bill'),
                ('post_charge', 'Can post and reverse incidental charges'),
                ('assign_room', 'Can assign rooms ahead of arrival'),
                ('move_room', 'Can move a guest to another room'),
                ('mark_no_show', 'Can mark a booking as a no-show from the desk'),
                ('override_rate', "Can override a booking's price (with a reason)"),
                ('waive_penalty', 'Can waive a cancellation or no-show penalty (with a reason)'),
            ], 'verbose_name': 'stay', 'verbose_name_plural': 'stays (arrivals, in-house, departures)'},
        ),
        migrations.RunPython(give, take_back),
    ]
