"""`GET /healthz`: is this web process able to serve? For load balancers, orchestrators and monitoring.

Each dependency a request needs is tried for real (the database answers a query, the cache stores and reads
back a value, the Celery broker accepts a connection), all at once, each bounded by HEALTHZ_TIMEOUT_SECONDS.
The answer is 200 when every check is ok and 503 otherwise, with a JSON body naming each check:

    {"status": "ok", "checks": {"database": {"status": "ok", "ms": 1.2}, "cache": {...}, "broker": {...}}}

A process with eager Celery (no CELERY_BROKER_URL) has no broker to reach: its broker check is ok,
"not configured". The replica check (DATABASE_REPLICA_URL) only informs: a replica down or lagging is skipped
(hotelbooking.replica), so it is ok either way, with what it does in "detail". No authentication, and nothing
secret in the answer (errors name the exception's class).

It is a middleware, placed first, rather than a URL: a probe is answered before the https redirect, the host
check (ALLOWED_HOSTS; a kubelet or load balancer asks by IP address), sessions and the rest, which the health
of the process does not depend on.
"""

import json
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import connections
from django.http import HttpResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"


def database_check() -> dict:
    # Its own thread, so its own connection: closed here, whatever CONN_MAX_AGE says.
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connections.close_all()
    return {}


def cache_check() -> dict:
    from django.core.cache import cache

    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=30)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)
    return {}


def broker_check() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url or settings.CELERY_TASK_ALWAYS_EAGER:
        return {"detail": "not configured"}
    from hotelbooking.celery import app

    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    with app.connection_for_write(url=url, connect_timeout=timeout, heartbeat=0) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
    return {}


def replica_check() -> dict:
    """Informational: a replica that is down or lagging is skipped (reads go to the primary), so it never fails."""
    from hotelbooking import replica

    if not replica.configured():
        return {"detail": "not configured"}
    try:
        usable = replica.replica_usable(recheck=True)
    finally:
        connections.close_all()
    summary = replica.state.reason.split(" (")[0]  # "lag 0.0 s", "down", "lags 3.2 s behind the primary"
    return {"detail": f"reading from it, {summary}" if usable else f"skipped: {summary}"}


CHECKS = {"database": database_check, "cache": cache_check, "broker": broker_check, "replica": replica_check}


def _run(check) -> dict:
    started = time.perf_counter()
    try:
        result = {"status": "ok", **check()}
    except Exception as error:  # noqa: BLE001 - any failure is the answer, reported below
        result = {"status": "error", "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def health_report() -> tuple[bool, dict]:
    """Run every check at once; one that has not answered within the bound is reported as a timeout."""
    timeout = settings.HEALTHZ_TIMEOUT_SECONDS
    pool = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="healthz")
    futures = {name: pool.submit(_run, check) for name, check in CHECKS.items()}
    deadline = time.monotonic() + timeout
    checks = {}
    for name, future in futures.items():
        try:
            checks[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            checks[name] = {"status": "error", "error": "timeout", "ms": round(timeout * 1000, 1)}
    pool.shutdown(wait=False)  # a hung check's thread ends on its own; the answer does not wait for it
    healthy = all(check["status"] == "ok" for check in checks.values())
    for name, check in checks.items():
        if check["status"] != "ok":
            logger.warning("healthz: %s failed: %s", name, check["error"])
    return healthy, {"status": "ok" if healthy else "error", "checks": checks}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
            return response
        healthy, body = health_report()
        response = HttpResponse(json.dumps(body), content_type="application/json", status=200 if healthy else 503)
        response["Cache-Control"] = "no-store"
        return response
