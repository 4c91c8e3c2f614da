"""The "Revenue manager" group: the rates calendar (see and edit), and reading the catalogue it prices.

Seasons, overrides and promotions are edited in their own admin pages with their model permissions; the group
gives those too, so a revenue manager needs nothing else but to belong to a hotel (Hotel.staff).
"""

from django.db import migrations

GROUP = "Revenue manager"
PERMISSIONS = [
    ("ratecalendar", "view_calendaredit"),
    ("ratecalendar", "manage_rates"),
    ("pricing", "view_rateplan"),
    ("pricing", "view_rate"), ("pricing", "add_rate"), ("pricing", "change_rate"),
    ("pricing", "view_rateoverride"), ("pricing", "add_rateoverride"), ("pricing", "change_rateoverride"),
    ("pricing", "delete_rateoverride"),
    ("pricing", "view_promotion"), ("pricing", "add_promotion"), ("pricing", "change_promotion"),
    ("inventory", "view_hotel"), ("inventory", "view_roomtype"), ("inventory", "view_inventoryday"),
]


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; create them now so the group can use them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    db = schema_editor.connection.alias
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    group.permissions.set([Permission.objects.using(db).get(content_type__app_label=app, codename=code)
                           for app, code in PERMISSIONS])


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ratecalendar", "0001_initial"),
        ("pricing", "0003_promotion_rules"),
        ("inventory", "0004_stay_rules_and_lead_times"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_group),
    ]
