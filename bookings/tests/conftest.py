"""Fixtures for the booking tests."""

import pytest

from bookings.payments import TestGateway


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Events are delivered in this process even when CELERY_BROKER_URL is set (the PostgreSQL CI run):
    a worker elsewhere must not race these tests for their outbox, nor swallow their emails."""
    from hotelbooking.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def gateway():
    return TestGateway()
