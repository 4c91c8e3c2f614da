"""The accounting export (per hotel and business day, CSV) and the reconciliation of folios with invoices.

Rows: revenue per charge kind (the folio lines of that business day), taxes per rate (a flat tax has no rate),
payments and refunds (succeeded, by the hotel-local day they were made), each with the account configured for
its kind (AccountCode; empty when none is). Written after each night audit (a beat task, like the manager
report) and on demand (admin action, `manage.py accounting_export`), replacing that day's stored export.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Payment, actor_label
from frontdesk.models import Folio, FolioLine, NightAuditRun
from hotelbooking.money import ZERO, round_money
from inventory.models import Hotel

from .composition import line_rate, rate_text
from .models import AccountCode, AccountingExport, Invoice
from .selectors import known_rates

HEADER = ["hotel", "business_date", "section", "kind", "tax_rate", "account", "amount", "currency", "count"]
LOOKBACK = timedelta(days=2)


def _day_bounds(hotel: Hotel, day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min), hotel.tz)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), hotel.tz)


def export_rows(*, hotel: Hotel, business_date: date) -> list[list[str]]:
    """The day's rows: revenue per kind, taxes per rate, payments, refunds (in that order)."""
    currency = hotel.currency
    accounts = dict(AccountCode.objects.filter(hotel=hotel).values_list("kind", "account"))
    rates = known_rates(hotel.pk)
    revenue: dict[str, list] = defaultdict(lambda: [ZERO, 0])
    taxes: dict[Decimal | None, list] = defaultdict(lambda: [ZERO, 0])
    for line in FolioLine.objects.filter(reservation__hotel=hotel, business_date=business_date):
        if line.kind == FolioLine.Kind.TAX:
            bucket = taxes[line_rate(line, rates)]
        else:
            bucket = revenue[line.kind]
        bucket[0] += line.amount
        bucket[1] += 1
    start, end = _day_bounds(hotel, business_date)
    money = defaultdict(lambda: [ZERO, 0])
    for p in Payment.objects.filter(reservation__hotel=hotel, result=Payment.Result.SUCCEEDED,
                                    created_at__gte=start, created_at__lt=end):
        bucket = money[AccountCode.REFUND if p.kind == Payment.Kind.REFUND else AccountCode.PAYMENT]
        bucket[0] += p.amount
        bucket[1] += 1

    def row(section, kind, rate, amount, count, account_kind=None):
        return [hotel.code, business_date.isoformat(), section, kind, "" if rate is None else rate_text(rate),
                accounts.get(account_kind or kind, ""), str(round_money(amount, currency)), currency, str(count)]

    rows = [row("REVENUE", kind, None, *revenue[kind]) for kind in sorted(revenue)]
    rows += [row("TAX", "TAX", rate, *taxes[rate]) for rate in sorted(taxes, key=lambda r: (r is None, r or 0))]
    rows += [row("PAYMENTS", kind, None, *money[kind]) for kind in (AccountCode.PAYMENT, AccountCode.REFUND)
             if kind in money]
    return rows


def export_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def accounting_export_write(*, hotel: Hotel, business_date: date, actor=None) -> AccountingExport:
    """Write (or rewrite) the day's export."""
    content = export_csv(export_rows(hotel=hotel, business_date=business_date))
    with transaction.atomic():
        export, _ = AccountingExport.objects.update_or_create(
            hotel=hotel, business_date=business_date,
            defaults={"content": content, "created_at": timezone.now(), "created_by": actor_label(actor)})
    return export


def accounting_exports_write_due(*, now: datetime | None = None) -> list[AccountingExport]:
    """Every night audit finished in the last LOOKBACK whose day has no export yet: write it."""
    now = now or timezone.now()
    runs = (NightAuditRun.objects.filter(finished_at__isnull=False, finished_at__gte=now - LOOKBACK)
            .select_related("hotel").order_by("finished_at", "pk"))
    done = set(AccountingExport.objects.filter(business_date__gte=(now - LOOKBACK).date() - timedelta(days=1))
               .values_list("hotel_id", "business_date"))
    return [accounting_export_write(hotel=run.hotel, business_date=run.business_date) for run in runs
            if (run.hotel_id, run.business_date) not in done]


# --- reconciliation ----------------------------------------------------------------------------------------

@dataclass
class Reconciliation:
    """Folio charges = invoiced (the invoices in force) + open (folios not invoiced yet), per hotel."""

    charges: Decimal = ZERO
    invoiced: Decimal = ZERO
    open: Decimal = ZERO
    mismatched: list[str] = field(default_factory=list)  # "<confirmation> folio <n>": charges differ from invoice

    @property
    def balanced(self) -> bool:
        return self.charges == self.invoiced + self.open and not self.mismatched


def reconciliation(*, hotel: Hotel) -> Reconciliation:
    """Every folio of the hotel: a closed folio's charges must equal its invoice in force (invoices minus credit
    notes of that folio); an open folio's charges are open. Three queries."""
    result = Reconciliation()
    c = hotel.currency
    charges = dict(FolioLine.objects.filter(reservation__hotel=hotel).values("folio").annotate(s=Sum("amount"))
                   .values_list("folio", "s"))
    invoiced = dict(Invoice.objects.filter(hotel=hotel).values("folio").annotate(s=Sum("gross_total"))
                    .values_list("folio", "s"))
    for folio in Folio.objects.filter(reservation__hotel=hotel).select_related("reservation"):
        on_folio = charges.get(folio.pk) or ZERO
        billed = invoiced.get(folio.pk) or ZERO
        result.charges += on_folio
        result.invoiced += billed
        if folio.closed_at is None:
            result.open += on_folio
            if billed:
                result.mismatched.append(f"{folio}: open but invoiced {round_money(billed, c)}")
        elif billed != on_folio:
            result.mismatched.append(f"{folio}: charges {round_money(on_folio, c)}, invoiced {round_money(billed, c)}")
    result.charges, result.invoiced, result.open = (round_money(x, c) for x in (result.charges, result.invoiced,
                                                                              result.open))
    return result
