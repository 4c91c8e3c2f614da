"""Channel manager use cases: queue and push ARI to the channels, take their reservations, full resync.

ARI (availability, rates, inventory restrictions) leaves in three steps, so a burst of changes becomes one
message per room type and channel:
1. `ari_changes_record` upserts (channel, room type, night, kind) rows in the caller's transaction and, after
   commit, schedules one flush per channel a few seconds later (`ari_flush_schedule`).
2. `ari_flush` drains the rows and merges them into AriMessages over contiguous date ranges.
3. `ari_message_send` builds the XML from the state at that moment (channelmanager/ari_messages.py) and POSTs
   it; every attempt is logged, and what each night was told is kept (ChannelNight).
   The Celery task retries a failed one with exponential backoff (`ari_retry_delay`).
"""

import logging
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from http.client import HTTPException
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from inventory.models import HotelAPIKey
from pricing.search import hotel_today

from . import ari, ota_xml
from .ari_messages import message_content
from .models import (
    AriKind,
    AriMessage,
    Channel,
    ChannelKey,
    ChannelNight,
    DeliveryAttempt,
    PendingAriChange,
    RoomTypeMapping,
)

logger = logging.getLogger(__name__)

MESSAGE_TYPES = {AriKind.AVAILABILITY: "OTA_HotelAvailNotifRQ", AriKind.RATES: "OTA_HotelRateAmountNotifRQ"}
BOTH = (AriKind.AVAILABILITY, AriKind.RATES)


def _setting(name: str, default):
    return getattr(settings, name, default)


def coalesce_seconds() -> int:
    """How long changes gather before one message per room type and channel leaves."""
    return int(_setting("CHANNEL_ARI_COALESCE_SECONDS", 5))


def max_attempts() -> int:
    return int(_setting("CHANNEL_ARI_MAX_ATTEMPTS", 8))


def ari_retry_delay(attempt_number: int) -> int:
    """Seconds before the next attempt after failed attempt `attempt_number`: 30, 60, 120, ... at most an hour."""
    base = int(_setting("CHANNEL_ARI_RETRY_BASE_SECONDS", 30))
    return min(3600, base * 2 ** (max(1, attempt_number) - 1))


# --- 1. queueing changes ---------------------------------------------------------------------------------

def ari_changes_record(*, room_type_ids: Iterable[int], dates: Iterable[date] | None, kinds=BOTH,
                       channel_ids: Iterable[int] | None = None, schedule: bool = True) -> int:
    """Queue the nights of these room types for every active channel that sells them.

    `dates=None` means the channel's whole window (today and `ari_days` after). Nights outside it are not
    queued. Runs in the caller's transaction; the flush is scheduled after commit. Returns the rows queued.
    """
    mappings = (RoomTypeMapping.objects.filter(room_type_id__in=list(room_type_ids), channel__is_active=True)
                .exclude(channel__endpoint_url="").select_related("channel__hotel"))
    if channel_ids is not None:
        mappings = mappings.filter(channel_id__in=list(channel_ids))
    mappings = list(mappings)
    if not mappings:
        return 0
    with_rates = set(Channel.objects.filter(pk__in={m.channel_id for m in mappings}, rate_mappings__isnull=False)
                     .values_list("pk", flat=True))
    wanted = sorted(set(dates)) if dates is not None else None
    today_of: dict[int, date] = {}
    rows = []
    for mapping in mappings:
        channel = mapping.channel
        if channel.hotel_id not in today_of:
            today_of[channel.hotel_id] = hotel_today(channel.hotel)
        start = today_of[channel.hotel_id]
        end = start + timedelta(days=channel.ari_days)
        nights = ([d for d in wanted if start <= d < end] if wanted is not None
                  else [start + timedelta(days=i) for i in range(channel.ari_days)])
        for kind in kinds:
            if kind == AriKind.RATES and channel.pk not in with_rates:
                continue
            rows += [PendingAriChange(channel_id=channel.pk, room_type_id=mapping.room_type_id, date=d, kind=kind)
                     for d in nights]
    if not rows:
        return 0
    PendingAriChange.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    if schedule:
        queued_for = sorted({r.channel_id for r in rows})
        transaction.on_commit(lambda: ari_flush_schedule(channel_ids=queued_for))
    return len(rows)


