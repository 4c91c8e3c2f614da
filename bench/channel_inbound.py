"""A channel's reservation messages over HTTP on the production server: how far below a channel's timeout we answer.

    .venv/bin/python bench/channel_inbound.py [--seconds 10] [--workers 4] [--connections 8]
        [--postgres postgres://postgres@127.0.0.1:5432] [--broker redis://127.0.0.1:6379/13]

Run by hand, never in CI. In one run it
1. creates a throwaway PostgreSQL database (hb_inbound_<pid>, dropped at the end), migrates it, loads the demo
   hotel (`seed_demo`; room counts made effectively unlimited so no message is refused SOLD_OUT), a channel
   BENCH_OTA with its room type and rate plan mappings (DLXK, STDQ, JRS; BAR-OTA, AAA-OTA) and its channel key;
2. starts the production server as deployed, as bench/http.py does: `make serve` (gunicorn, DEBUG off,
   `CONN_MAX_AGE=60`, --workers processes, a Redis broker so events are queued for a worker and not run in the
   request; nothing consumes them, and that Redis database is flushed before and after);
3. drives `POST /api/v1/channels/BENCH_OTA/reservations` from --connections threads of a small Python loop (one
   keep-alive session each), one message kind after the other, each for --seconds (or until it has no booking
   left to act on): OTA_HotelResNotifRQ bookings in SOAP 1.1 envelopes (ResStatus Commit, a unique UniqueID each,
   a random room type, rate plan, arrival within 300 days and 1-3 nights, two adults), the same bookings again
   (duplicates: answered from the first), OTA_HotelResModifyNotifRQ modifications of them (one adult, a child of
   7), and cancellations of them; every answer must be HTTP 200 with `Success` (else it is counted an error);
4. prints requests/s, p50, p99 and the slowest answer per kind, with the load average before and after, and how
   far the p99 is below the typical channel timeouts (30 s, SiteMinder's; 15 s).

The message shapes are the tests' own fixtures (channelmanager/tests/published_shapes.py), written from the public
element lists; the channel signs in with its API key (`Authorization: Api-Key ...`).
"""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# With bench/ first on the path, `import http` (urllib, requests) would find bench/http.py: the project goes first,
# bench/ is dropped, and bench/http.py's helpers are loaded under another name below.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from datetime import UTC, date, datetime, timedelta  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_http", BENCH / "http.py")
bench_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_http)

CHANNEL = "BENCH_OTA"
PATH = f"/api/v1/channels/{CHANNEL}/reservations"
ROOMS = {"DELUXE-KING": "DLXK", "STANDARD-QUEEN": "STDQ", "JUNIOR-SUITE": "JRS"}
RATES = {"BAR": "BAR-OTA", "AAA": "AAA-OTA"}
TIMEOUTS_S = (30, 15)
KINDS = ("booking", "duplicate", "modify", "cancel")


def prepare(database_url: str) -> str:
    """Migrate and seed the new database in this process; returns the channel's API key."""
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
    from channelmanager.models import Channel, RatePlanMapping, RoomTypeMapping
    from channelmanager.services import channel_key_create
    from inventory.models import Hotel, InventoryDay, RoomType
    from pricing.models import RatePlan

    InventoryDay.objects.update(total=10_000_000)
    hotel = Hotel.objects.get(code="NYC")
    channel = Channel.objects.create(hotel=hotel, code=CHANNEL, name="Bench OTA",
                                     endpoint_url="http://127.0.0.1:9/ota", username="bench", password="bench")
    for ours, theirs in ROOMS.items():
        RoomTypeMapping.objects.create(channel=channel, room_type=RoomType.objects.get(hotel=hotel, code=ours),
                                       channel_room_code=theirs)
    for ours, theirs in RATES.items():
        RatePlanMapping.objects.create(channel=channel, rate_plan=RatePlan.objects.get(hotel=hotel, code=ours),
                                       channel_rate_code=theirs)
    _, key = channel_key_create(channel=channel, name="bench inbound")
    connections.close_all()
    return key


class Messages:
    """Each kind's SOAP body for one reservation id (the same id's booking is sent again as its duplicate)."""

    def __init__(self, first_arrival: date, run: str):
        from channelmanager.tests.published_shapes import Message, Room, soap

        self._message, self._room, self._soap = Message, Room, soap
        self.first, self.run = first_arrival, run
        self._stays: dict[str, tuple] = {}
        self._lock = threading.Lock()
        self._serial = 0

    def new_reference(self) -> str:
        with self._lock:
            self._serial += 1
            serial = self._serial
        reference = f"BENCH-{self.run}-{serial}"
        stay = (self.first + timedelta(days=random.randrange(300)), random.randint(1, 3),
                random.choice(list(ROOMS.values())), random.choice(list(RATES.values())))
        with self._lock:
            self._stays[reference] = stay
        return reference

    def body(self, kind: str, reference: str) -> bytes:
        check_in, nights, room, rate = self._stays[reference]
        Message, Room = self._message, self._room
        if kind in ("booking", "duplicate"):
            m = Message(reference=reference, status="Commit", check_in=check_in, nights=nights,
                        rooms=[Room(room=room, rate=rate, adults=2)], echo=f"{kind}-{reference}")
        elif kind == "modify":
            m = Message(reference=reference, status="Modify", root="OTA_HotelResModifyNotifRQ", check_in=check_in,
                        nights=nights, rooms=[Room(room=room, rate=rate, adults=1, children=(7,))],
                        echo=f"modify-{reference}")
        else:
            m = Message(reference=reference, status="Cancel", check_in=check_in, nights=nights,
                        rooms=[Room(room=room, rate=rate)], echo=f"cancel-{reference}")
        return self._soap(m)


