"""The guess throttle of "Manage my booking" and the confirmation page: atomic, per client address by the
NUM_PROXIES rule, and per booking."""

import threading
import time
from unittest import mock

import pytest
from django.db import connections
from django.test import Client

from bookings import lookup as lookup_module

from .test_manage_support import _fresh_cache, book  # noqa: F401

pytestmark = pytest.mark.django_db


def _counting_checks(monkeypatch, *, answer=None):
    """Replace the name check by one that counts its calls and is slow, so concurrent guesses overlap."""
    calls = []
    lock = threading.Lock()

    def check(*, confirmation_number, last_name):
        with lock:
            calls.append(last_name)
        time.sleep(0.05)
        return answer

    for module in ("bookings.forms_manage", "bookings.views"):
        monkeypatch.setattr(f"{module}.reservation_by_guest", check)
    return calls


def _in_parallel(count, act):
    start = threading.Barrier(count)
    statuses = []

    def run(i):
        try:
            start.wait()
            statuses.append(act(i))
        finally:
            connections.close_all()  # this thread's own connections, so the test database can be dropped

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_forty_concurrent_guesses_from_one_address_check_at_most_five(nyc, next_friday, monkeypatch):
    r = book(next_friday)
    calls = _counting_checks(monkeypatch)

    def guess(i):
        return Client().post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": f"Name{i}"},
                             REMOTE_ADDR="203.0.113.9").status_code

    statuses = _in_parallel(40, guess)

    assert statuses == [200] * 40
    assert len(calls) == 5


def test_forty_concurrent_guesses_on_the_confirmation_page_check_at_most_five(nyc, next_friday, monkeypatch):
    r = book(next_friday)
    calls = _counting_checks(monkeypatch)

    _in_parallel(40, lambda i: Client().post(f"/booking/{r.confirmation_number}/", {"last_name": f"Name{i}"},
                                             REMOTE_ADDR="203.0.113.9").status_code)

    assert len(calls) == 5


def test_concurrent_guesses_from_many_addresses_check_at_most_the_booking_limit(nyc, next_friday, monkeypatch):
    r = book(next_friday)
    calls = _counting_checks(monkeypatch)

    _in_parallel(40, lambda i: Client().post("/manage/", {"confirmation_number": r.confirmation_number,
                                                          "last_name": f"Name{i}"},
                                             REMOTE_ADDR=f"198.51.100.{i}").status_code)

    assert len(calls) == 20


def test_an_attempt_that_finds_its_booking_is_not_counted(nyc, next_friday):
    r = book(next_friday)
    for _ in range(8):
        response = Client().post("/manage/", {"confirmation_number": r.confirmation_number, "last_name": "Smith"},
                                 REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 302


def _guess(client, number, name, **meta):
    return client.post("/manage/", {"confirmation_number": number, "last_name": name}, **meta)


def test_behind_a_trusted_proxy_guesses_are_counted_per_client_not_per_proxy(nyc, next_friday, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    r = book(next_friday)
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for i in range(5):
        _guess(Client(), f"GH-NYC-2099010100{i:03d}", "Smith", HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    assert "Too many attempts" in _guess(Client(), r.confirmation_number, "Smith",
                                         HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy).content.decode()
    # The guest behind the same proxy is not the attacker.
    assert _guess(Client(), r.confirmation_number, "Smith", HTTP_X_FORWARDED_FOR="198.51.100.20",
                  **proxy).status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_reset_the_count(nyc, next_friday, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    r = book(next_friday)
    for i in range(5):
        _guess(Client(), f"GH-NYC-2099010100{i:03d}", "Smith", REMOTE_ADDR="203.0.113.66",
               HTTP_X_FORWARDED_FOR=f"192.0.2.{i}")
    response = _guess(Client(), r.confirmation_number, "Smith", REMOTE_ADDR="203.0.113.66",
                      HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert "Too many attempts" in response.content.decode()


def test_the_counter_keeps_counting_when_its_window_ends_between_add_and_incr(nyc):
    counter = lookup_module._Counter("manage-lookup:test", limit=5, window=60)
    with mock.patch.object(lookup_module.cache, "add", side_effect=[False, True]), \
            mock.patch.object(lookup_module.cache, "incr", side_effect=ValueError):
        assert counter.count()[0] == 1
