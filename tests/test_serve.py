"""`make serve` serves for real: gunicorn on a free port, production settings (DEBUG off, hashed and compressed
static files collected into a temporary STATIC_ROOT), a temporary SQLite database; /healthz, a guest page and its
stylesheet over HTTP, JSON request logs. Then the same server with its database and broker unreachable.

No database fixture: the server is another process, with a database of its own.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(tmp: Path, **extra) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("DEBUG", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "PYTEST_VERSION",
                          "PYTEST_CURRENT_TEST", "STATIC_MANIFEST", "DJANGO_SETTINGS_MODULE", "MAKEFLAGS")}
    env.update(SECRET_KEY="serve-test-secret-key-" + "x" * 40, SECURE_SSL_REDIRECT="0",
               SQLITE_PATH=str(tmp / "db.sqlite3"), STATIC_ROOT=str(tmp / "static"), WEB_CONCURRENCY="1")
    env.update(extra)
    return env


class Server:
    def __init__(self, tmp: Path, **extra):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"serve-{self.port}.log"
        # -o: the test's own virtualenv is installed already; never reinstall it from here.
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"], cwd=ROOT,
            env=production_env(tmp, BIND=f"127.0.0.1:{self.port}", **extra),
            stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)

    def wait_until_up(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make serve exited {self.process.returncode}:\n{self.log.read_text()}")
            try:
                return requests.get(self.url + "/healthz", timeout=10)
            except (requests.ConnectionError, requests.Timeout):  # not listening yet, or workers still booting
                time.sleep(0.3)
        pytest.fail(f"make serve did not answer within {timeout}s:\n{self.log.read_text()}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # make and gunicorn: the group this test started
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("serve")
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True,
                   env=production_env(tmp), timeout=300)
    server = Server(tmp, LOG_FORMAT="json")
    try:
        first = server.wait_until_up()
        yield tmp, server, first
    finally:
        server.stop()


def test_make_serve_answers_healthz(site):
    _, _, response = site

    assert response.status_code == 200, response.text
    assert response.headers["Server"] == "gunicorn"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["broker"] == {"status": "ok", "detail": "not configured",
                                        "ms": body["checks"]["broker"]["ms"]}


def test_guest_page_links_hashed_compressed_static_files(site):
    tmp, server, _ = site

    page = requests.get(server.url + "/search/", timeout=10)
    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "the page links its stylesheet by a content-hashed name"

    css = requests.get(server.url + stylesheet[1], headers={"Accept-Encoding": "br, gzip"}, timeout=10)
    assert css.status_code == 200
    assert css.headers["Content-Encoding"] in ("br", "gzip")
    assert "immutable" in css.headers["Cache-Control"]
    assert css.text == (tmp / "static" / stylesheet[1].removeprefix("/static/")).read_text()


def test_each_request_is_one_json_log_line(site):
    _, server, _ = site
    requests.get(server.url + "/healthz?from=test", timeout=10)

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        records = [json.loads(line) for line in server.log_lines() if line.startswith("{")]
        requests_logged = [r for r in records if r.get("name") == "hotelbooking.requests"]
        if len([r for r in requests_logged if r["path"] == "/healthz"]) >= 2:
            break
        time.sleep(0.2)
    health = [r for r in requests_logged if r["path"] == "/healthz"][-1]
    assert health["method"] == "GET"
    assert health["status"] == 200
    assert health["client_ip"] == "127.0.0.1"
    assert health["levelname"] == "INFO"
    assert health["message"].startswith("GET /healthz 200 ")
    assert isinstance(health["duration_ms"], float)
    assert "time" in health


def test_make_serve_reports_database_and_broker_down(site):
    tmp, _, _ = site
    down = free_port()  # nothing listens there
    server = Server(tmp, DATABASE_URL=f"postgres://postgres@127.0.0.1:{down}/hb", CELERY_BROKER_URL=
                    f"redis://127.0.0.1:{down}/0")
    try:
        response = server.wait_until_up()
    finally:
        server.stop()

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "error"
    assert checks["broker"]["status"] == "error"
    assert checks["cache"]["status"] == "ok"


def test_every_static_file_a_template_names_is_collected(site):
    """In production a {% static %} name missing from the manifest is a 500: each one a template names is there."""
    tmp, _, _ = site
    collected = json.loads((tmp / "static" / "staticfiles.json").read_text())["paths"]
    templates = [p for p in ROOT.rglob("*.html")
                 if not {".venv", "node_modules", "staticfiles", "mutants"} & set(p.relative_to(ROOT).parts)]
    named = {m[1] for p in templates for m in re.finditer(r"""\{% static ['"]([^'"]+)['"]""", p.read_text())}

    assert len(named) > 10
    assert sorted(named - set(collected)) == []
