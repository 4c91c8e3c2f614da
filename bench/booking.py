"""Bookings per second through the service layer (booking_create) on PostgreSQL, next to pgbench's TPC-B.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hb_bench .venv/bin/python bench/booking.py [--seconds 10]

It creates a throwaway database (Django's test-database machinery: test_<name>, migrated, dropped at the end),
loads the demo hotel with `seed_demo`, makes room counts effectively unlimited so that no run is cut short by
SOLD_OUT, and then books for a fixed time with 1 and with 8 worker processes:

- spread: random room type, arrival within the year, 1-3 nights, BAR or AAA: little row contention;
- hot:    every booking takes the same three nights of the same room type: all workers queue on the same
          inventory rows (the lock that keeps a hotel from overselling).

Each booking is the full use case: validation, quote, guest upsert, confirmation number, pending reservation,
inventory for every night (row locks in date order), the test gateway's charge, confirmation, outbox row.
Delivering the outbox (the confirmation email) is a Celery worker's job and is not measured here.
Then `pgbench -i -s 1` and `pgbench -c 8 -j 2 -T <seconds>` (TPC-B-like) run on the same database.
"""

import argparse
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/hb_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelbooking.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from bookings import events

    events._enqueue = lambda event_id: None  # delivery is the worker's job, not the booking's


def _prepare() -> str:
    """A fresh migrated database with the demo hotel; returns its name."""
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    call_command("seed_demo", stdout=StringIO())
    from inventory.models import InventoryDay

    InventoryDay.objects.update(total=10_000_000)
    return name


def _request(rng: random.Random, *, hot: bool, serial: int):
    from django.utils import timezone

    from bookings.payments import Card
    from bookings.services import BookingRequest, GuestDetails

    today = timezone.localdate()
    if hot:
        check_in, nights, room_type, plan = today + timedelta(days=30), 3, "DELUXE-KING", "AAA"
    else:
        check_in = today + timedelta(days=rng.randint(1, 330))
        nights = rng.randint(1, 3)
        room_type = rng.choice(["DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"])
        plan = rng.choice(["BAR", "AAA"])
    # One guest in five is a returning guest.
    email = f"guest{rng.randint(1, 500)}@example.com" if rng.random() < 0.2 else f"g{os.getpid()}-{serial}@example.com"
    return BookingRequest(hotel_code="NYC", room_type_code=room_type, rate_plan_code=plan, check_in=check_in,
                          check_out=check_in + timedelta(days=nights), adults=rng.choice([1, 2]),
                          guest=GuestDetails("Bench", f"Guest{serial}", email),
                          card=Card("4242424242424242", 12, 2035, "123"))


def _worker(index: int, hot: bool, start_at: float, stop_at: float, results) -> None:
    from django.db import connections

    from bookings.payments import TestGateway
    from bookings.services import booking_create

    connections.close_all()  # never share the parent's connection after fork
    rng = random.Random(index * 7919 + int(hot))
    gateway = TestGateway()
    latencies, errors, serial = [], Counter(), 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        serial += 1
        request = _request(rng, hot=hot, serial=serial)
        began = time.perf_counter()
        try:
            booking_create(request=request, gateway=gateway)
        except Exception as exc:  # counted and reported, never hidden
            errors[getattr(exc, "code", type(exc).__name__)] += 1
            continue
        latencies.append(time.perf_counter() - began)
    connections.close_all()
    results.put((latencies, dict(errors)))


def _run(workers: int, seconds: float, *, hot: bool) -> dict:
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    start_at = time.time() + 1.0  # all start together, after the forks
    stop_at = start_at + seconds
    procs = [ctx.Process(target=_worker, args=(i, hot, start_at, stop_at, results)) for i in range(workers)]
    for p in procs:
        p.start()
    collected = [results.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for lat, _ in collected for x in lat)
    errors = Counter()
    for _, errs in collected:
        errors.update(errs)
    return {
        "workers": workers, "scenario": "hot (same 3 nights)" if hot else "spread", "bookings": len(latencies),
        "per_second": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000 if latencies else 0.0,
        "errors": dict(errors),
    }


def _pgbench(dbname: str, seconds: int) -> dict:
    exe = shutil.which("pgbench")
    if exe is None:
        return {"error": "pgbench is not installed"}
    url = urlparse(os.environ["DATABASE_URL"])
    env = dict(os.environ, PGHOST=url.hostname or "127.0.0.1", PGPORT=str(url.port or 5432),
               PGUSER=url.username or "postgres")
    if url.password:
        env["PGPASSWORD"] = url.password
    subprocess.run([exe, "-i", "-s", "1", "-q", dbname], env=env, check=True, capture_output=True, text=True)
    out = subprocess.run([exe, "-c", "8", "-j", "2", "-T", str(seconds), dbname], env=env, check=True,
                         capture_output=True, text=True).stdout
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    latency = re.search(r"latency average = ([0-9.]+) ms", out)
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    return {"tps": float(tps.group(1)) if tps else None, "latency_ms": float(latency.group(1)) if latency else None,
            "transactions": int(done.group(1)) if done else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each run (default 10)")
    args = parser.parse_args()

    _setup_django()
    from django.db import connection

    load_before = os.getloadavg()[0]
    dbname = _prepare()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        runs = [_run(1, args.seconds, hot=False), _run(8, args.seconds, hot=False),
                _run(1, args.seconds, hot=True), _run(8, args.seconds, hot=True)]
        from django.db import connections

        connections.close_all()
        pgbench = _pgbench(dbname, int(args.seconds))
    finally:
        from django.db import connections

        connections.close_all()
        connection.creation.destroy_test_db(dbname, verbosity=0)

    print(f"\nbooking_create on PostgreSQL {pg_version}, {os.cpu_count()} CPUs, {args.seconds:g} s per run, "
          f"worker processes, database {dbname} (dropped); load average before the run {load_before:.2f}\n")
    print(f"| {'scenario':<22} | {'workers':>7} | {'bookings':>8} | {'bookings/s':>10} | {'p50 ms':>7} | "
          f"{'p95 ms':>7} | errors")
    print(f"|{'-' * 24}|{'-' * 9}|{'-' * 10}|{'-' * 12}|{'-' * 9}|{'-' * 9}|--------")
    for r in runs:
        errors = ", ".join(f"{k}: {v}" for k, v in sorted(r["errors"].items())) or "none"
        print(f"| {r['scenario']:<22} | {r['workers']:>7} | {r['bookings']:>8} | {r['per_second']:>10.1f} | "
              f"{r['p50_ms']:>7.1f} | {r['p95_ms']:>7.1f} | {errors}")
    if "error" in pgbench:
        print(f"\npgbench: {pgbench['error']}")
    else:
        print(f"| {'pgbench TPC-B -s 1':<22} | {8:>7} | {pgbench['transactions'] or 0:>8} | "
              f"{pgbench['tps'] or 0:>10.1f} | {pgbench['latency_ms'] or 0:>7.1f} | {'':>7} | (tps; -c 8 -j 2, "
              f"average latency)")


if __name__ == "__main__":
    main()
