"""Everything held about a guest, as a ZIP with data.json and README.txt."""

import io
import json
import zipfile

import pytest

from bookings.consent import MARKETING_WORDING
from privacy.export import guest_export_zip

from .conftest import EMAIL, LAST, REQUESTS

pytestmark = pytest.mark.django_db


def _open(blob: bytes) -> tuple[dict, str, str]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert sorted(archive.namelist()) == ["README.txt", "data.json"]
        text = archive.read("data.json").decode()
        return json.loads(text), text, archive.read("README.txt").decode()


def test_the_export_lists_both_reservations_their_bills_payments_and_emails(past_guest, departed):
    stay, cancelled = past_guest
    with departed:
        data, text, readme = _open(guest_export_zip(stay.guest))

    assert data["guest"] | {"created_at": None} == {
        "id": stay.guest.pk, "first_name": "Zebulon", "last_name": LAST, "email": EMAIL, "phone": "+1 212 555 0177",
        "loyalty_number": "GH777001", "vip": False, "created_at": None}
    assert [(r["confirmation_number"], r["status"], r["nights_count"]) for r in data["reservations"]] == [
        (stay.confirmation_number, "CHECKED_OUT", 3), (cancelled.confirmation_number, "CANCELLED", 2)]
    first = data["reservations"][0]
    assert first["special_requests"] == REQUESTS and first["grand_total"] == "664.140"
    assert [n["rate"] for n in first["nights"]] == ["189.000", "219.000", "199.000"]
    assert [(c["from"], c["to"]) for c in first["status_history"]] == [
        ("", "PENDING"), ("PENDING", "CONFIRMED"), ("CONFIRMED", "CHECKED_IN"), ("CHECKED_IN", "CHECKED_OUT")]
    [folio] = first["folios"]
    assert [(line["kind"], line["amount"]) for line in folio["lines"]] == [  # the minibar was posted first
        ("MINIBAR", "12.500"), ("ROOM", "170.100"), ("TAX", "22.680"), ("FEE", "15.000"),
        ("ROOM", "197.100"), ("TAX", "26.280"), ("FEE", "15.000"),
        ("ROOM", "179.100"), ("TAX", "23.880"), ("FEE", "15.000")]
    assert [(p["purpose"], p["amount"], p["card_brand"], p["last_four"]) for p in first["payments"]] == [
        ("BOOKING", "664.140", "visa", "4242"), ("CHECK_OUT", "12.500", "visa", "4242")]
    assert all(p["card_token"] for p in first["payments"])
    assert set(first["payments"][0]) == {"kind", "result", "amount", "currency", "purpose", "card_brand",
                                         "last_four", "card_token", "created_at"}
    assert "4242424242424242" not in text and "cvc" not in text.lower()

    assert [(e["kind"], e["to"]) for e in data["emails_sent"]] == [
        ("CONFIRMATION", EMAIL), ("CONFIRMATION", EMAIL), ("CANCELLED", EMAIL), ("INVOICE", EMAIL)]
    assert data["emails_sent"][2]["subject"] == (
        f"Your reservation at Grand Hotel NYC is cancelled: {cancelled.confirmation_number}")
    assert [(c["granted"], c["wording"], c["source"]) for c in data["consents"]] == [
        (True, MARKETING_WORDING, "BOOKING_PAGE"), (True, MARKETING_WORDING, "BOOKING_PAGE")]
    assert sorted(e["kind"] for e in data["loyalty_entries"]) == ["BOOKING", "BOOKING", "BOOKING_REVERSAL", "STAY"]
    assert "reservations: each booking" in readme and "never store card numbers" in readme


def test_a_staff_export_holds_only_their_hotels_reservations(past_guest, departed):
    from tests.factories import HotelFactory

    stay, _ = past_guest
    with departed:
        data, _, _ = _open(guest_export_zip(stay.guest, hotels=[HotelFactory(code="BER")]))
    assert data["scope"] == ["BER"] and data["reservations"] == [] and data["emails_sent"] == []
    assert data["guest"]["email"] == EMAIL


def test_installed_apps_add_their_sections(past_guest, departed):
    """Invoices come in through the registry (privacy.exporters), here with a stand-in for invoicing."""
    from privacy import exporters

    stay, _ = past_guest
    exporters.exporter_register("invoices", lambda guest, reservations: [
        {"number": "NYC-2026-000001", "reservation": r.confirmation_number} for r in reservations[:1]])
    try:
        with departed:
            data, _, _ = _open(guest_export_zip(stay.guest))
    finally:
        exporters._exporters.pop("invoices")
    assert data["invoices"] == [{"number": "NYC-2026-000001", "reservation": stay.confirmation_number}]
