"""Erasing a guest: their personal fields are anonymised; the financial records stay as they are.

Kept unchanged: every amount and night of their reservations, payments, folios and folio lines, and invoices
(the invoicing app's rows are never touched: an invoice keeps the name as issued). Anonymised: the guest's
name, email, phone and loyalty number; each reservation's name, phone and loyalty number as booked and its
special requests; loyalty entries' loyalty number; the guest's consents' actor; and every copy of those values
elsewhere (privacy.scrub). Refused (ERASURE_BLOCKED) while one of their stays has not ended. Each erasure is
recorded (ErasureRecord: when, who, which guest id; nothing personal).
"""

from django.db import transaction

from bookings.consent import MarketingConsent
from bookings.models import Guest, Reservation, Status, actor_label, actor_user
from frontdesk.models import LoyaltyEntry
from hotelbooking.errors import ErasureBlocked, NotFound
from pricing.search import hotel_today

from .models import ErasureRecord
from .scrub import ERASED, Scrubber, personal_values, scrub_copies

ERASED_FIRST_NAME = "Erased"


def erased_email(guest_id: int) -> str:
    """Unique per guest (the email is unique) and never emailable (RFC 2606 .invalid)."""
    return f"erased-{guest_id}@erased.invalid"


def stays_not_ended(reservations) -> list[Reservation]:
    """In house, or booked (pending or confirmed) with a departure today or later, hotel time."""
    return [r for r in reservations
            if r.status == Status.CHECKED_IN
            or (r.status in (Status.PENDING, Status.CONFIRMED) and r.check_out >= hotel_today(r.hotel))]


def is_erased(guest: Guest) -> bool:
    return guest.email == erased_email(guest.pk)


@transaction.atomic
def guest_erase(*, guest_id: int, reason: str, by=None) -> ErasureRecord:
    """Anonymise the guest (see the module). ERASURE_BLOCKED while a stay of theirs has not ended."""
    guest = Guest.objects.select_for_update().filter(pk=guest_id).first()
    if guest is None:
        raise NotFound("No such guest.")
    reservations = list(Reservation.objects.select_for_update().filter(guest=guest).select_related("hotel")
                        .order_by("pk"))
    open_stays = stays_not_ended(reservations)
    if open_stays:
        numbers = ", ".join(r.confirmation_number for r in open_stays)
        raise ErasureBlocked(f"Not erased: the stay {numbers} has not ended yet. The guest's data can be erased "
                             "once it has ended or been cancelled.")
    values = personal_values(guest, reservations)
    scrubbed = scrub_copies(guest, reservations, values)
    scrub = Scrubber(values)
    for r in reservations:  # the free text staff or the guest typed about the cancellation
        if scrub.text(r.cancellation_reason) != r.cancellation_reason:
            Reservation.objects.filter(pk=r.pk).update(cancellation_reason=scrub.text(r.cancellation_reason))
    # Queryset updates: no save(), so the audit log keeps no "before" copy of what is erased.
    Reservation.objects.filter(guest=guest).update(
        guest_first_name=ERASED_FIRST_NAME, guest_last_name=ERASED, guest_phone="", guest_loyalty_number="",
        special_requests="", billing_address="")
    LoyaltyEntry.objects.filter(guest=guest).update(loyalty_number="")
    MarketingConsent.objects.filter(guest=guest).update(actor="")
    Guest.objects.filter(pk=guest.pk).update(first_name=ERASED_FIRST_NAME, last_name=ERASED,
                                             email=erased_email(guest.pk), phone="", loyalty_number="", vip=False)
    return ErasureRecord.objects.create(guest_id=guest.pk, reason=reason, erased_by=actor_user(by),
                                        actor=actor_label(by), reservations=len(reservations),
                                        rows_scrubbed=scrubbed)