def send(session, url: str, key: str, body: bytes) -> tuple[float, bool]:
    """(milliseconds, answered 200 with Success)."""
    t0 = time.perf_counter()
    try:
        response = session.post(url + PATH, data=body, timeout=60,
                                headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""',
                                         "Authorization": f"Api-Key {key}"})
        ok = response.status_code == 200 and b"Success" in response.content and b"<Errors" not in response.content
    except Exception:  # a refused or dropped connection is an error of the run, not of the bench
        ok = False
    return (time.perf_counter() - t0) * 1000, ok


def drive(kind: str, *, url: str, key: str, messages: Messages, seconds: float, connections: int,
          references: list[str] | None) -> dict:
    """Send `kind` from `connections` threads for `seconds`: new bookings (no references), or each of
    `references` once (duplicate, modify, cancel), as long as there are some left. Returns the samples."""
    import requests

    samples, errors, done = [], [0], []
    todo = list(references or [])
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        with requests.Session() as session:
            while time.monotonic() < deadline:
                if references is None:
                    reference = messages.new_reference()
                else:
                    with lock:
                        if not todo:
                            return
                        reference = todo.pop()
                ms, ok = send(session, url, key, messages.body(kind, reference))
                with lock:
                    samples.append(ms)
                    if ok:
                        done.append(reference)
                    else:
                        errors[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"samples": samples, "errors": errors[0], "elapsed": elapsed, "done": done}


def percentile(samples: list[float], p: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def check_once(url: str, key: str, messages: Messages) -> None:
    """One message of each kind by hand before the load: a wrong body would otherwise be timed as errors."""
    import requests

    reference = messages.new_reference()
    with requests.Session() as session:
        for kind in KINDS:
            response = session.post(url + PATH, data=messages.body(kind, reference), timeout=60,
                                    headers={"Content-Type": "text/xml", "Authorization": f"Api-Key {key}"})
            assert response.status_code == 200 and b"Success" in response.content, (kind, response.text[:800])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="each kind's run at most (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4, as bench/http.py)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent senders (default 8)")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432"),
                        help="the PostgreSQL server, without a database name")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/13",
                        help="a Redis database of its own: flushed before and after")
    args = parser.parse_args()
    server_url = args.postgres.rstrip("/")
    dbname = f"hb_inbound_{os.getpid()}"
    database_url = f"{server_url}/{dbname}"
    import redis

    broker = redis.Redis.from_url(args.broker)
    broker.flushdb()
    load_before = os.getloadavg()
    bench_http.psql(server_url, f"CREATE DATABASE {dbname}")
    log_dir = Path(tempfile.mkdtemp(prefix="hb-inbound-bench-"))
    server = None
    results = {}
    try:
        print(f"database {dbname}: migrating and seeding...", flush=True)
        key = prepare(database_url)
        print(f"make serve ({args.workers} workers)...", flush=True)
        server, url = bench_http.start_server(database_url, args.broker, args.workers, log_dir / "serve.log")
        bench_http.wait_until_up(server, url, log_dir / "serve.log")  # stopped in `finally` whatever happens
        first = datetime.now(UTC).date() + timedelta(days=2)  # past "today" in every time zone
        messages = Messages(first, run=f"{os.getpid()}")
        check_once(url, key, messages)
        # A short warm-up of bookings (each worker's first requests load code and open its connection).
        drive("booking", url=url, key=key, messages=messages, seconds=3, connections=args.connections,
              references=None)
        booked = None
        for kind in KINDS:
            print(f"{kind}...", flush=True)
            run = drive(kind, url=url, key=key, messages=messages, seconds=args.seconds,
                        connections=args.connections, references=None if kind == "booking" else list(booked))
            results[kind] = run
            if kind == "booking":
                booked = run["done"]
    finally:
        if server is not None:
            bench_http.stop_server(server)
        from django.db import connections

        connections.close_all()
        bench_http.psql(server_url, f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
        broker.flushdb()
    load_after = os.getloadavg()

    with subprocess.Popen(["psql", f"{server_url}/postgres", "-tAXc", "SHOW server_version"],
                          stdout=subprocess.PIPE, text=True) as p:
        pg_version = p.stdout.read().strip()
    print(f"\nmake serve: gunicorn, {args.workers} sync workers, CONN_MAX_AGE=60, broker {args.broker}; "
          f"{args.connections} Python senders (keep-alive), at most {args.seconds:g} s per kind after a 3 s "
          f"warm-up; PostgreSQL {pg_version}; {os.cpu_count()} CPUs; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"load average before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}\n")
    print(f"| {'message (SOAP 1.1)':<22} | {'sent':>5} | {'req/s':>6} | {'p50 ms':>7} | {'p99 ms':>7} | "
          f"{'max ms':>7} | {'errors':>6} | p99 below 30 s / 15 s")
    print(f"|{'-' * 24}|{'-' * 7}|{'-' * 8}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 8}|----------------------")
    for kind in KINDS:
        r = results[kind]
        s = r["samples"]
        p99 = percentile(s, 99)
        below = " / ".join(f"{limit * 1000 / p99:.0f}x" for limit in TIMEOUTS_S) if s else ""
        print(f"| {kind:<22} | {len(s):>5} | {len(s) / r['elapsed']:>6.1f} | {percentile(s, 50):>7.1f} | "
              f"{p99:>7.1f} | {max(s, default=float('nan')):>7.1f} | {r['errors']:>6} | {below}")
    print(f"\nserver log: {log_dir / 'serve.log'}")


if __name__ == "__main__":
    main()