def ari_flush_schedule(*, channel_ids: Iterable[int]) -> list[int]:
    """Schedule one flush per channel, unless one is already scheduled. Returns the channels scheduled.

    The claim is a conditional UPDATE, so two processes never both schedule; a claim older than a few minutes
    (its task lost) may be taken again. The flush task releases the claim before draining, so a change
    committed while a flush is pending is always drained by it or by the next one.
    """
    from .tasks import flush_ari

    now = timezone.now()
    stale = now - timedelta(seconds=coalesce_seconds() + 300)
    scheduled = []
    for channel_id in channel_ids:
        claimed = (Channel.objects.filter(pk=channel_id)
                   .filter(Q(ari_flush_scheduled_at__isnull=True) | Q(ari_flush_scheduled_at__lt=stale))
                   .update(ari_flush_scheduled_at=now))
        if not claimed:
            continue
        try:
            flush_ari.apply_async(args=[channel_id], countdown=coalesce_seconds())
        except Exception:  # broker down: release the claim so the next change (or a resync) schedules again
            logger.warning("Could not schedule the ARI flush of channel %s", channel_id, exc_info=True)
            Channel.objects.filter(pk=channel_id).update(ari_flush_scheduled_at=None)
            continue
        scheduled.append(channel_id)
    return scheduled


def ari_flush_release(*, channel_id: int) -> None:
    Channel.objects.filter(pk=channel_id).update(ari_flush_scheduled_at=None)


# --- 2. merging queued changes into messages --------------------------------------------------------------

def date_ranges(dates: Iterable[date]) -> list[tuple[date, date]]:
    """Contiguous runs of nights, inclusive: [d1, d2, d3, d5] -> [(d1, d3), (d5, d5)]."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(dates)):
        if out and out[-1][1] + timedelta(days=1) == d:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


@transaction.atomic
def ari_flush(*, channel_ids: Iterable[int] | None = None, reason: str = "changes") -> list[AriMessage]:
    """Drain queued changes into one message per (channel, room type, kind) over contiguous date ranges.

    Rows another flush is draining at the same moment are skipped (SKIP LOCKED), never sent twice.
    """
    rows = PendingAriChange.objects.select_for_update(skip_locked=True)
    if channel_ids is not None:
        rows = rows.filter(channel_id__in=list(channel_ids))
    rows = list(rows.values_list("pk", "channel_id", "room_type_id", "kind", "date"))
    if not rows:
        return []
    PendingAriChange.objects.filter(pk__in=[r[0] for r in rows]).delete()
    grouped: dict[tuple[int, int, str], set[date]] = defaultdict(set)
    for _, channel_id, room_type_id, kind, night in rows:
        grouped[(channel_id, room_type_id, kind)].add(night)
    now = timezone.now()
    messages = [
        AriMessage(channel_id=channel_id, room_type_id=room_type_id, kind=kind, message_type=MESSAGE_TYPES[kind],
                   ranges=[[a.isoformat(), b.isoformat()] for a, b in date_ranges(nights)],
                   echo_token=uuid.uuid4().hex, reason=reason[:100], created_at=now)
        for (channel_id, room_type_id, kind), nights in sorted(grouped.items())
    ]
    AriMessage.objects.bulk_create(messages)
    # bulk_create sets primary keys on PostgreSQL and SQLite alike; fetch by echo token to be backend-agnostic.
    return list(AriMessage.objects.filter(echo_token__in=[m.echo_token for m in messages]).order_by("pk"))


# --- 3. sending ------------------------------------------------------------------------------------------

Transport = Callable[[str, bytes, dict, float], tuple[int, bytes]]


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, bytes]:
    """POST and return (status, body) for any HTTP answer; raises OSError when none came."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise OSError(f"Only http and https endpoints are supported, not {url[:50]}")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            return response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(65536)


