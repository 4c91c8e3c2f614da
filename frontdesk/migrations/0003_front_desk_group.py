"""The "Front desk" group: exactly what the staff console needs, nothing more.

Desk staff see stays, folios, rooms and housekeeping; they check guests in and out, post and reverse
incidental charges, move housekeeping tasks and put rooms out of order. They do not edit reservations,
prices, inventory, loyalty rules or the audit schedule, and they delete nothing.
"""

from django.db import migrations

GROUP = "Front desk"
PERMISSIONS = [
    ("frontdesk", "view_stay"),
    ("frontdesk", "check_in_guest"),
    ("frontdesk", "check_out_guest"),
    ("frontdesk", "post_charge"),
    ("frontdesk", "view_folioline"),
    ("frontdesk", "view_roomassignment"),
    ("frontdesk", "view_housekeepingtask"),
    ("frontdesk", "change_housekeepingtask"),
    ("frontdesk", "view_roomoutoforder"),
    ("frontdesk", "add_roomoutoforder"),
    ("frontdesk", "change_roomoutoforder"),
    ("frontdesk", "view_loyaltyentry"),
    ("frontdesk", "view_gueststats"),
    ("frontdesk", "view_stayrecord"),
    ("inventory", "view_room"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so the group can use them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(schema_editor.connection.alias).get_or_create(name=GROUP)
    perms = [Permission.objects.using(schema_editor.connection.alias).get(content_type__app_label=app, codename=code)
             for app, code in PERMISSIONS]
    group.permissions.set(perms)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0002_room_assignment_no_overlap"),
        ("inventory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
    ]
