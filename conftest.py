import pytest


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    from django.core.cache import cache

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PAYMENT_GATEWAY = "bookings.payments.TestGateway"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True  # test receivers listen on 127.0.0.1 (webhooks.url_guard)
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")  # uploads and renditions, not ./media
    cache.clear()  # throttles and guess counters must not leak between tests


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Deliver events in this process, except for tests marked celery_worker (they use the real broker).

    The one copy for the whole suite: even with CELERY_BROKER_URL set (the PostgreSQL CI run), a worker
    elsewhere must not race a test for its outbox, nor swallow its emails.
    """
    from hotelbooking.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = "celery_worker" not in request.keywords
    yield
    app.conf.task_always_eager = before


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)


@pytest.fixture
def nyc(db):
    """The seed's Grand Hotel NYC, exactly as `manage.py seed_demo` loads it (a year of inventory from today)."""
    from io import StringIO

    from django.core.management import call_command

    from inventory.models import Hotel

    call_command("seed_demo", stdout=StringIO())
    return Hotel.objects.get(code="NYC")


@pytest.fixture
def next_friday():
    """The first Friday strictly after today (hotel-local), so a Friday-to-Monday stay is bookable; on a
    Thursday after 15:00 in New York, the one after, so that cancelling it now is still free (the seed's
    Flexible 24-Hour policy frees it until the day before, 15:00) whatever the hour the suite runs."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    now = timezone.now().astimezone(ZoneInfo("America/New_York"))
    today = now.date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    if friday - today == timedelta(days=1) and now.hour >= 15:
        friday += timedelta(days=7)
    return friday


@pytest.fixture
def partner_client(nyc):
    from rest_framework.test import APIClient

    from tests.factories import api_key_for

    _, key = api_key_for(nyc, scope="partner")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def hotel_partner_client(nyc):
    """A partner key with hotel-wide scope: it manages every booking of NYC, not only those it made."""
    from rest_framework.test import APIClient

    from tests.factories import api_key_for

    api_key, key = api_key_for(nyc, scope="partner", name="Hotel-wide partner")
    api_key.hotel_wide = True
    api_key.save(update_fields=["hotel_wide"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


@pytest.fixture
def frontdesk_client(nyc):
    from rest_framework.test import APIClient

    from tests.factories import api_key_for

    _, key = api_key_for(nyc, scope="frontdesk", name="Front desk")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client
