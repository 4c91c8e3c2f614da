from django.urls import path

from . import api

urlpatterns = [
    path("reservations/<str:confirmation_number>/invoices", api.InvoiceListApi.as_view(), name="api-invoices"),
    path("reservations/<str:confirmation_number>/folios/<int:folio_number>/invoice", api.InvoiceIssueApi.as_view(),
         name="api-folio-invoice"),
    path("reservations/<str:confirmation_number>/invoices/<str:number>/credit", api.InvoiceCreditApi.as_view(),
         name="api-invoice-credit"),
    path("reservations/<str:confirmation_number>/invoices/<str:number>/pdf", api.InvoicePdfApi.as_view(),
         name="api-invoice-pdf"),
]
