"""manage.py accounting_export --hotel NYC --date 2026-12-01 [--output day.csv]: write a day's export now."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from inventory.models import Hotel
from invoicing.accounting import accounting_export_write, reconciliation


class Command(BaseCommand):
    help = "Write (or rewrite) one hotel business day's accounting export and print it (or save it to --output)."

    def add_arguments(self, parser):
        parser.add_argument("--hotel", required=True, help="The hotel's code, e.g. NYC")
        parser.add_argument("--date", required=True, help="The business day, YYYY-MM-DD")
        parser.add_argument("--output", help="A file to write the CSV to (default: standard output)")

    def handle(self, *args, hotel, date: str, output=None, **options):
        found = Hotel.objects.filter(code__iexact=hotel.strip()).first()
        if found is None:
            raise CommandError(f"No hotel with code {hotel}.")
        try:
            day = _parse(date)
        except ValueError:
            raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from None
        export = accounting_export_write(hotel=found, business_date=day, actor="manage.py accounting_export")
        if output:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(export.content)
        else:
            self.stdout.write(export.content, ending="")
        check = reconciliation(hotel=found)
        message = (f"Reconciliation of {found.code}: charges {check.charges} = invoiced {check.invoiced} + open "
                   f"{check.open}")
        if check.balanced:
            self.stderr.write(message + ": balanced")
        else:
            self.stderr.write(message + ": NOT balanced: " + "; ".join(check.mismatched or ["totals differ"]))


def _parse(value: str) -> date:
    return date.fromisoformat(value.strip())
