"""Search and booking over HTTP on the production server, next to pgbench's TPC-B on the same PostgreSQL.

    .venv/bin/python bench/http.py [--seconds 10] [--workers 4] [--connections 8]
        [--postgres postgres://postgres@127.0.0.1:5432] [--broker redis://127.0.0.1:6379/12]

Run by hand, never in CI. In one run it
1. creates a throwaway PostgreSQL database (hb_http_<pid>, dropped at the end), migrates it, loads the demo hotel
   (`seed_demo`; room counts made effectively unlimited so no run is cut short by SOLD_OUT), a partner API key,
   and the 20-room-type hotel of bench/search.py (BENCH);
2. runs `pgbench -i -s 1` and `pgbench -c 8 -j 2 -T <seconds>` (TPC-B) on that database;
3. starts the production server as deployed: `make serve` (gunicorn, DEBUG off, `CONN_MAX_AGE=60`, --workers
   processes, a Redis broker so events are queued for a worker, not run in the request; nothing consumes them,
   and that Redis database is flushed before and after);
4. drives it with wrk (Debian's package, installed with apt-get when missing; scripts in bench/wrk/), each
   scenario after a 3 s warm-up: the availability search at NYC (3 nights, 2 adults, a random arrival within
   300 days), booking POSTs at NYC (test card, a random room type, plan, arrival and 1-3 nights, a fresh
   Idempotency-Key each), and the 20 room types x 14 nights search at BENCH (AAA with a promotion);
5. prints requests/s, p50 and p99, errors, and each scenario's ratio to pgbench's tps (issue 17's targets:
   booking >= 0.10, search >= 0.30, 20 x 14 search >= 0.15), with the load average before and after.
"""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# This file is bench/http.py: with bench/ first on the path, `import http` (urllib, requests) would find it
# instead of the standard library. bench/ goes last (for bench/search.py's hotel), the project first.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH] + [str(BENCH)]

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

TARGETS = {"search NYC 3 nights": 0.30, "booking POST": 0.10, "search 20 room types x 14 nights": 0.15}


def wrk_path() -> str:
    exe = shutil.which("wrk")
    if exe is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install wrk", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, check=True)
        exe = shutil.which("wrk")
    if exe is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    return exe


def psql(server_url: str, sql: str) -> None:
    subprocess.run(["psql", f"{server_url}/postgres", "-qXc", sql], check=True, capture_output=True)


def prepare(database_url: str) -> str:
    """Migrate and seed the new database in this process; returns the partner API key."""
    os.environ.update(DATABASE_URL=database_url, SECRET_KEY="bench-only-secret-key",
                      EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelbooking.settings")
    django.setup()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", "--noinput", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    from inventory.models import Hotel, HotelAPIKey, InventoryDay

    InventoryDay.objects.update(total=10_000_000)
    from search import build  # bench/search.py's 20-room-type hotel

    build(20, 14)
    api_key, key = HotelAPIKey.objects.create_key(name="bench", scope="partner")
    api_key.hotels.set(Hotel.objects.filter(code="NYC"))
    connections.close_all()
    return key


def pgbench(server_url: str, dbname: str, seconds: int) -> dict:
    url = urlparse(server_url)
    env = dict(os.environ, PGHOST=url.hostname or "127.0.0.1", PGPORT=str(url.port or 5432),
               PGUSER=url.username or "postgres")
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run(["pgbench", "-i", "-s", "1", "-q", dbname], env=env, check=True, capture_output=True)
    out = subprocess.run(["pgbench", "-c", "8", "-j", "2", "-T", str(seconds), dbname], env=env, check=True,
                         capture_output=True, text=True).stdout
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    return {"tps": float(tps[1]), "latency_ms": float(latency[1]) if latency else None}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, broker: str, workers: int, log_path: Path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE", "EMAIL_BACKEND")}
    env.update(DATABASE_URL=database_url, CONN_MAX_AGE="60", CELERY_BROKER_URL=broker,
               SECRET_KEY="bench-only-secret-key-" + "x" * 40, SECURE_SSL_REDIRECT="0",
               BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers),
               EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
               THROTTLE_ANON_SEARCH="1000000/s", THROTTLE_API_KEY="1000000/s")
    process = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "serve"], cwd=ROOT,
                               env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    return process, f"http://127.0.0.1:{port}"


def wait_until_up(process, url: str, log_path: Path) -> None:
    import requests

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"make serve exited {process.returncode}; see {log_path}")
        try:
            health = requests.get(url + "/healthz", timeout=10)
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or workers still booting
            time.sleep(0.5)
            continue
        if health.status_code != 200:
            sys.exit(f"/healthz answered {health.status_code}: {health.text}")
        return
    sys.exit(f"make serve did not answer within 180 s; see {log_path}")


