"""Every folio line is on a folio (its own migration: PostgreSQL refuses an ALTER TABLE in the transaction that
filled the column, with its foreign-key checks still pending)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0007_folios_and_billing_parties"),
    ]

    operations = [
        migrations.AlterField(
            model_name="folioline",
            name="folio",
            field=models.ForeignKey(help_text="The bill it is on (the guest's, unless routed or moved)",
                                    on_delete=django.db.models.deletion.PROTECT, related_name="lines",
                                    to="frontdesk.folio"),
        ),
    ]
