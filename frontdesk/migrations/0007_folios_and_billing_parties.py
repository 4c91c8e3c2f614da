"""Several folios per reservation (guest, company, travel agent, channel) and reusable billing parties.

Every existing folio line goes onto its reservation's guest folio (number 1), made here.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def guest_folios(apps, schema_editor):
    Folio = apps.get_model("frontdesk", "Folio")
    FolioLine = apps.get_model("frontdesk", "FolioLine")
    for reservation_id in FolioLine.objects.values_list("reservation_id", flat=True).distinct():
        folio, _ = Folio.objects.get_or_create(reservation_id=reservation_id, number=1, defaults={"kind": "GUEST"})
        FolioLine.objects.filter(reservation_id=reservation_id).update(folio=folio)


class Migration(migrations.Migration):

    dependencies = [
        ("bookings", "0011_multi_room_lead"),
        ("frontdesk", "0006_desk_bookings_and_managers"),
    ]

    operations = [
        migrations.CreateModel(
            name="BillingParty",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("COMPANY", "Company"), ("TRAVEL_AGENT", "Travel agent")],
                                          default="COMPANY", max_length=20)),
                ("name", models.CharField(max_length=200)),
                ("address", models.TextField(blank=True, help_text="Street lines, as printed on an invoice")),
                ("postal_code", models.CharField(blank=True, max_length=20)),
                ("city", models.CharField(blank=True, max_length=100)),
                ("country", models.CharField(blank=True, help_text="ISO 3166 code, e.g. DE", max_length=2)),
                ("vat_id", models.CharField(blank=True, max_length=40, verbose_name="VAT id")),
                ("contact_name", models.CharField(blank=True, max_length=200)),
                ("email", models.EmailField(blank=True, help_text="Where its invoices are sent", max_length=254)),
                ("phone", models.CharField(blank=True, max_length=40)),
                ("is_active", models.BooleanField(default=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={"ordering": ["name", "id"], "verbose_name_plural": "billing parties"},
        ),
        migrations.CreateModel(
            name="Folio",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveSmallIntegerField(default=1)),
                ("kind", models.CharField(choices=[("GUEST", "Guest"), ("COMPANY", "Company"),
                                                   ("TRAVEL_AGENT", "Travel agent"), ("CHANNEL", "Channel")],
                                          default="GUEST", max_length=20)),
                ("label", models.CharField(blank=True, max_length=100)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("created_by", models.CharField(blank=True, max_length=100)),
                ("billing_party", models.ForeignKey(blank=True, null=True,
                                                    on_delete=django.db.models.deletion.PROTECT,
                                                    related_name="folios", to="frontdesk.billingparty")),
                ("reservation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                  related_name="folios", to="bookings.reservation")),
            ],
            options={"ordering": ["reservation", "number"]},
        ),
        migrations.AddConstraint(
            model_name="folio",
            constraint=models.UniqueConstraint(fields=("reservation", "number"), name="uniq_folio_number"),
        ),
        migrations.AddField(
            model_name="folioline",
            name="folio",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="lines",
                                    to="frontdesk.folio"),
        ),
        migrations.RunPython(guest_folios, migrations.RunPython.noop),
    ]
