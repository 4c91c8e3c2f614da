"""What the single-process benchmarks share: Django set up for a bench, a throwaway database, timing.

Importing this module puts the project on the path and sets the environment a bench runs in (a bench-only
secret key, plain http for the test client, as in tests/plugin.py); `throwaway_database()` then sets Django up.
"""

import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotelbooking.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


@contextmanager
def throwaway_database():
    """A migrated test database for the bench, dropped at the end: a temporary file on SQLite, test_<name> on
    the DATABASE_URL server (as the test runner does). Yields the connection."""
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    tmp = None
    if connection.vendor == "sqlite":
        tmp = tempfile.NamedTemporaryFile(prefix="hb-bench-", suffix=".sqlite3", delete=False)
        connection.settings_dict.setdefault("TEST", {})["NAME"] = tmp.name
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if tmp is not None:
            Path(tmp.name).unlink(missing_ok=True)


def timed(n: int, fn, warm: int = 3) -> list[float]:
    """`fn` run `warm` times untimed, then `n` times; the milliseconds of each timed run."""
    for _ in range(warm):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[94] if len(samples) > 1 else samples[0]


def database_label(connection) -> str:
    if connection.vendor == "sqlite":
        return f"sqlite {'.'.join(map(str, connection.Database.sqlite_version_info))}"
    return f"{connection.vendor} {connection.pg_version // 10000}"
