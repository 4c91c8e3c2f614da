"""Split folios (issue 14): the "Front desk" and "Front office manager" groups open folios, route charges, move
lines between folios and keep the companies and travel agents they bill (frontdesk.permissions)."""

from django.db import migrations

GROUPS = ("Front desk", "Front office manager")
ADDED = [("frontdesk", "manage_folios"), ("frontdesk", "view_billingparty"), ("frontdesk", "add_billingparty"),
         ("frontdesk", "change_billingparty")]


def _perms(apps, db):
    from django.db.models import Q

    query = Q(pk__in=[])
    for app, codename in ADDED:
        query |= Q(content_type__app_label=app, codename=codename)
    return list(apps.get_model("auth", "Permission").objects.using(db).filter(query))


def give(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    db = schema_editor.connection.alias
    config = apps.get_app_config("frontdesk")
    config.models_module = True  # permissions are normally created after all migrations; these are needed now
    create_permissions(config, apps=apps, verbosity=0, using=db)
    config.models_module = None
    for group in apps.get_model("auth", "Group").objects.using(db).filter(name__in=GROUPS):
        group.permissions.add(*_perms(apps, db))


def take_back(apps, schema_editor):
    db = schema_editor.connection.alias
    for group in apps.get_model("auth", "Group").objects.using(db).filter(name__in=GROUPS):
        group.permissions.remove(*_perms(apps, db))


class Migration(migrations.Migration):

    dependencies = [
        ('frontdesk', '0011_folio_routes_and_moves'),
    ]

    operations = [
        migrations.RunPython(give, take_back),
    ]
