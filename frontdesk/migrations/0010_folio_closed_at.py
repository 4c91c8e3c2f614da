from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0009_folioline_tax_rate"),
    ]

    operations = [
        migrations.AddField(
            model_name="folio",
            name="closed_at",
            field=models.DateTimeField(blank=True, null=True,
                                       help_text="Set when the folio is invoiced: nothing more is posted to it or "
                                                 "moved off it (a credit note reopens it)"),
        ),
    ]
