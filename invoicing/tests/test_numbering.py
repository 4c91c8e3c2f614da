"""Gap-free numbers: in turn per hotel, series and year; a failed issue gives its number back; and 20 issues at
one moment on PostgreSQL get 1..20 exactly."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine

from frontdesk.models import Folio, FolioLine
from invoicing.models import Invoice, InvoiceCounter, InvoiceLine, InvoiceSettings
from invoicing.services import invoice_issue
from tests.concurrency import all_at_once
from tests.factories import HotelFactory, ReservationFactory

NOON = datetime(2026, 12, 31, 17, 0, tzinfo=UTC)  # 12:00 in New York on New Year's Eve


def _stays(n, hotel=None):
    """n reservations, each with one minibar charge on the guest's folio."""
    hotel = hotel or HotelFactory(code="NYC")
    stays = []
    for i in range(n):
        r = ReservationFactory(hotel=hotel, check_in=date(2026, 12, 30), check_out=date(2027, 1, 2))
        folio = Folio.objects.create(reservation=r)
        FolioLine.objects.create(reservation=r, folio=folio, kind="MINIBAR", description="Minibar",
                                 amount=Decimal("10.00") + i, currency="USD", business_date=date(2026, 12, 31))
        stays.append(r)
    return stays


@pytest.mark.django_db
def test_numbers_follow_each_other_per_series_and_year_and_a_failed_issue_gives_its_number_back():
    a, b, c, d = _stays(4)
    with time_machine.travel(NOON, tick=False):
        first = invoice_issue(reservation_id=a.pk)
        with mock.patch.object(InvoiceLine.objects, "bulk_create", side_effect=RuntimeError("disk full")):
            with pytest.raises(RuntimeError):
                invoice_issue(reservation_id=b.pk)
        second = invoice_issue(reservation_id=c.pk)
    with time_machine.travel(datetime(2027, 1, 1, 5, 30, tzinfo=UTC), tick=False):  # 00:30 in New York
        new_year = invoice_issue(reservation_id=d.pk)
    assert (first.number, second.number, new_year.number) == ("NYC-2026-000001", "NYC-2026-000002",
                                                              "NYC-2027-000001")
    assert not Invoice.objects.filter(reservation=b).exists() and Folio.objects.get(reservation=b).closed_at is None


@pytest.mark.django_db
def test_a_hotel_with_its_own_prefix_numbers_in_its_own_series():
    [r] = _stays(1)
    InvoiceSettings.objects.create(hotel=r.hotel, series_prefix="GHNY")
    with time_machine.travel(NOON, tick=False):
        assert invoice_issue(reservation_id=r.pk).number == "GHNY-2026-000001"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_issues_at_one_moment_get_numbers_one_to_twenty():
    stays = _stays(20)
    with time_machine.travel(NOON, tick=False):
        outcomes = all_at_once(20, lambda i: invoice_issue(reservation_id=stays[i].pk))
    assert [o for o in outcomes if not isinstance(o, Invoice)] == []
    assert sorted(o.sequence for o in outcomes) == list(range(1, 21))
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"NYC-2026-{n:06d}" for n in range(1, 21)]
    assert InvoiceCounter.objects.get().last_number == 20
    # Each invoice is its own folio's, for its own amount.
    assert all(o.gross_total == Decimal("10.00") + stays.index(o.reservation) for o in outcomes)
