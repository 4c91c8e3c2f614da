"""Invoices leave after commit: the PDF is rendered and emailed by a Celery task, never inside the issuing
transaction (it holds the series' counter lock)."""

import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from bookings.guest_mail import guest_email_send
from bookings.notifications import emailable
from hotelbooking.locale import email_language

from .models import Invoice
from .pdf import invoice_pdf, pdf_filename

logger = logging.getLogger(__name__)


def send_after_commit(invoice: Invoice) -> None:
    if not emailable(invoice.bill_to_email):
        return  # no address (a channel's folio, a withheld email): the invoice waits in the admin and the API
    pk = invoice.pk

    def enqueue():
        from .tasks import invoice_email

        try:
            invoice_email.delay(pk)
        except Exception:  # broker down: staff resend from the admin; the invoice itself is issued
            logger.warning("Could not enqueue the email of invoice %s", pk, exc_info=True)

    transaction.on_commit(enqueue)


def invoice_email_send(invoice_id: int) -> bool:
    """Email the invoice (or credit note) to its bill-to address with the PDF attached."""
    invoice = Invoice.objects.select_related("hotel", "folio", "reservation__guest").filter(pk=invoice_id).first()
    if invoice is None or not emailable(invoice.bill_to_email):
        return False
    hotel = invoice.hotel
    # A guest's invoice email in the language they booked in; a company's or agent's in LANGUAGE_CODE.
    to_guest = invoice.folio.billing_party_id is None
    with translation.override(email_language(invoice.reservation.language if to_guest else "")):
        names = {"number": invoice.number, "seller": invoice.seller_name}
        subject = (gettext("Credit note %(number)s from %(seller)s") if invoice.is_credit_note
                   else gettext("Invoice %(number)s from %(seller)s")) % names
        body = render_to_string("invoicing/email.txt", {"invoice": invoice, "hotel": hotel})
    message = EmailMessage(subject=subject, body=body,
                           to=[invoice.bill_to_email], reply_to=[hotel.email] if hotel.email else None)
    message.attach(pdf_filename(invoice), invoice_pdf(invoice), "application/pdf")
    if to_guest:
        # Sent to the guest: recorded for their data export (privacy), like every guest email.
        guest_email_send(message, kind="INVOICE", reservation=invoice.reservation)
    else:
        message.send()
    return True