def stop_server(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)  # make and its gunicorn: the process group started above
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(exe: str, url: str, script: str, args: list[str], *, seconds: float, connections: int) -> dict:
    command = [exe, "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "10s", "-s",
               str(BENCH / "wrk" / script), url, "--", *args]
    out = subprocess.run(command, check=True, capture_output=True, text=True,
                         env=dict(os.environ, BENCH_WRK_DIR=str(BENCH / "wrk"))).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["per_second"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def check_once(url: str, key: str, first_arrival) -> None:
    """One search and one booking by hand before the load: a wrong body would otherwise be timed as errors."""
    import requests

    check_in = first_arrival.isoformat()
    check_out = (first_arrival + timedelta(days=3)).isoformat()
    search = requests.get(f"{url}/api/v1/hotels/NYC/availability",
                          params={"check_in": check_in, "check_out": check_out, "adults": 2}, timeout=30)
    assert search.status_code == 200, search.text[:500]
    body = {"hotel": "NYC", "room_type": "DELUXE-KING", "rate_plan": "AAA", "check_in": check_in,
            "check_out": check_out, "adults": 2,
            "guest": {"first_name": "Bench", "last_name": "Check", "email": "bench-check@example.com"},
            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}}
    booking = requests.post(f"{url}/api/v1/bookings", json=body, headers={"X-Api-Key": key}, timeout=30)
    assert booking.status_code == 201, booking.text[:500]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="each timed run (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as in issue 17)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="the PostgreSQL server, without a database name")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12",
                        help="a Redis database of its own: flushed before and after")
    args = parser.parse_args()
    exe = wrk_path()
    server_url = args.postgres.rstrip("/")
    dbname = f"hb_http_{os.getpid()}"
    database_url = f"{server_url}/{dbname}"
    import redis

    broker = redis.Redis.from_url(args.broker)
    broker.flushdb()
    load_before = os.getloadavg()
    psql(server_url, f"CREATE DATABASE {dbname}")
    log_dir = Path(tempfile.mkdtemp(prefix="hb-http-bench-"))
    server = None
    try:
        print(f"database {dbname}: migrating and seeding...", flush=True)
        key = prepare(database_url)
        print("pgbench TPC-B...", flush=True)
        tpcb = pgbench(server_url, dbname, int(args.seconds))
        print(f"make serve ({args.workers} workers)...", flush=True)
        server, url = start_server(database_url, args.broker, args.workers, log_dir / "serve.log")
        wait_until_up(server, url, log_dir / "serve.log")  # stopped in `finally` whatever happens
        today = datetime.now(UTC).date()
        first = today + timedelta(days=2)  # past "today" in every time zone
        first_epoch = str(int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()))
        check_once(url, key, first)
        scenarios = [
            ("search NYC 3 nights", "search.lua", ["NYC", first_epoch, "300", "3", ""]),
            ("booking POST", "booking.lua", [key, first_epoch, "300"]),
            # BENCH's inventory is open for 44 days (bench/search.py): arrivals within 28 days, 14 nights.
            ("search 20 room types x 14 nights", "search.lua",
             ["BENCH", first_epoch, "28", "14", "&rate_plan=AAA&promo_code=SAVE10"]),
        ]
        results = []
        for label, script, script_args in scenarios:
            print(f"wrk: {label}...", flush=True)
            wrk(exe, url, script, script_args, seconds=3, connections=args.connections)  # warm-up
            results.append((label, wrk(exe, url, script, script_args, seconds=args.seconds,
                                       connections=args.connections)))
    finally:
        if server is not None:
            stop_server(server)
        from django.db import connections

        connections.close_all()
        psql(server_url, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        broker.flushdb()
    load_after = os.getloadavg()

    with subprocess.Popen(["psql", f"{server_url}/postgres", "-tAXc", "SHOW server_version"],
                          stdout=subprocess.PIPE, text=True) as p:
        pg_version = p.stdout.read().strip()
    print(f"\nmake serve: gunicorn, {args.workers} sync workers, CONN_MAX_AGE=60, broker {args.broker}; "
          f"wrk -t 2 -c {args.connections}, {args.seconds:g} s per scenario after a 3 s warm-up; PostgreSQL "
          f"{pg_version}; {os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}\n")
    print(f"| {'scenario':<34} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'errors':>6} | "
          f"{'x TPC-B':>7} | target")
    print(f"|{'-' * 36}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|{'-' * 9}|--------")
    for label, r in results:
        errors = r["non_2xx_3xx"] + r["socket_errors"]
        print(f"| {label:<34} | {r['per_second']:>7.1f} | {r['p50_us'] / 1000:>7.1f} | {r['p99_us'] / 1000:>7.1f} | "
              f"{errors:>6} | {r['per_second'] / tpcb['tps']:>7.3f} | >= {TARGETS[label]:.2f}")
    print(f"| {'pgbench TPC-B -s 1 (-c 8 -j 2)':<34} | {tpcb['tps']:>7.0f} | {'':>7} | {'':>7} | {'':>6} | "
          f"{1:>7.3f} | (tps; average latency {tpcb['latency_ms']} ms)")
    print(f"\nserver log: {log_dir / 'serve.log'}")


if __name__ == "__main__":
    main()
