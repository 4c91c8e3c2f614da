"""A guest's own request for their data: they type an email address; if a guest has it, a signed link that
expires (PRIVACY_REQUEST_LINK_HOURS, default 24) and works once is emailed to it. The page answers the same for
every address, known or not, and requests are throttled per client address and per email address. From the link
the guest downloads their data (the ZIP of privacy.export) or has it erased (privacy.erasure).

The link names a DataRequest row, signed with SECRET_KEY (django.core.signing, salted for this use only).
"""

import math
import time

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bookings import guest_mail
from bookings.guest_mail import guest_email_send
from bookings.lookup import _Counter
from bookings.models import Guest
from bookings.notifications import emailable
from hotelbooking.locale import email_language
from hotelbooking.throttling import client_address

from .erasure import guest_erase
from .models import DataRequest, ErasureRecord

SALT = "privacy.data-request"
EXPORT, ERASURE = "EXPORT", "ERASURE"
GUEST_ACTOR = "guest (data request)"


class RequestLinkInvalid(Exception):
    """Not a link we signed, or one that was changed."""


class RequestLinkExpired(RequestLinkInvalid):
    """A link we signed, past its time."""


class RequestLinkUsed(RequestLinkInvalid):
    """A link we signed that has already been used once."""


class DataRequestThrottle:
    """Requests counted per client address and per email address (lower case), whether the address is known
    or not, so the throttle says nothing about it either."""

    def __init__(self, *, request, email: str):
        window = int(getattr(settings, "PRIVACY_REQUEST_WINDOW_SECONDS", 3600))
        self.counters = [
            _Counter(f"privacy-request:ip:{client_address(request)}",
                     int(getattr(settings, "PRIVACY_REQUEST_MAX_PER_ADDRESS", 5)), window),
            _Counter(f"privacy-request:email:{email.strip().lower()[:254]}",
                     int(getattr(settings, "PRIVACY_REQUEST_MAX_PER_EMAIL", 3)), window),
        ]

    def attempt(self) -> int:
        """Count this request. 0: take it; otherwise the seconds to wait."""
        for counter in self.counters:
            value, until = counter.count()
            if value > counter.limit:
                return max(1, math.ceil(until - time.time()))
        return 0


def data_request_ask(*, email: str, language: str = "") -> None:
    """If a guest (not erased) has this email, make a request and email its link after commit; otherwise nothing.
    The caller answers the same either way. The email is written in `language` (the page's)."""
    guest = Guest.objects.filter(email__iexact=email.strip()).first()
    if guest is None or not emailable(guest.email):
        return
    from .tasks import send_data_request_email

    with transaction.atomic():
        request = DataRequest.objects.create(guest=guest, expires_at=timezone.now() + DataRequest.lifetime())
        transaction.on_commit(lambda: send_data_request_email.delay(request.pk, language))


def data_request_token(request: DataRequest) -> str:
    return signing.dumps({"q": request.pk}, salt=SALT)


def data_request_url(request: DataRequest) -> str:
    base = str(getattr(settings, "PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return base + reverse("privacy-link", args=[data_request_token(request)])


def data_request_email(request_id: int, language: str = "") -> None:
    request = DataRequest.objects.select_related("guest").filter(pk=request_id).first()
    if request is None or not emailable(request.guest.email):
        return
    context = {"guest": request.guest, "url": data_request_url(request),
               "expires": timezone.localtime(request.expires_at),
               "hours": int(DataRequest.lifetime().total_seconds() // 3600)}
    with translation.override(email_language(language)):
        message = EmailMultiAlternatives(subject=gettext("Your data at Grand Hotels: your link"),
                                         body=render_to_string("privacy/email/data_request.txt", context),
                                         to=[request.guest.email])
        message.attach_alternative(render_to_string("privacy/email/data_request.html", context), "text/html")
    guest_email_send(message, kind=guest_mail.DATA_REQUEST, guest=request.guest)


def data_request_open(token: str, *, lock: bool = False) -> DataRequest:
    """The request a link names, if it is ours, unexpired and unused (RequestLinkInvalid / Expired / Used)."""
    try:
        pk = int(signing.loads(token, salt=SALT)["q"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise RequestLinkInvalid() from None
    queryset = DataRequest.objects.select_for_update() if lock else DataRequest.objects
    request = queryset.select_related("guest").filter(pk=pk).first()
    if request is None:
        raise RequestLinkInvalid()
    if request.used_at is not None:
        raise RequestLinkUsed()
    if timezone.now() >= request.expires_at:
        raise RequestLinkExpired()
    return request


def _use(request: DataRequest, purpose: str) -> None:
    request.used_at, request.used_for = timezone.now(), purpose
    request.save(update_fields=["used_at", "used_for"])


@transaction.atomic
def data_request_export(token: str) -> Guest:
    """Use the link to download: the guest whose data to export. The link is then used up."""
    request = data_request_open(token, lock=True)
    _use(request, EXPORT)
    return request.guest


@transaction.atomic
def data_request_erase(token: str) -> ErasureRecord:
    """Use the link to erase the guest's data. ERASURE_BLOCKED (the link stays usable) while a stay is open."""
    request = data_request_open(token, lock=True)
    record = guest_erase(guest_id=request.guest_id, reason=ErasureRecord.Reason.GUEST_REQUEST, by=GUEST_ACTOR)
    _use(request, ERASURE)
    return record
