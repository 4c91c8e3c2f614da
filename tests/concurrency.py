"""Running work at one moment from several threads, for the PostgreSQL race tests.

Each thread has its own database connection (Django's are per thread) and closes it when done.
"""

import threading

from django.db import connections


def all_at_once(n: int, work, *, timeout: float = 120) -> list:
    """Run work(i) in n threads released together; each outcome is a value or the exception raised."""
    barrier = threading.Barrier(n)
    outcomes: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            outcomes[i] = work(i)
        except BaseException as exc:  # every outcome is inspected by the test
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return outcomes