def ari_message_send(*, message_id: int, transport: Transport | None = None) -> DeliveryAttempt | None:
    """One delivery attempt, logged. No HTTP happens inside a transaction. None when nothing was attempted
    (already sent or given up, channel switched off, room type unmapped, nothing to send)."""
    message = (AriMessage.objects.select_related("channel__hotel", "room_type").filter(pk=message_id).first())
    if message is None or message.status in (AriMessage.Status.SENT, AriMessage.Status.FAILED,
                                              AriMessage.Status.SKIPPED):
        return None
    channel = message.channel
    mapping = channel.room_mappings.filter(room_type=message.room_type).first()
    if not channel.is_active or not channel.endpoint_url or mapping is None:
        AriMessage.objects.filter(pk=message.pk).update(
            status=AriMessage.Status.SKIPPED,
            last_error="The channel is inactive, has no endpoint, or no longer maps this room type.")
        return None
    content = message_content(message, mapping=mapping)
    if content is None:
        AriMessage.objects.filter(pk=message.pk).update(status=AriMessage.Status.SKIPPED,
                                                        last_error="No rate is loaded for these nights.")
        return None
    credentials = ari.Credentials(channel.username, channel.secret)
    body, logged = content.build(credentials), content.build(credentials.masked())
    headers = {"Content-Type": "application/xml; charset=utf-8", "Accept": "application/xml, text/xml",
               "User-Agent": "hotelbooking-channel-manager/1.0"}
    if channel.token:
        headers["Authorization"] = f"Bearer {channel.token}"
    started = timezone.now()
    status, response, error = None, b"", ""
    try:
        status, response = (transport or http_post)(channel.endpoint_url, body, headers,
                                                     float(_setting("CHANNEL_HTTP_TIMEOUT", 10)))
        if not 200 <= status < 300:
            error = f"HTTP {status}"
        else:
            errors = ota_xml.response_errors(response)
            error = "The channel answered with errors: " + "; ".join(errors) if errors else ""
    except (OSError, HTTPException) as exc:  # refused, timed out, DNS, TLS, a broken answer
        error = f"{type(exc).__name__}: {exc}"
    return _attempt_log(message.pk, endpoint_url=channel.endpoint_url, payload=logged, status=status,
                        response=response, error=error, started=started, nights=content.nights)


@transaction.atomic
def _attempt_log(message_id: int, *, endpoint_url: str, payload: bytes, status: int | None, response: bytes,
                 error: str, started, nights: dict[date, str] | None = None) -> DeliveryAttempt:
    message = AriMessage.objects.select_for_update().get(pk=message_id)
    number = message.attempts + 1
    succeeded = not error
    retry_in = None if succeeded or number >= max_attempts() else ari_retry_delay(number)
    attempt = DeliveryAttempt.objects.create(
        message=message, number=number, endpoint_url=endpoint_url[:500], payload=payload.decode("utf-8"),
        response_status=status, response_body=response.decode("utf-8", errors="replace")[:20000],
        error=error[:5000], succeeded=succeeded, retry_in_seconds=retry_in, started_at=started,
        finished_at=timezone.now())
    message.attempts = number
    if succeeded:
        message.status, message.sent_at, message.last_error = AriMessage.Status.SENT, attempt.finished_at, ""
    else:
        message.status = AriMessage.Status.RETRYING if retry_in is not None else AriMessage.Status.FAILED
        message.last_error = error[:5000]
    message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    _nights_record(message, nights or {}, succeeded=succeeded, at=attempt.finished_at, error=error)
    if not succeeded:
        logger.warning("ARI %s to %s failed (attempt %s): %s", message.message_type, endpoint_url, number, error)
    return attempt


