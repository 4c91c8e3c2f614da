"""Copies of a guest's personal data outside their own rows: the audit log, the outbox, idempotency answers,
partner webhook bodies and their answers, payment provider events, payment links, the email record.

Each text or JSON value there has every personal value of the guest (names, email, phone, loyalty numbers,
special requests) replaced by ERASED, wherever it appears in the value; JSON keys and everything else stay as
they were. Rows are changed with queryset updates, so the audit log records no new copy of what is erased.
"""

import re

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from bookings.models import Guest, IdempotencyRecord, OutboxEvent, Reservation, StatusChange
from bookings.payments.models import GatewayEvent, Payment, PaymentAttempt
from frontdesk.models import FolioLine, HousekeepingTask, LoyaltyEntry, PaymentLink, RoomAssignment, Stay
from webhooks.models import WebhookAttempt, WebhookDelivery

from .models import SentEmail

ERASED = "[erased]"
MIN_LENGTH = 3  # shorter values (initials) would rewrite unrelated words


def personal_values(guest: Guest, reservations: list[Reservation]) -> list[str]:
    """What is scrubbed wherever it is copied, longest first (a full name before its parts)."""
    values = {guest.first_name, guest.last_name, guest.full_name, guest.email, guest.phone, guest.loyalty_number,
              str(guest)}
    for r in reservations:
        values |= {r.guest_first_name, r.guest_last_name, f"{r.guest_first_name} {r.guest_last_name}",
                   r.guest_phone, r.guest_loyalty_number, r.special_requests, r.billing_address}
    values |= set(LoyaltyEntry.objects.filter(guest=guest).values_list("loyalty_number", flat=True))
    return sorted({v.strip() for v in values if v and len(v.strip()) >= MIN_LENGTH}, key=len, reverse=True)


class Scrubber:
    def __init__(self, values: list[str]):
        self.pattern = re.compile("|".join(re.escape(v) for v in values), re.IGNORECASE) if values else None

    def text(self, value):
        if self.pattern is None or not isinstance(value, str):
            return value
        return self.pattern.sub(ERASED, value)

    def json(self, value):
        if isinstance(value, dict):
            return {key: self.json(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.json(item) for item in value]
        return self.text(value)

    def rows(self, queryset, *, text=(), json=()) -> int:
        """Rewrite these fields of every row of `queryset` that holds a personal value; the number rewritten."""
        changed = 0
        for row in queryset.only("pk", *text, *json).iterator():
            update = {name: self.text(getattr(row, name)) for name in text}
            update |= {name: self.json(getattr(row, name)) for name in json}
            if any(update[name] != getattr(row, name) for name in update):
                type(row)._default_manager.filter(pk=row.pk).update(**update)
                changed += 1
        return changed


def _mentioning(queryset, field: str, needles: list[str]):
    """Rows whose JSON `field` mentions one of `needles` (one query, on every database)."""
    query = Q(pk__in=[])
    for needle in needles:
        query |= Q(_text__icontains=needle)
    return queryset.annotate(_text=Cast(field, TextField())).filter(query)


def scrub_copies(guest: Guest, reservations: list[Reservation], values: list[str]) -> int:
    """Scrub every copy of the guest's personal data; returns the number of rows rewritten."""
    scrub = Scrubber(values)
    ids = [r.pk for r in reservations]
    n = 0
    n += scrub.rows(StatusChange.objects.filter(reservation__in=ids), text=["note"])
    n += scrub.rows(HousekeepingTask.objects.filter(reservation__in=ids), text=["note"])
    n += scrub.rows(LoyaltyEntry.objects.filter(guest=guest), text=["description"])
    n += scrub.rows(OutboxEvent.objects.filter(reservation__in=ids), json=["payload"], text=["last_error"])
    deliveries = WebhookDelivery.objects.filter(reservation__in=ids)
    n += scrub.rows(deliveries, json=["payload"])
    n += scrub.rows(WebhookAttempt.objects.filter(delivery__in=deliveries), text=["response_excerpt", "error"])
    n += scrub.rows(SentEmail.objects.filter(guest=guest), text=["subject"])
    n += SentEmail.objects.filter(guest=guest).exclude(to="").update(to="")
    n += PaymentLink.objects.filter(reservation__in=ids).exclude(sent_to="").update(sent_to="")
    references = set(Payment.objects.filter(reservation__in=ids).values_list("gateway_reference", flat=True))
    references |= set(PaymentAttempt.objects.filter(reservation__in=ids).values_list("reference", flat=True))
    references.discard("")
    n += scrub.rows(GatewayEvent.objects.filter(object_id__in=references), json=["payload"])
    needles = [r.confirmation_number for r in reservations] + [guest.email]
    n += scrub.rows(_mentioning(IdempotencyRecord.objects.all(), "response_body", needles), json=["response_body"])
    n += scrub.rows(_audit_entries(guest, ids), text=["object_repr", "changes_text"],
                    json=["changes", "serialized_data", "additional_data"])
    return n


def _audit_entries(guest: Guest, reservation_ids: list[int]):
    """django-auditlog's entries of the guest, their reservations and those reservations' lines and rooms."""
    def of(model, pks):
        return Q(content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
                 object_pk__in=[str(pk) for pk in pks])

    lines = FolioLine.objects.filter(reservation__in=reservation_ids).values_list("pk", flat=True)
    rooms = RoomAssignment.objects.filter(reservation__in=reservation_ids).values_list("pk", flat=True)
    return LogEntry.objects.filter(
        of(Guest, [guest.pk]) | of(Reservation, reservation_ids) | of(Stay, reservation_ids)
        | of(FolioLine, list(lines)) | of(RoomAssignment, list(rooms)))
