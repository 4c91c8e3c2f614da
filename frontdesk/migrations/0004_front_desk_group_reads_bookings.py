"""The "Front desk" group may read bookings (the API's GET /bookings/{cn} and the reservations admin), as the
clerk's work needs; it still changes and cancels none (frontdesk.permissions.FRONT_DESK_PERMISSIONS)."""

from django.db import migrations

GROUP = "Front desk"


def add_view_reservation(apps, schema_editor):
    db = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(db).filter(name=GROUP).first()
    perm = apps.get_model("auth", "Permission").objects.using(db).filter(
        content_type__app_label="bookings", codename="view_reservation").first()
    if group is not None and perm is not None:
        group.permissions.add(perm)


def remove_view_reservation(apps, schema_editor):
    db = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(db).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(content_type__app_label="bookings",
                                                           codename="view_reservation"))


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0003_front_desk_group"),
        ("bookings", "0006_reservation_made_by_key_and_work_permissions"),
    ]

    operations = [
        migrations.RunPython(add_view_reservation, remove_view_reservation),
    ]
