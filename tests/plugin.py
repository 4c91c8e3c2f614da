"""Loaded by pytest before pytest-django reads the settings (`-p tests.plugin` in pyproject.toml).

`make test` and plain `python -m pytest` must pass with an empty environment, as on a fresh clone: the test
process gets a throwaway SECRET_KEY here, before the settings module is imported. The suite runs with DEBUG
off, so with the production settings, except that it speaks plain http (test client, live_server): no
redirect to https.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")


# --- `--at`: the whole session at a given instant -------------------------------------------------------
# Every test must pass whatever the date and hour. `pytest --at=2027-04-15T07:00:00Z` travels the session
# there with time-machine before any test (or the database setup) runs, the clock ticking on from it; a test
# that travels itself still does, and comes back to the session's instant.

import datetime as _dt  # noqa: E402

import pytest  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--at", metavar="INSTANT", default=None,
                     help="run the whole session from this instant (ISO 8601 with an offset or Z, e.g. "
                          "2027-04-15T07:00:00Z), the clock ticking on from there")


def _instant(value: str) -> _dt.datetime:
    try:
        moment = _dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise pytest.UsageError(f"--at={value}: not an ISO 8601 instant (e.g. 2027-04-15T07:00:00Z)") from None
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--at={value}: give an offset or Z, so the instant is unambiguous")
    return moment


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    value = config.getoption("--at", default=None)
    if not value:
        return
    import time_machine

    moment = _instant(value)
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config._session_instant = (moment, traveller)


def pytest_unconfigure(config):
    instant = getattr(config, "_session_instant", None)
    if instant:
        instant[1].stop()


def pytest_report_header(config):
    instant = getattr(config, "_session_instant", None)
    if instant:
        return f"clock: the session runs from {instant[0].astimezone(_dt.UTC).isoformat()} (--at)"
    return None
