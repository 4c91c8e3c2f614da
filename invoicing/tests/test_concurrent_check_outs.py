"""Twenty guests check out at the same moment on PostgreSQL: each departure is invoiced, and the invoices are
numbered 1 to 20 with no gap and no number used twice."""

from datetime import timedelta
from decimal import Decimal

import pytest

from bookings.payments import TestGateway
from frontdesk.services import charge_post, stay_check_in, stay_check_out
from inventory.models import InventoryDay, Room, RoomType
from invoicing.models import Invoice, InvoiceCounter
from tests.concurrency import all_at_once

from .conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_check_outs_at_one_moment_are_invoiced_one_to_twenty(book, next_friday):
    queen = RoomType.objects.get(hotel__code="NYC", code="STANDARD-QUEEN")
    for n in range(20):  # 20 Standard Queens for the night (the seed has 8)
        Room.objects.get_or_create(hotel=queen.hotel, number=str(1101 + n), defaults={"room_type": queen,
                                                                                      "floor": 11})
    InventoryDay.objects.filter(room_type=queen).update(total=20)
    stays = []
    for i in range(20):
        r = book(next_friday, nights=1, room_type="STANDARD-QUEEN", adults=1, email=f"guest{i}@example.com")
        with at(next_friday):
            stay_check_in(confirmation_number=r.confirmation_number, room_numbers=[str(1101 + i)])
            charge_post(confirmation_number=r.confirmation_number, kind="MINIBAR", amount=str(Decimal(1) + i),
                        currency="USD")
        stays.append(r)

    with at(next_friday + timedelta(days=1), 10, 30):
        outcomes = all_at_once(20, lambda i: stay_check_out(confirmation_number=stays[i].confirmation_number,
                                                            gateway=TestGateway()))

    assert [o for o in outcomes if isinstance(o, BaseException)] == []
    invoices = list(Invoice.objects.order_by("sequence"))
    year = invoices[0].issue_date.year
    assert [i.number for i in invoices] == [f"NYC-{year}-{n:06d}" for n in range(1, 21)]
    assert sorted(i.reservation_id for i in invoices) == sorted(r.pk for r in stays)
    assert InvoiceCounter.objects.get().last_number == 20
    # Each invoice is its own stay's: the night and the minibar charge of that guest, all paid.
    for invoice in invoices:
        r = next(s for s in stays if s.pk == invoice.reservation_id)
        minibar = Decimal(1) + stays.index(r)
        assert invoice.gross_total == r.grand_total + minibar and invoice.balance == 0
