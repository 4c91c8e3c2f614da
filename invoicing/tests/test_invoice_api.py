"""The invoices API under a reservation, the admin's PDF and the guest's Manage my booking: who reaches what."""

from datetime import timedelta

import pytest
from django.core import mail

from inventory.models import Hotel
from invoicing.models import Invoice
from tests.factories import HotelFactory, staff_user

from .conftest import at

pytestmark = pytest.mark.django_db
INVOICE_PERMS = ("invoicing.view_invoice", "invoicing.issue_invoice", "invoicing.credit_invoice")


def _base(r):
    return f"/api/v1/reservations/{r.confirmation_number}"


def test_the_desk_issues_lists_credits_and_downloads_invoices(frontdesk_client, in_house, next_friday,
                                                              django_capture_on_commit_callbacks):
    base = _base(in_house)
    with at(next_friday, 20), django_capture_on_commit_callbacks(execute=True):
        issued = frontdesk_client.post(f"{base}/folios/1/invoice", format="json")
        again = frontdesk_client.post(f"{base}/folios/1/invoice", format="json")
        missing = frontdesk_client.post(f"{base}/folios/7/invoice", format="json")
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    number = body["number"]
    assert number == f"NYC-{next_friday.year}-000001" and body["type"] == "INVOICE" and body["folio"] == 1
    assert body["bill_to"] == {"name": "John Smith", "address": "", "tax_id": "", "email": "john@example.com"}
    assert [(x["type"], x["net"], x["tax"], x["gross"]) for x in body["lines"]] == [
        ("MINIBAR", "12.50", "0.00", "12.50"), ("SPA", "80.00", "0.00", "80.00")]
    assert body["tax_summary"] == [{"rate": None, "net": "92.50", "tax": "0.00", "gross": "92.50"}]
    assert body["totals"] == {"net": "92.50", "tax": "0.00", "gross": "92.50", "paid": "664.14",
                              "balance": "-571.64"}
    assert body["cancels"] is None and body["cancelled_by"] is None
    assert [m.to for m in mail.outbox if number in m.subject] == [["john@example.com"]]
    assert again.status_code == 409 and again.json()["error"] == {
        "code": "FOLIO_ALREADY_INVOICED", "invoice": number, "retryable": False,
        "message": again.json()["error"]["message"]}
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "FOLIO_NOT_FOUND"

    pdf = frontdesk_client.get(body["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="{number}.pdf"'

    with at(next_friday, 21):
        credited = frontdesk_client.post(f"{base}/invoices/{number}/credit", format="json")
        twice = frontdesk_client.post(f"{base}/invoices/{number}/credit", format="json")
        unknown = frontdesk_client.post(f"{base}/invoices/NYC-1999-000001/credit", format="json")
    assert credited.status_code == 201 and credited.json()["cancels"] == number
    note = credited.json()["number"]
    assert note == f"NYC-CN-{next_friday.year}-000001" and credited.json()["totals"]["gross"] == "-92.50"
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "INVOICE_ALREADY_CREDITED"
    assert twice.json()["error"]["invoice"] == note
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "INVOICE_NOT_FOUND"

    listed = frontdesk_client.get(f"{base}/invoices").json()
    assert [(i["number"], i["cancelled_by"], i["cancels"]) for i in listed["invoices"]] == [
        (number, note, None), (note, None, number)]


def test_a_partner_key_reaches_no_invoice(partner_client, hotel_partner_client, in_house, next_friday):
    with at(next_friday, 20):
        from invoicing.services import invoice_issue

        invoice = invoice_issue(reservation_id=in_house.pk)
    base = _base(in_house)
    for client in (partner_client, hotel_partner_client):
        for response in (client.get(f"{base}/invoices"), client.get(f"{base}/invoices/{invoice.number}/pdf"),
                         client.post(f"{base}/invoices/{invoice.number}/credit", format="json"),
                         client.post(f"{base}/folios/1/invoice", format="json")):
            assert response.status_code == 404, response.content
    assert Invoice.objects.count() == 1


def test_another_hotels_staff_cannot_download_or_list_the_invoice(client, in_house, next_friday):
    with at(next_friday, 20):
        from invoicing.services import invoice_issue

        invoice = invoice_issue(reservation_id=in_house.pk)
    boston = HotelFactory(code="BOS")
    theirs = staff_user("bos-clerk", perms=INVOICE_PERMS, hotels=[boston])
    ours = staff_user("nyc-clerk", perms=INVOICE_PERMS, hotels=[Hotel.objects.get(code="NYC")])
    no_perm = staff_user("nyc-porter", hotels=[Hotel.objects.get(code="NYC")])
    admin_pdf = f"/admin/invoicing/invoice/{invoice.pk}/pdf/"
    api_pdf = f"{_base(in_house)}/invoices/{invoice.number}/pdf"

    client.force_login(theirs)
    assert client.get(admin_pdf).status_code == 404
    assert client.get(api_pdf).status_code == 404
    assert client.get("/admin/invoicing/invoice/").context["cl"].result_count == 0

    client.force_login(no_perm)
    assert client.get(api_pdf).status_code == 403
    assert client.get(admin_pdf).status_code in (403, 404)

    client.force_login(ours)
    response = client.get(admin_pdf)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(api_pdf).status_code == 200
    assert client.get(f"/admin/invoicing/invoice/{invoice.pk}/change/").status_code == 200  # shown, read-only
    assert client.post(f"/admin/invoicing/invoice/{invoice.pk}/delete/").status_code == 403


def test_the_guest_downloads_their_invoices_from_manage_my_booking(client, in_house, next_friday, departure,
                                                                   django_capture_on_commit_callbacks):
    from urllib.parse import urlsplit

    from bookings.manage_links import manage_url

    from .conftest import checked_out

    checked_out(in_house, departure, django_capture_on_commit_callbacks)
    invoice = in_house.invoices.get()
    with at(departure + timedelta(days=1), 9):
        opened = client.get(urlsplit(manage_url(in_house)).path, follow=True)
        assert opened.status_code == 200 and b'href="/manage/booking/invoices/"' in opened.content
        page = client.get("/manage/booking/invoices/")
        assert page.status_code == 200 and invoice.number.encode() in page.content
        assert b"756.64" in page.content
        pdf = client.get(f"/manage/booking/invoices/{invoice.number}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert client.get("/manage/booking/invoices/NYC-1999-000001/pdf").status_code == 404
    client.logout()
    assert client.get(f"/manage/booking/invoices/{invoice.number}/pdf").status_code == 302  # to the lookup


def test_staff_who_may_credit_cancel_an_invoice_from_the_admin_and_others_may_not(client, in_house, next_friday):
    from invoicing.services import invoice_issue

    with at(next_friday, 20):
        invoice = invoice_issue(reservation_id=in_house.pk)
    nyc = Hotel.objects.get(code="NYC")
    viewer = staff_user("nyc-viewer", perms=("invoicing.view_invoice",), hotels=[nyc])
    manager = staff_user("nyc-manager", perms=INVOICE_PERMS, hotels=[nyc])
    action = {"action": "credit_selected", "_selected_action": [invoice.pk]}

    client.force_login(viewer)
    with at(next_friday, 21):
        client.post("/admin/invoicing/invoice/", action)
    assert not Invoice.objects.filter(kind="CREDIT_NOTE").exists()

    client.force_login(manager)
    with at(next_friday, 21):
        response = client.post("/admin/invoicing/invoice/", action, follow=True)
    note = Invoice.objects.get(kind="CREDIT_NOTE")
    assert note.credited_invoice == invoice and note.issued_by == "nyc-manager"
    assert f"{invoice.number} is cancelled by {note.number}." in response.content.decode()
