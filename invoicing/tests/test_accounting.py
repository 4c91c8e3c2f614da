"""The accounting export of a business day, and the reconciliation: folio charges = invoiced + open."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from frontdesk.models import Folio, FolioLine, NightAuditRun
from invoicing.accounting import accounting_exports_write_due, reconciliation
from invoicing.models import AccountCode, AccountingExport
from invoicing.services import invoice_credit

from .conftest import at, checked_out

pytestmark = pytest.mark.django_db
HEADER = "hotel,business_date,section,kind,tax_rate,account,amount,currency,count"


def _codes(hotel):
    for kind, account in (("ROOM", "4000"), ("FEE", "4100"), ("MINIBAR", "4200"), ("TAX", "2200"),
                          ("PAYMENT", "1200"), ("REFUND", "1210")):
        AccountCode.objects.create(hotel=hotel, kind=kind, account=account)


def test_a_days_export_has_revenue_per_kind_taxes_per_rate_and_payments(
        in_house, next_friday, departure, django_capture_on_commit_callbacks):
    _codes(in_house.hotel)
    checked_out(in_house, departure, django_capture_on_commit_callbacks)
    friday = next_friday.isoformat()
    out = StringIO()
    with at(departure, 12):
        call_command("accounting_export", hotel="nyc", date=friday, stdout=out, stderr=StringIO())
    assert out.getvalue().splitlines() == [
        HEADER,
        f"NYC,{friday},REVENUE,FEE,,4100,15.00,USD,1",
        f"NYC,{friday},REVENUE,MINIBAR,,4200,12.50,USD,1",
        f"NYC,{friday},REVENUE,ROOM,,4000,170.10,USD,1",
        f"NYC,{friday},REVENUE,SPA,,,80.00,USD,1",  # no account configured for SPA
        f"NYC,{friday},TAX,TAX,12,2200,22.68,USD,1"]
    assert AccountingExport.objects.get(business_date=next_friday).content == out.getvalue()

    # The departure day: no night, the balance charged at the desk.
    with at(departure, 12):
        call_command("accounting_export", hotel="NYC", date=departure.isoformat(), stdout=out, stderr=StringIO())
    assert AccountingExport.objects.get(business_date=departure).content.splitlines() == [
        HEADER, f"NYC,{departure.isoformat()},PAYMENTS,PAYMENT,,1200,92.50,USD,1"]


def test_after_the_night_audit_the_beat_writes_each_audited_day_once(in_house, next_friday):
    NightAuditRun.objects.create(hotel=in_house.hotel, business_date=next_friday, finished_at=timezone.now())
    assert [(e.hotel.code, e.business_date) for e in accounting_exports_write_due()] == [("NYC", next_friday)]
    assert accounting_exports_write_due() == []
    rows = AccountingExport.objects.get().content.splitlines()
    assert f"NYC,{next_friday.isoformat()},REVENUE,SPA,,,80.00,USD,1" in rows


def test_folio_charges_equal_invoiced_plus_open_balances(book, in_house, next_friday, departure,
                                                        django_capture_on_commit_callbacks):
    from frontdesk.services import charge_post, stay_check_in

    other = book(next_friday, email="jane@example.com", first_name="Jane")
    with at(next_friday):
        stay_check_in(confirmation_number=other.confirmation_number, room_numbers=["1205"])
        charge_post(confirmation_number=other.confirmation_number, kind="PARKING", amount="40.00", currency="USD")
    checked_out(in_house, departure, django_capture_on_commit_callbacks)

    check = reconciliation(hotel=in_house.hotel)
    assert (check.charges, check.invoiced, check.open) == (Decimal("796.64"), Decimal("756.64"), Decimal("40.00"))
    assert check.balanced

    # A line slipped onto the invoiced folio is caught.
    folio = Folio.objects.get(reservation=in_house)
    stray = FolioLine.objects.create(reservation=in_house, folio=folio, kind="OTHER", description="Late fee",
                                     amount=Decimal("5.00"), currency="USD", business_date=departure)
    check = reconciliation(hotel=in_house.hotel)
    assert not check.balanced and check.mismatched == [f"{folio}: charges 761.64, invoiced 756.64"]

    # Credited, the folio is open again: everything on it is open, nothing invoiced.
    with at(departure, 13):
        invoice_credit(invoice_id=in_house.invoices.get().pk)
    check = reconciliation(hotel=in_house.hotel)
    assert (check.charges, check.invoiced, check.open) == (Decimal("801.64"), Decimal("0.00"), Decimal("801.64"))
    assert check.balanced and stray.pk
