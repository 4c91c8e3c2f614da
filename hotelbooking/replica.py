"""Reads that may come from a PostgreSQL streaming replica (DATABASE_REPLICA_URL): searches, calendars, reports.

Only the pages named in settings.REPLICA_READ_VIEWS read from the replica, and only for GET and HEAD; every other
request (a booking, a change, a payment, a confirmation page, the admin) reads and writes on the primary, so
it always reads its own writes. Within such a page some models still come from the primary: staff logins,
sessions and API keys (a key revoked a moment ago must not work on a lagging copy).

A client that has just written (any non-GET request) carries a cookie that keeps its reads on the primary for
REPLICA_PIN_SECONDS, so a clerk who changed the rates calendar sees the change on the next page.

The replica is skipped, and the primary read instead, while it is down or lags more than
REPLICA_MAX_LAG_SECONDS behind; each process checks at most every REPLICA_CHECK_SECONDS and logs each change
of state (hotelbooking.replica, WARNING when it stops reading from the replica). A page whose replica query
fails mid-request (the replica stopped since the last check) is answered again from the primary.
"""

import contextvars
import logging
import math
import threading
import time
from contextlib import contextmanager
from fnmatch import fnmatchcase

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

ALIAS = "replica"
PIN_COOKIE = "hb_primary"
# Never from the replica: who may log in, their sessions, API keys, the login throttle.
PRIMARY_ONLY_APPS = {"auth", "sessions", "admin", "contenttypes", "axes", "auditlog", "rest_framework_api_key"}
PRIMARY_ONLY_MODELS = {"inventory.hotelapikey"}

# pg_is_in_recovery() is false on a server that is no replica (e.g. promoted): its data is current. Behind, the
# lag is the age of the last transaction replayed: after a quiet spell on the primary the first new write makes a
# caught-up replica look late for a moment, and it is skipped for one check (safe: the primary answers).
LAG_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming'),
       EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""

_reading = contextvars.ContextVar("replica_reads", default=False)


def configured() -> bool:
    return ALIAS in settings.DATABASES and settings.REPLICA_READS


@contextmanager
def replica_reads(enabled: bool = True):
    """Reads inside this block may come from the replica (when it is usable)."""
    token = _reading.set(enabled)
    try:
        yield
    finally:
        _reading.reset(token)


class _State:
    def __init__(self):
        self.lock = threading.Lock()
        self.checked_at = -math.inf
        self.usable = True  # so the first failure is logged
        self.reason = ""

    def reset(self):
        self.checked_at, self.usable, self.reason = -math.inf, True, ""


state = _State()


def replica_lag_seconds() -> float:
    """How far the replica is behind the primary: 0 when it has replayed all it received and is streaming."""
    with connections[ALIAS].cursor() as cursor:
        cursor.execute(LAG_SQL)
        in_recovery, caught_up, replay_age = cursor.fetchone()
    if not in_recovery or caught_up:
        return 0.0
    return math.inf if replay_age is None else max(0.0, float(replay_age))


def _probe() -> tuple[bool, str]:
    try:
        lag = replica_lag_seconds()
    except DatabaseError as error:
        connections[ALIAS].close()
        return False, f"down ({type(error).__name__}: {str(error).strip().splitlines()[0] if str(error) else ''})"
    if lag > settings.REPLICA_MAX_LAG_SECONDS:
        return False, f"lags {lag:.1f} s behind the primary (bound {settings.REPLICA_MAX_LAG_SECONDS:g} s)"
    return True, f"lag {lag:.1f} s"


def replica_usable(*, recheck: bool = False) -> bool:
    now = time.monotonic()
    if not recheck and now - state.checked_at < settings.REPLICA_CHECK_SECONDS:
        return state.usable
    with state.lock:
        usable, reason = _probe()
        if usable != state.usable:
            if usable:
                logger.info("replica usable again (%s): searches, calendars and reports read from it", reason)
            else:
                logger.warning("replica %s: reading from the primary instead", reason)
        state.checked_at, state.usable, state.reason = time.monotonic(), usable, reason
    return usable


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when DATABASE_REPLICA_URL is set. Writes and migrations: the primary only."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not configured():
            return None
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or meta.label_lower in PRIMARY_ONLY_MODELS:
            return None
        instance = hints.get("instance")
        if instance is not None and instance._state.db not in (None, ALIAS):
            return None
        if connections["default"].in_atomic_block:  # a transaction reads what it is about to write
            return None
        return ALIAS if replica_usable() else None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _replica_page(request) -> bool:
    match = request.resolver_match
    return (request.method in ("GET", "HEAD") and match is not None and PIN_COOKIE not in request.COOKIES
            and any(fnmatchcase(match.view_name, pattern) for pattern in settings.REPLICA_READ_VIEWS))


class ReplicaReadsMiddleware:
    """Turns replica reads on for the pages of REPLICA_READ_VIEWS; pins a client that writes to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._respond(request)
        if getattr(request, "_replica_view", None) and response.status_code >= 500 \
                and not replica_usable(recheck=True):
            # The replica failed under the page (an API view's error handler turned it into a 500): again,
            # from the primary. Only GET and HEAD pages get here.
            request._replica_retry = True
            response = self._respond(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and configured():
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.REPLICA_PIN_SECONDS, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def _respond(self, request):
        token = _reading.set(False)
        try:
            return self.get_response(request)
        finally:
            _reading.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if configured() and not getattr(request, "_replica_retry", False) and _replica_page(request):
            request._replica_view = (view_func, view_args, view_kwargs)
            _reading.set(True)
        return None

    def process_exception(self, request, exception):
        """The replica failed under this page's view: mark it down and answer the page again from the primary
        (a page view; an API view answers 500 itself, and __call__ asks again)."""
        view = getattr(request, "_replica_view", None)
        if view is None or not isinstance(exception, DatabaseError) or not _reading.get():
            return None
        if replica_usable(recheck=True):
            return None  # the replica answers: the error was the page's own
        _reading.set(False)
        view_func, view_args, view_kwargs = view
        return view_func(request, *view_args, **view_kwargs)
