"""Sections other apps add to a guest's data export, by dotted path (privacy imports them; they never import
privacy). An exporter takes (guest, reservations) and returns JSON-ready data for its section.

Invoices: when the invoicing app is installed, PrivacyConfig.ready registers `related_rows_of("invoicing")`, which
exports every invoicing row that points at one of the guest's reservations or folios. The integrator may replace it
with invoicing's own exporter: `exporter_register("invoices", "invoicing.<module>.<function>")`.
"""

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps
from django.db.models import Model, Q
from django.utils.module_loading import import_string

_exporters: dict[str, object] = {}


def exporter_register(section: str, exporter) -> None:
    """`exporter`: a callable or its dotted path. A section registered twice keeps the last one."""
    _exporters[section] = exporter


def exported_sections(guest, reservations: list) -> dict:
    sections = {}
    for section, exporter in _exporters.items():
        function = import_string(exporter) if isinstance(exporter, str) else exporter
        sections[section] = function(guest, reservations)
    return sections


def plain(value):
    """A model field's value as JSON: money as a decimal string, dates in ISO 8601."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def row_data(row: Model, *, exclude: Iterable[str] = ()) -> dict:
    """Every concrete field of `row` (foreign keys as their id)."""
    return {f.attname: plain(f.value_from_object(row)) for f in row._meta.concrete_fields if f.name not in exclude}


def related_rows_of(app_label: str):
    """An exporter of every row of `app_label`'s models with a foreign key to one of the guest's reservations or
    folios (e.g. invoicing's invoices and their lines, credit notes), per model."""

    def export(guest, reservations):
        from frontdesk.models import Folio

        reservation_ids = [r.pk for r in reservations]
        folio_ids = list(Folio.objects.filter(reservation__in=reservation_ids).values_list("pk", flat=True))
        found = {}
        for model in apps.get_app_config(app_label).get_models():
            query = Q(pk__in=[])
            for field in model._meta.concrete_fields:
                target = getattr(field, "related_model", None)
                if target is not None and target._meta.label in ("bookings.Reservation", "frontdesk.Folio"):
                    ids = reservation_ids if target._meta.label == "bookings.Reservation" else folio_ids
                    query |= Q(**{f"{field.name}__in": ids})
            rows = [row_data(row) for row in model._default_manager.filter(query).order_by("pk")]
            if rows:
                found[model._meta.label] = rows
        return found

    return export
