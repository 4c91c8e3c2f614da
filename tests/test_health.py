"""/healthz and the request log line, in process (tests/test_serve.py starts the real server)."""

import logging
import socket
import time

import pytest
from django.db import OperationalError, connections

from hotelbooking import health


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def no_broker(settings):
    settings.CELERY_BROKER_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db
def test_healthz_answers_200_with_each_check(client, no_broker):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok", "cache": "ok", "broker": "ok", "replica": "ok"}
    assert body["checks"]["broker"]["detail"] == "not configured"
    assert body["checks"]["replica"]["detail"] == "not configured"


@pytest.mark.django_db
def test_healthz_needs_no_login_no_https_and_no_known_host(client, settings, no_broker):
    """A load balancer or kubelet probes over plain http, by IP address, without credentials."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["hotel.example"]

    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")

    assert response.status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400  # everything else still checks the host


@pytest.mark.django_db
def test_database_down_is_503_naming_the_database(client, monkeypatch, no_broker):
    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(type(connections["default"]), "ensure_connection", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == {"status": "error", "error": "OperationalError",
                                          "ms": body["checks"]["database"]["ms"]}
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "ok"


@pytest.mark.django_db
def test_broker_unreachable_is_503_naming_the_broker(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < settings.HEALTHZ_TIMEOUT_SECONDS + 1
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "error"
    assert checks["database"]["status"] == "ok"
    assert checks["cache"]["status"] == "ok"


@pytest.mark.django_db
def test_broker_reachable_is_ok(client, settings):
    """A broker that accepts connections passes; the real Redis in CI's PostgreSQL step is the same check."""
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis://"):
        pytest.skip("no Redis broker configured (CELERY_BROKER_URL): CI's PostgreSQL step sets one")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"the configured broker {url} does not answer")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"status": "ok", "ms": response.json()["checks"]["broker"]["ms"]}


@pytest.mark.django_db
def test_cache_unreachable_is_503_naming_the_cache(client, settings, no_broker):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}

    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["status"] == "error"
    assert checks["database"]["status"] == "ok"


@pytest.mark.django_db
def test_a_check_that_hangs_fails_within_the_bound(client, settings, monkeypatch, no_broker):
    settings.HEALTHZ_TIMEOUT_SECONDS = 0.3
    monkeypatch.setitem(health.CHECKS, "cache", lambda: time.sleep(3))

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"status": "error", "error": "timeout", "ms": 300.0}
    assert response.json()["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_healthz_takes_only_get_and_head(client, no_broker):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_each_request_is_one_log_line(client, caplog, no_broker):
    with caplog.at_level(logging.INFO, logger="hotelbooking.requests"):
        health = client.get("/healthz?probe=1", REMOTE_ADDR="203.0.113.7")
        client.get("/no-such-page/")

    lines = [record for record in caplog.records if record.name == "hotelbooking.requests"]
    assert len(lines) == 2
    first, second = lines
    assert first.getMessage().startswith("GET /healthz 200 ")
    assert first.getMessage().endswith(" 203.0.113.7")
    assert "probe" not in first.getMessage()  # no query string (it may carry an email or a token)
    assert (first.method, first.path, first.status, first.client_ip) == ("GET", "/healthz", 200, "203.0.113.7")
    assert first.bytes == len(health.content)
    assert first.duration_ms >= 0
    assert (second.path, second.status) == ("/no-such-page/", 404)
