"""Fixtures for the booking tests."""

import pytest

from bookings.payments import TestGateway


@pytest.fixture
def gateway():
    return TestGateway()
