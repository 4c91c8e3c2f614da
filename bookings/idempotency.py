"""Idempotency keys: the first answer to a request is kept and replayed for the same key and body.

The record is inserted *before* the work, in its own transaction, so the unique (scope, key) constraint
decides which of two simultaneous requests does the work; the other finds a record without an answer and
is told IDEMPOTENCY_IN_PROGRESS. Bodies are compared by an HMAC (keyed with SECRET_KEY), so a card number
in the body is never stored, not even as a plain hash.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from hotelbooking.errors import DomainError, IdempotencyKeyReused, ValidationFailed

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


class IdempotencyInProgress(DomainError):
    code = "IDEMPOTENCY_IN_PROGRESS"
    http_status = 409
    retryable = True
    retry_action = "RETRY_LATER"
    default_message = ("A request with this Idempotency-Key is still being processed. "
                       "Retry in a moment to get its answer.")


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict


def key_validate(raw: str | None) -> str | None:
    """The key from the header, or None when there is none. VALIDATION_ERROR when it is unusable."""
    if raw is None:
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.", field=HEADER)
    return key


def request_fingerprint(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, default=str)
    return hmac.new(settings.SECRET_KEY.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def idempotency_begin(*, scope: str, key: str, fingerprint: str, _tries: int = 3) -> Replay | None:
    """Claim the key for this request (None: go ahead), or the first answer to replay.

    IDEMPOTENCY_KEY_REUSED when the key came with another body; IDEMPOTENCY_IN_PROGRESS while the first
    request with this key has not answered yet.
    """
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(scope=scope[:100], key=key, request_hash=fingerprint)
        return None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(scope=scope[:100], key=key).first()
    if record is None:  # the first request failed unexpectedly and let go of the key: this one may try
        if _tries <= 1:
            raise IdempotencyInProgress()
        return idempotency_begin(scope=scope, key=key, fingerprint=fingerprint, _tries=_tries - 1)
    if not hmac.compare_digest(record.request_hash, fingerprint):
        raise IdempotencyKeyReused()
    if record.response_status is None:
        raise IdempotencyInProgress()
    return Replay(record.response_status, record.response_body)


def idempotency_finish(*, scope: str, key: str, status: int, body: dict) -> None:
    """Keep the answer for replays."""
    body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    IdempotencyRecord.objects.filter(scope=scope[:100], key=key).update(response_status=status, response_body=body)


def idempotency_abandon(*, scope: str, key: str) -> None:
    """Let go of the key after an unexpected failure, so that a retry runs the request again."""
    IdempotencyRecord.objects.filter(scope=scope[:100], key=key, response_status__isnull=True).delete()


def idempotency_purge(*, older_than: timedelta = timedelta(hours=24)) -> int:
    """Forget keys older than `older_than` (a client retries within minutes, not days). Returns how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
