"""The daily manager report email: once per hotel and audited business day, to the hotel's report recipients.

The front desk knows nothing of reports (frontdesk must not import them): the beat task (reports.tasks) looks
for night audits finished in the last LOOKBACK and sends what has not been sent. Each (hotel, business day) has
one ManagerReportEmail row, claimed under a row lock with a lease before anything is sent, so two workers, two
beat ticks or a retry never send the same day twice; an SMTP failure is recorded and retried at the next tick,
up to MAX_ATTEMPTS. An audit older than LOOKBACK is not reported (a worker down for days sends no backlog).
"""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from frontdesk.models import NightAuditRun
from hotelbooking.money import round_money

from .models import ManagerReportEmail
from .selectors import NEXT_NIGHTS, daily_report

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 5
DONE = (ManagerReportEmail.Status.SENT, ManagerReportEmail.Status.SKIPPED)


def _claim(run: NightAuditRun, now: datetime) -> ManagerReportEmail | None:
    """This worker's right to send the day's report, or None (sent, skipped, given up, or being sent)."""
    try:
        with transaction.atomic():
            ManagerReportEmail.objects.get_or_create(hotel_id=run.hotel_id, business_date=run.business_date)
    except IntegrityError:  # another worker made the row first: it is there now
        pass
    with transaction.atomic():
        record = ManagerReportEmail.objects.select_for_update().get(hotel_id=run.hotel_id,
                                                                    business_date=run.business_date)
        if record.status in DONE or record.attempts >= MAX_ATTEMPTS:
            return None
        if record.claimed_until is not None and record.claimed_until > now:
            return None
        record.attempts += 1
        record.claimed_until = now + LEASE
        record.status = ManagerReportEmail.Status.SENDING
        record.save(update_fields=["attempts", "claimed_until", "status"])
    return record


def _finish(record: ManagerReportEmail, status: str, **fields) -> ManagerReportEmail:
    for name, value in {"status": status, "claimed_until": None, **fields}.items():
        setattr(record, name, value)
    record.save(update_fields=["status", "claimed_until", *fields])
    return record


def report_url(hotel, business_date) -> str:
    query = urlencode({"hotel": hotel.code, "first": business_date.replace(day=1).isoformat(),
                       "last": business_date.isoformat()})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('admin:reports_performance')}?{query}"


def _amount(value, currency: str) -> str:
    return "-" if value is None else f"{round_money(value, currency):,}"


def _percent(value) -> str:
    return "-" if value is None else f"{value:.2f}%"


def figure_rows(report) -> list[tuple[str, str, str, str]]:
    """The report's table: (label, the night, month to date, the same night last year), as text."""
    c = report.hotel.currency
    columns = (report.day, report.month_to_date, report.last_year)
    return [
        ("Occupancy", *(_percent(f.occupancy) for f in columns)),
        ("Room nights sold / available", *(f"{f.sold} / {f.available}" for f in columns)),
        ("Out of order", *(str(f.out_of_order) for f in columns)),
        ("ADR", *(_amount(f.adr, c) for f in columns)),
        ("RevPAR", *(_amount(f.revpar, c) for f in columns)),
        ("Room revenue", *(_amount(f.room_revenue, c) for f in columns)),
        ("Fees", *(_amount(f.fee_total, c) for f in columns)),
        ("Extras (breakfast, parking...)", *(_amount(f.extra_total, c) for f in columns)),
        ("Retained (penalties, unused nights)", *(_amount(f.retained_total, c) for f in columns)),
        ("Taxes", *(_amount(f.tax_total, c) for f in columns)),
        ("Total revenue", *(_amount(f.total_revenue, c) for f in columns)),
    ]


def manager_report_message(*, hotel, business_date, recipients, run=None) -> EmailMultiAlternatives:
    report = daily_report(hotel=hotel, business_date=business_date)
    c = hotel.currency
    context = {"r": report, "hotel": hotel, "run": run, "currency": c, "rows": figure_rows(report),
               "ahead": report.next_nights, "ahead_occupancy": _percent(report.next_nights.occupancy),
               "ahead_revenue": _amount(report.next_nights.room_revenue, c),
               "cancelled": report.losses.cancelled, "no_shows": report.losses.no_shows,
               "cancelled_lost": _amount(report.losses.cancelled.lost, c),
               "cancelled_retained": _amount(report.losses.cancelled.retained, c),
               "no_shows_lost": _amount(report.losses.no_shows.lost, c),
               "no_shows_retained": _amount(report.losses.no_shows.retained, c),
               "next_nights": NEXT_NIGHTS, "url": report_url(hotel, business_date)}
    message = EmailMultiAlternatives(
        subject=f"{hotel.name}: manager report for {business_date:%A, %B %-d, %Y}",
        body=render_to_string("reports/email/manager_report.txt", context), to=recipients,
        reply_to=[hotel.email] if hotel.email else None)
    message.attach_alternative(render_to_string("reports/email/manager_report.html", context), "text/html")
    return message


def manager_report_send(*, run: NightAuditRun, now: datetime | None = None) -> ManagerReportEmail | None:
    """Email the report of the run's business day, unless it was already sent (or is being sent)."""
    record = _claim(run, now or timezone.now())
    if record is None:
        return None
    hotel = run.hotel
    recipients = hotel.report_recipient_list
    if not recipients:
        return _finish(record, ManagerReportEmail.Status.SKIPPED, recipients="")
    message = manager_report_message(hotel=hotel, business_date=run.business_date, recipients=recipients, run=run)
    try:
        message.send()
    except OSError as exc:  # smtplib.SMTPException is one: recorded, retried at the next tick
        logger.warning("Manager report %s %s not sent (attempt %s): %s", hotel.code, run.business_date,
                       record.attempts, exc)
        return _finish(record, ManagerReportEmail.Status.FAILED, error=str(exc)[:2000])
    return _finish(record, ManagerReportEmail.Status.SENT, recipients=", ".join(recipients), sent_at=timezone.now(),
                   error="")


def manager_reports_send_due(*, now: datetime | None = None) -> list[ManagerReportEmail]:
    """Every night audit finished in the last LOOKBACK whose report is not sent yet: send it."""
    now = now or timezone.now()
    done = ManagerReportEmail.objects.filter(hotel=OuterRef("hotel"), business_date=OuterRef("business_date"),
                                             status__in=DONE)
    runs = (NightAuditRun.objects.filter(finished_at__isnull=False, finished_at__gte=now - LOOKBACK)
            .exclude(Exists(done)).select_related("hotel").order_by("finished_at", "pk"))
    return [record for record in (manager_report_send(run=run, now=now) for run in runs) if record is not None]
