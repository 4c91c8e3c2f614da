"""`pytest --at=INSTANT` runs the session at that instant, the clock ticking, nested travel coming back to it."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

ROOT = Path(__file__).resolve().parent.parent
PROBE_ENV = "HB_SESSION_INSTANT_PROBE"


@pytest.mark.skipif(PROBE_ENV not in os.environ, reason="run by test_the_whole_session_runs_at_the_given_instant")
def test_probe_the_clock_is_at_the_given_instant():
    from django.utils import timezone

    expected = datetime.fromisoformat(os.environ[PROBE_ENV])
    assert timedelta(0) <= timezone.now() - expected < timedelta(minutes=5)  # ticking from there
    first = datetime.now(UTC)
    assert datetime.now(UTC) >= first
    with time_machine.travel(datetime(2031, 1, 10, 12, tzinfo=UTC), tick=False):
        assert timezone.now() == datetime(2031, 1, 10, 12, tzinfo=UTC)
    assert timedelta(0) <= timezone.now() - expected < timedelta(minutes=5)


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:randomly", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_whole_session_runs_at_the_given_instant():
    env = {**os.environ, PROBE_ENV: "2027-03-14T06:30:00+00:00"}
    done = _run("--at=2027-03-14T06:30:00Z", f"{__file__}::test_probe_the_clock_is_at_the_given_instant", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert "clock: the session runs from 2027-03-14T06:30:00+00:00 (--at)" in done.stdout


def test_an_instant_without_an_offset_is_refused():
    done = _run("--at=2027-03-14T06:30:00", "--collect-only", "-q", __file__)
    assert done.returncode == 4
    assert "give an offset or Z" in done.stderr
