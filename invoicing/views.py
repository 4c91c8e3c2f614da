"""The guest's invoices on "Manage my booking": the booking this browser opened (by its signed link or its
confirmation number and name, bookings/views_manage.py) and nothing else."""

from django.shortcuts import redirect, render
from django.urls import path

from bookings.views_manage import _session_reservation
from hotelbooking.errors import InvoiceNotFound

from . import selectors
from .api import pdf_response


def manage_invoices(request):
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    return render(request, "invoicing/manage_invoices.html", {
        "r": reservation, "invoices": selectors.reservation_invoices(reservation)})


def manage_invoice_pdf(request, number: str):
    reservation = _session_reservation(request)
    if reservation is None:
        return redirect("manage-lookup")
    try:
        invoice = selectors.reservation_invoice(reservation, number)
    except InvoiceNotFound:
        return render(request, "invoicing/manage_invoices.html", {
            "r": reservation, "invoices": selectors.reservation_invoices(reservation), "missing": number},
            status=404)
    return pdf_response(invoice)


urlpatterns = [
    path("manage/booking/invoices/", manage_invoices, name="manage-invoices"),
    path("manage/booking/invoices/<str:number>/pdf", manage_invoice_pdf, name="manage-invoice-pdf"),
]