def _nights_record(message: AriMessage, nights: dict[date, str], *, succeeded: bool, at, error: str) -> None:
    """Keep ChannelNight up to date: a success replaces what the channel was told of each night; a failure
    records what was tried and why, and leaves what the channel last accepted."""
    if not nights:
        return
    key = dict(channel_id=message.channel_id, room_type_id=message.room_type_id, kind=message.kind)
    if succeeded:
        rows = [ChannelNight(**key, date=night, state=ChannelNight.State.SENT, sent_at=at, sent=text,
                             sent_message_id=message.pk) for night, text in nights.items()]
        fields = ["state", "sent_at", "sent", "sent_message"]
    else:
        rows = [ChannelNight(**key, date=night, state=ChannelNight.State.FAILED, failed_at=at, failed=text,
                             error=error[:2000], failed_message_id=message.pk) for night, text in nights.items()]
        fields = ["state", "failed_at", "failed", "error", "failed_message"]
    ChannelNight.objects.bulk_create(rows, update_conflicts=True, batch_size=500, update_fields=fields,
                                     unique_fields=["channel", "room_type", "date", "kind"])


def ari_drain(*, channel_ids: Iterable[int] | None = None, transport: Transport | None = None,
              reason: str = "changes") -> list[AriMessage]:
    """Flush queued changes and attempt each message once, now, in this process (tests, `--now` resyncs)."""
    messages = ari_flush(channel_ids=channel_ids, reason=reason)
    for message in messages:
        ari_message_send(message_id=message.pk, transport=transport)
    return list(AriMessage.objects.filter(pk__in=[m.pk for m in messages]).order_by("pk"))


def channel_full_resync(*, channel: Channel, days: int | None = None, schedule: bool = True) -> int:
    """Queue every mapped room type's availability and rates for the next `days` nights (the channel's window
    by default). Returns the rows queued; the flush follows after commit unless `schedule` is False."""
    room_type_ids = list(channel.room_mappings.values_list("room_type_id", flat=True))
    if days is not None:
        start = hotel_today(channel.hotel)
        dates = [start + timedelta(days=i) for i in range(max(0, min(days, channel.ari_days)))]
    else:
        dates = None
    return ari_changes_record(room_type_ids=room_type_ids, dates=dates, channel_ids=[channel.pk], schedule=schedule)


def full_resync_hours() -> int:
    """How often each channel gets its whole window again, besides the coalesced changes."""
    return int(_setting("CHANNEL_ARI_FULL_RESYNC_HOURS", 24))


def ari_full_resyncs_due(*, now=None) -> list[AriMessage]:
    """The daily full push: every active channel with an endpoint whose last one began `full_resync_hours` ago
    (or never) gets its window (`ari_days`, 365 by default) queued and flushed now, as messages of reason
    "daily full resync". A channel is claimed with a conditional UPDATE, so two beats never both push it; what
    changes queued for it meanwhile goes out in the same messages. Returns the messages, to be sent."""
    now = now or timezone.now()
    due_before = now - timedelta(hours=full_resync_hours()) + timedelta(minutes=5)  # a beat a little early
    candidates = (Channel.objects.filter(is_active=True).exclude(endpoint_url="")
                  .filter(Q(ari_full_resync_at__isnull=True) | Q(ari_full_resync_at__lt=due_before))
                  .select_related("hotel").order_by("pk"))
    messages: list[AriMessage] = []
    for channel in candidates:
        claimed = (Channel.objects.filter(pk=channel.pk)
                   .filter(Q(ari_full_resync_at__isnull=True) | Q(ari_full_resync_at__lt=due_before))
                   .update(ari_full_resync_at=now))
        if not claimed:
            continue
        try:
            with transaction.atomic():
                channel_full_resync(channel=channel, schedule=False)
            messages += ari_flush(channel_ids=[channel.pk], reason="daily full resync")
        except DatabaseError:  # give the claim back: the next beat tries again, not tomorrow's
            Channel.objects.filter(pk=channel.pk).update(ari_full_resync_at=channel.ari_full_resync_at)
            raise
    return messages


# --- inbound reservations: channelmanager/inbound (names kept here for callers) ---------------------------

from .inbound import InboundResult, channel_reservation_notify, placeholder_email  # noqa: E402, F401


@transaction.atomic
def channel_key_create(*, channel: Channel, name: str):
    """A new key for `channel`: returns (HotelAPIKey, the raw key, shown once)."""
    api_key, key = HotelAPIKey.objects.create_key(name=name, scope="channel")
    api_key.hotels.set([channel.hotel])
    ChannelKey.objects.create(channel=channel, api_key=api_key)
    return api_key, key
