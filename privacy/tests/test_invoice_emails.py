"""The invoice emailed to a guest at check-out is in the record of emails sent to them (their data export)."""

import pytest

from invoicing.models import Invoice
from invoicing.tests.conftest import checked_out, departure, in_house  # noqa: F401
from privacy.models import SentEmail

pytestmark = pytest.mark.django_db


def test_the_check_out_invoice_sent_to_the_guest_is_recorded(in_house, departure,  # noqa: F811
                                                              django_capture_on_commit_callbacks):
    checked_out(in_house, departure, django_capture_on_commit_callbacks)
    invoice = Invoice.objects.get()
    record = SentEmail.objects.get(kind="INVOICE")
    assert (record.guest_id, record.reservation_id, record.to) == (in_house.guest_id, in_house.pk,
                                                                   "john@example.com")
    assert invoice.number in record.subject
