"""On PostgreSQL: a room can never be in two stays whose dates overlap, enforced by the database.

EXCLUDE USING gist (room_id WITH =, daterange(start_date, end_date, '[)') WITH &&), which needs btree_gist for
the equality on room_id. On SQLite both operations do nothing; the check-in service checks overlaps while
holding the room locks (and SQLite runs one writer at a time).
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations
from django.db.models import F, Func

CONSTRAINT = "room_assignment_no_overlap"


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


def _constraint():
    return ExclusionConstraint(
        name=CONSTRAINT,
        expressions=[(F("room"), RangeOperators.EQUAL),
                     (DateRange("start_date", "end_date", RangeBoundary()), RangeOperators.OVERLAPS)],
    )


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_constraint(apps.get_model("frontdesk", "RoomAssignment"), _constraint())


def remove_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.remove_constraint(apps.get_model("frontdesk", "RoomAssignment"), _constraint())


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0001_initial"),
    ]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, remove_constraint),
    ]
