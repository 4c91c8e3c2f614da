"""Erasure: the personal fields go, from the guest's rows and from every copy elsewhere; the money stays."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from bookings.models import Guest, IdempotencyRecord, Payment, Reservation, ReservationNight, Status
from frontdesk.models import FolioLine
from hotelbooking.errors import ErasureBlocked
from invoicing.models import Invoice
from privacy.erasure import guest_erase
from privacy.models import ErasureRecord, SentEmail
from tests.factories import api_key_for
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .conftest import EMAIL, LAST, NAME, PHONE, at

pytestmark = pytest.mark.django_db

TEXT_TYPES = ("char", "text", "json", "clob", "varchar")


def _tables_mentioning(*needles: str) -> dict[str, list[str]]:
    """Every text or JSON column of every table holding one of `needles` (any case): {table: [column]}."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column) or ""
                if not any(t in kind.lower() for t in TEXT_TYPES):
                    continue
                name = connection.ops.quote_name(column.name)
                where = " OR ".join(f"LOWER(CAST({name} AS TEXT)) LIKE %s" for _ in needles)
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} WHERE {where}",
                               [f"%{n.lower()}%" for n in needles])
                if cursor.fetchone()[0]:
                    found.setdefault(table, []).append(column.name)
    return found


def _money(stay):
    return {
        "reservation": list(Reservation.objects.filter(guest=stay.guest).order_by("pk").values_list(
            "grand_total", "room_total", "taxes", "fees", "check_in", "check_out", "status", "cancellation_penalty")),
        "nights": list(ReservationNight.objects.filter(reservation__guest=stay.guest).order_by("pk")
                       .values_list("date", "rate", "rate_plan_discount", "promotion_discount")),
        "lines": list(FolioLine.objects.filter(reservation__guest=stay.guest).order_by("pk").values_list(
            "kind", "description", "amount", "business_date", "folio_id")),
        "payments": list(Payment.objects.filter(reservation__guest=stay.guest).order_by("pk").values_list(
            "kind", "purpose", "amount", "card_token", "card_brand", "last_four", "result")),
    }


def test_erasure_keeps_the_money_and_leaves_no_trace_of_the_name(past_guest, departed, clerk):
    stay, cancelled = past_guest
    # Copies elsewhere: a replayable API answer naming the guest, and a staff edit in the audit log.
    IdempotencyRecord.objects.create(scope="api_key:1", key="k1", request_hash="x", response_status=201,
                                     response_body={"confirmation_number": stay.confirmation_number,
                                                    "guest": {"first_name": NAME, "last_name": LAST}})
    endpoint = WebhookEndpoint.objects.create(owner=api_key_for(stay.hotel)[0], url="https://partner.example/hook",
                                              contact_email="ops@partner.example")
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, type="reservation.created", reservation=stay, occurred_at=stay.created_at,
        payload={"data": {"confirmation_number": stay.confirmation_number, "guest": {"email": EMAIL}}})
    WebhookAttempt.objects.create(delivery=delivery, status_code=200, response_excerpt=f"ok {LAST}")
    assert set(_tables_mentioning(LAST, EMAIL, "GH777001")) >= {
        "bookings_guest", "bookings_reservation", "bookings_statuschange", "auditlog_logentry",
        "bookings_idempotencyrecord", "bookings_outboxevent", "webhooks_webhookdelivery", "webhooks_webhookattempt",
        "privacy_sentemail", "frontdesk_loyaltyentry"}
    before = _money(stay)
    assert sum(line[2] for line in before["lines"]) == Decimal("676.64")  # the stay 664.14, the minibar 12.50

    invoices = list(Invoice.objects.filter(reservation__guest=stay.guest).order_by("pk").values_list(
        "number", "bill_to_name", "bill_to_email", "gross_total", "balance"))
    assert [i[1] for i in invoices] == [f"{NAME} {LAST}"]  # the check-out's invoice, issued to the guest

    with departed:
        record = guest_erase(guest_id=stay.guest_id, reason=ErasureRecord.Reason.STAFF, by=clerk)

    # The only trace left is the invoice, which the law keeps as issued: unchanged, name and all.
    assert _tables_mentioning(LAST, NAME, EMAIL, PHONE, "GH777001", "Feather-free") == {
        "invoicing_invoice": ["bill_to_name", "bill_to_email"]}
    assert list(Invoice.objects.filter(reservation__guest=stay.guest).order_by("pk").values_list(
        "number", "bill_to_name", "bill_to_email", "gross_total", "balance")) == invoices
    assert _money(stay) == before
    guest = Guest.objects.get(pk=stay.guest_id)
    assert (guest.first_name, guest.last_name, guest.email, guest.phone, guest.loyalty_number) == (
        "Erased", "[erased]", f"erased-{guest.pk}@erased.invalid", "", "")
    stay.refresh_from_db()
    assert (stay.guest_first_name, stay.guest_phone, stay.special_requests, stay.status) == (
        "Erased", "", "", Status.CHECKED_OUT)
    # What was sent stays known, not to whom: two confirmations, the cancellation, the invoice.
    assert sorted(SentEmail.objects.filter(guest=guest).values_list("kind", flat=True)) == [
        "CANCELLED", "CONFIRMATION", "CONFIRMATION", "INVOICE"]
    assert set(SentEmail.objects.filter(guest=guest).values_list("to", flat=True)) == {""}
    assert (record.guest_id, record.actor, record.reason, record.reservations) == (guest.pk, "maria", "STAFF", 2)
    assert record.erased_by == clerk and record.rows_scrubbed > 0


def test_erasure_is_refused_while_a_stay_is_upcoming(past_guest, departed, next_friday):
    from privacy.tests.conftest import _rebook

    stay, _ = past_guest
    upcoming = _rebook(next_friday + timedelta(days=56))
    with departed, pytest.raises(ErasureBlocked) as refused:
        guest_erase(guest_id=stay.guest_id, reason=ErasureRecord.Reason.STAFF)
    assert refused.value.code == "ERASURE_BLOCKED" and upcoming.confirmation_number in refused.value.message
    assert Guest.objects.get(pk=stay.guest_id).last_name == LAST
    assert not ErasureRecord.objects.exists()


def test_erasure_is_refused_while_the_guest_is_in_house(past_guest, next_friday):
    from frontdesk.services import stay_check_in
    from privacy.tests.conftest import _rebook

    stay, _ = past_guest
    with at(next_friday + timedelta(days=7), 9):
        upcoming = _rebook(next_friday + timedelta(days=14))
    with at(next_friday + timedelta(days=14)):
        stay_check_in(confirmation_number=upcoming.confirmation_number, room_numbers=["1205"])
    with at(next_friday + timedelta(days=17), 8), pytest.raises(ErasureBlocked):  # departure day, not yet out
        guest_erase(guest_id=stay.guest_id, reason=ErasureRecord.Reason.STAFF)
