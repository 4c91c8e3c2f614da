"""Run a hotel's night audit by hand (the Celery beat task runs it on schedule)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError

from bookings.payments import default_gateway
from frontdesk.services import night_audit_run, night_audits_run_due
from hotelbooking.errors import DomainError
from pricing.search import hotel_get, hotel_today


class Command(BaseCommand):
    help = "Audit one business day of a hotel (default: yesterday, hotel time), or every hotel that is due."

    def add_arguments(self, parser):
        parser.add_argument("--hotel", help="Hotel code, e.g. NYC; without it, every hotel that is due")
        parser.add_argument("--date", help="Business day, YYYY-MM-DD (default: yesterday in the hotel's zone)")

    def handle(self, *args, hotel=None, date=None, **options):
        gateway = default_gateway()
        if hotel is None:
            runs = night_audits_run_due(gateway=gateway)
        else:
            try:
                h = hotel_get(hotel)
                day = _parse(date) if date else hotel_today(h) - timedelta(days=1)
                run = night_audit_run(hotel=h, business_date=day, gateway=gateway)
            except DomainError as exc:
                raise CommandError(exc.message) from None
            runs = [run] if run else []
            if run is None:
                self.stdout.write(f"{h.code} {day} is already audited (or being audited).")
        for run in runs:
            self.stdout.write(f"{run.hotel.code} {run.business_date}: {run.no_shows} no-shows, "
                              f"{run.nights_posted} folio lines posted." + (" Errors:\n" + run.errors if run.errors
                                                                            else ""))


def _parse(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError("--date must be YYYY-MM-DD") from None
