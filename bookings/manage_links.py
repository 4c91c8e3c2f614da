"""Signed "manage my booking" links: the way into a booking that needs no typing, sent in every guest email.

A link names one reservation (its id and confirmation number) and the last day it works, signed with
SECRET_KEY (django.core.signing, salted for this use only). It works until the end of the day
MANAGE_LINK_DAYS_AFTER_CHECK_OUT (default 30) days after check-out, in the hotel's time zone; each email
carries a fresh one, so a changed stay's link follows the new dates. Links are absolute, built on
PUBLIC_BASE_URL, because emails are written by workers that have no request to take a host from.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import Reservation

SALT = "bookings.manage-link"


class LinkInvalid(Exception):
    """Not a link we signed, or one that was changed."""


class LinkExpired(LinkInvalid):
    """A link we signed, past its last day."""


def _last_day(reservation: Reservation) -> date:
    return reservation.check_out + timedelta(days=int(getattr(settings, "MANAGE_LINK_DAYS_AFTER_CHECK_OUT", 30)))


def manage_token(reservation: Reservation) -> str:
    return signing.dumps({"r": reservation.pk, "n": reservation.confirmation_number,
                          "until": _last_day(reservation).isoformat()}, salt=SALT, compress=True)


def manage_url(reservation: Reservation) -> str:
    """The absolute link that opens this booking's "Manage my booking" page."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + reverse("manage-link", args=[manage_token(reservation)])


def reservation_by_link(token: str) -> Reservation:
    """The reservation a link names. LinkExpired after its last day, LinkInvalid for anything else."""
    try:
        payload = signing.loads(token, salt=SALT)
        pk, number, until = int(payload["r"]), str(payload["n"]), date.fromisoformat(payload["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid() from None
    reservation = Reservation.objects.with_details().filter(pk=pk, confirmation_number=number).first()
    if reservation is None:
        raise LinkInvalid()
    ends = timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min), reservation.hotel.tz)
    if timezone.now() >= ends:
        raise LinkExpired()
    return reservation
