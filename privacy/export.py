"""Everything held about a guest, as JSON and as a ZIP (data.json and README.txt): the profile, the reservations
with their nights, status history, special requests, folios and folio lines, payments (card token, brand and last
four digits only: card numbers are never stored), loyalty entries, consents, the emails sent and the sections
other apps add (invoices, privacy.exporters).

Staff export only the reservations of the hotels they reach; the guest's own verified request and superusers get
everything.
"""

import io
import json
import zipfile

from django.db.models import Prefetch
from django.utils import timezone

from bookings.consent import MarketingConsent
from bookings.models import Guest, Reservation
from bookings.payments.models import Payment
from frontdesk.models import Folio, FolioLine, LoyaltyEntry

from .exporters import exported_sections, plain
from .models import SentEmail

FORMAT_VERSION = 1

README = """Your data held by {brand}
=============================

data.json holds everything we keep about you, as of {generated_at} (UTC):

- guest: your profile (name, email, phone, loyalty number).
- reservations: each booking with its dates, nights and their prices, room, party, special requests, its
  status history, its folios (bills) with every line, and its payments. We never store card numbers: a payment
  shows only the card brand, its last four digits and the payment provider's token.
- loyalty_entries: the points you earned and any adjustments.
- consents: each time you agreed to, or withdrew from, our emails with offers: the words you were shown, their
  version, when and where.
- emails_sent: each email we sent you: to which address, its subject, when and what kind.
- invoices (when present): the invoices issued for your stays, as issued.

Amounts are decimal strings in the currency given next to them; times are ISO 8601.
You may ask us to erase your personal data from the page that gave you this file.
"""


def _reservation_data(r: Reservation) -> dict:
    return {
        "confirmation_number": r.confirmation_number, "hotel": r.hotel.code, "hotel_name": r.hotel.name,
        "room_type": r.room_type.code, "rate_plan": r.rate_plan.code, "status": r.status,
        "check_in": plain(r.check_in), "check_out": plain(r.check_out), "nights_count": r.nights_count,
        "adults": r.adults, "children": r.children, "child_ages": r.child_ages, "rooms": r.room_count,
        "booked_as": {"first_name": r.guest_first_name, "last_name": r.guest_last_name, "phone": r.guest_phone,
                      "loyalty_number": r.guest_loyalty_number},
        "channel": r.channel, "source": r.source, "special_requests": r.special_requests,
        "billing_address": r.billing_address,
        "arrival_time": plain(r.arrival_time), "created_at": plain(r.created_at),
        "currency": r.currency,
        **{name: plain(getattr(r, name)) for name in (
            "subtotal", "rate_plan_discount", "promotion_discount", "room_total", "taxes", "fees", "grand_total")},
        "cancelled_at": plain(r.cancelled_at), "cancellation_reason": r.cancellation_reason,
        "cancellation_penalty": plain(r.cancellation_penalty),
        "nights": [{"date": plain(n.date), "rate": plain(n.rate), "net": plain(n.net)} for n in r.nights.all()],
        "status_history": [{"from": c.from_status, "to": c.to_status, "at": plain(c.at), "note": c.note}
                           for c in r.status_changes.all()],
        "folios": [{"number": f.number, "kind": f.kind, "label": f.label, "closed_at": plain(f.closed_at),
                    "lines": [{"business_date": plain(line.business_date), "kind": line.kind,
                               "description": line.description, "amount": plain(line.amount),
                               "currency": line.currency, "tax_rate": plain(line.tax_rate),
                               "posted_at": plain(line.posted_at)} for line in f.lines.all()]}
                   for f in r.folios.all()],
        "payments": [{"kind": p.kind, "result": p.result, "amount": plain(p.amount), "currency": p.currency,
                      "purpose": p.purpose, "card_brand": p.card_brand, "last_four": p.last_four,
                      "card_token": p.card_token, "created_at": plain(p.created_at)} for p in r.payments.all()],
    }


def guest_reservations(guest: Guest, *, hotels=None) -> list[Reservation]:
    """The guest's reservations (of `hotels` only, when given), with what the export reads, in a fixed number of
    queries."""
    queryset = Reservation.objects.with_details().filter(guest=guest)
    if hotels is not None:
        queryset = queryset.filter(hotel__in=hotels)
    return list(queryset.order_by("check_in", "id").prefetch_related(
        "nights", "status_changes",
        Prefetch("folios", Folio.objects.order_by("number").prefetch_related(
            Prefetch("lines", FolioLine.objects.order_by("business_date", "posted_at", "id")))),
        Prefetch("payments", Payment.objects.order_by("created_at", "id"))))


def guest_export_data(guest: Guest, *, hotels=None) -> dict:
    """The export as a dict (data.json). `hotels`: limit it to these hotels' reservations (staff)."""
    reservations = guest_reservations(guest, hotels=hotels)
    ids = [r.pk for r in reservations]
    loyalty = LoyaltyEntry.objects.filter(guest=guest).order_by("created_at", "id")
    emails = SentEmail.objects.filter(guest=guest).order_by("sent_at", "id")
    if hotels is not None:
        loyalty = loyalty.filter(reservation__in=ids)
        emails = emails.filter(reservation__in=ids)
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": plain(timezone.now()),
        "scope": "all hotels" if hotels is None else sorted(h.code for h in hotels),
        "guest": {"id": guest.pk, "first_name": guest.first_name, "last_name": guest.last_name,
                  "email": guest.email, "phone": guest.phone, "loyalty_number": guest.loyalty_number,
                  "vip": guest.vip, "created_at": plain(guest.created_at)},
        "reservations": [_reservation_data(r) for r in reservations],
        "loyalty_entries": [{"at": plain(e.created_at), "kind": e.kind, "points": e.points,
                             "loyalty_number": e.loyalty_number, "description": e.description,
                             "reservation": e.reservation.confirmation_number if e.reservation_id else None}
                            for e in loyalty.select_related("reservation")],
        "consents": [{"kind": c.kind, "granted": c.granted, "wording": c.wording,
                      "wording_version": c.wording_version, "source": c.source, "at": plain(c.at)}
                     for c in MarketingConsent.objects.filter(guest=guest).order_by("at", "id")],
        "emails_sent": [{"kind": e.kind, "to": e.to, "subject": e.subject, "sent_at": plain(e.sent_at)}
                        for e in emails],
        **exported_sections(guest, reservations),
    }


def guest_export_zip(guest: Guest, *, hotels=None) -> bytes:
    """The ZIP a guest or staff download: data.json and README.txt."""
    data = guest_export_data(guest, hotels=hotels)
    brands = sorted({r["hotel_name"] for r in data["reservations"]}) or ["our hotels"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("README.txt", README.format(brand=", ".join(brands), generated_at=data["generated_at"]))
    return buffer.getvalue()


def export_filename(guest: Guest) -> str:
    return f"guest-data-{guest.pk}-{timezone.now():%Y%m%d}.zip"
