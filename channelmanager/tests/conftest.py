import pytest
from django.core.cache import cache

from .channel_setup import channel_client as client_for
from .channel_setup import make_channel


@pytest.fixture(autouse=True)
def _clean_cache_and_fast_hasher(settings):
    # seed_demo sets and checks the admin password: PBKDF2 would cost ~0.5 s per `nyc` fixture.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def channel(nyc):
    return make_channel(nyc)


@pytest.fixture
def channel_client(channel):
    """The BOOKING_COM channel's own key (scope channel, bound to it)."""
    return client_for(channel)
