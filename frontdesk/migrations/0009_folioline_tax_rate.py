from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("frontdesk", "0008_folio_line_folio_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="folioline",
            name="tax_rate",
            field=models.DecimalField(blank=True, decimal_places=4, max_digits=7, null=True,
                                      help_text="On a percentage tax posting: the rate in percent (e.g. 8.875), "
                                                "for the invoice's tax summary per rate"),
        ),
    ]
