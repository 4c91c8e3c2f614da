"""The "Front desk" group sees and issues invoices; the "Front office manager" group also cancels them with a
credit note (frontdesk.permissions lists them)."""

from django.db import migrations
from django.db.models import Q

DESK = [("invoicing", "view_invoice"), ("invoicing", "issue_invoice")]
MANAGER = DESK + [("invoicing", "credit_invoice")]
GROUPS = {"Front desk": DESK, "Front office manager": MANAGER}


def _perms(apps, db, wanted):
    query = Q(pk__in=[])
    for app, codename in wanted:
        query |= Q(content_type__app_label=app, codename=codename)
    return list(apps.get_model("auth", "Permission").objects.using(db).filter(query))


def give(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    db = schema_editor.connection.alias
    config = apps.get_app_config("invoicing")
    config.models_module = True  # permissions are normally created after all migrations; these are needed now
    create_permissions(config, apps=apps, verbosity=0, using=db)
    config.models_module = None
    for name, wanted in GROUPS.items():
        for group in apps.get_model("auth", "Group").objects.using(db).filter(name=name):
            group.permissions.add(*_perms(apps, db, wanted))


def take_back(apps, schema_editor):
    db = schema_editor.connection.alias
    for name, wanted in GROUPS.items():
        for group in apps.get_model("auth", "Group").objects.using(db).filter(name=name):
            group.permissions.remove(*_perms(apps, db, wanted))


class Migration(migrations.Migration):

    dependencies = [
        ("invoicing", "0002_accounting_export"),
        ("frontdesk", "0012_front_desk_group_manages_folios"),
    ]

    operations = [
        migrations.RunPython(give, take_back),
    ]
