"""Staff logins: wrong passwords lock the username at that address for a while (django-axes), and a staff
password must pass Django's validators wherever it is set (admin form, createsuperuser, changepassword)."""

import getpass
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
CLERK_ADDRESS, OTHER_ADDRESS = "203.0.113.7", "198.51.100.2"


@pytest.fixture
def clerk():
    return User.objects.create_user("clerk", "clerk@grandhotel.example", PASSWORD, is_staff=True)


def sign_in(client, password, username="clerk", **extra):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password,
                                                       "next": "/admin/"}, **{"REMOTE_ADDR": CLERK_ADDRESS, **extra})


def signed_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_after_five_wrong_passwords_the_right_one_is_refused_until_the_cool_off(clerk, settings):
    client = Client()
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            wrong = sign_in(client, "guess")
            assert wrong.status_code == 200 and "Please enter the correct username and password" in wrong.text
        assert "Sign-in locked" in sign_in(client, "guess").text  # the fifth wrong one locks
        locked = sign_in(client, PASSWORD)
        assert locked.status_code == 429
        assert "Sign-in locked" in locked.text and "Try again in 30 minutes" in locked.text
        assert "clerk" in locked.text
        assert not signed_in(client)

        clock.move_to(T0 + timedelta(minutes=29))
        assert sign_in(client, PASSWORD).status_code == 429  # still locked; and the wait starts again
        clock.move_to(T0 + timedelta(minutes=45))
        assert sign_in(client, PASSWORD).status_code == 429  # 45 minutes after the lock, 16 after the last try

        clock.move_to(T0 + timedelta(minutes=45 + 31))
        response = sign_in(client, PASSWORD)
        assert response.status_code == 302 and response["Location"] == "/admin/"
        assert signed_in(client)


def test_a_success_before_the_limit_starts_the_count_again(clerk, settings):
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(Client(), "guess")
        assert sign_in(Client(), PASSWORD).status_code == 302
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(Client(), "guess")
        assert sign_in(Client(), PASSWORD).status_code == 302


def test_a_stranger_cannot_lock_the_clerk_out_from_elsewhere(clerk, settings):
    """The count is per username and address: the guesser is locked, the clerk at the desk is not."""
    User.objects.create_user("maria", password=PASSWORD, is_staff=True)
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(Client(), "guess", REMOTE_ADDR=OTHER_ADDRESS)
        assert sign_in(Client(), PASSWORD, REMOTE_ADDR=OTHER_ADDRESS).status_code == 429
        assert sign_in(Client(), PASSWORD).status_code == 302
        assert sign_in(Client(), PASSWORD, username="maria", REMOTE_ADDR=OTHER_ADDRESS).status_code == 302


def test_behind_a_proxy_the_count_is_per_forwarded_client_address(clerk, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    with time_machine.travel(T0, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(Client(), "guess", HTTP_X_FORWARDED_FOR=OTHER_ADDRESS, **proxy)
        assert sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS, **proxy).status_code == 429
        assert sign_in(Client(), PASSWORD, HTTP_X_FORWARDED_FOR=CLERK_ADDRESS, **proxy).status_code == 302


def test_sessions_api_keys_and_the_test_clients_logins_still_work(clerk, partner_client, next_friday):
    client = Client()
    assert client.login(username="clerk", password=PASSWORD)  # no request: the throttle steps aside
    assert signed_in(client)
    boss = User.objects.create_superuser("boss", "boss@grandhotel.example", PASSWORD)
    api = Client()
    api.force_login(boss)
    rack = api.get("/api/v1/hotels/NYC/rooms")  # the API with a staff session
    assert rack.status_code == 200 and len(rack.json()) == 16, rack.content
    stay = f"check_in={next_friday}&check_out={next_friday + timedelta(days=3)}&adults=2&rate_plan=AAA"
    offers = partner_client.get(f"/api/v1/hotels/NYC/availability?{stay}")
    assert offers.status_code == 200 and "664.14" in offers.content.decode()


# Passwords


def test_the_admin_refuses_a_new_user_with_the_password_a():
    admin = Client()
    admin.force_login(User.objects.create_superuser("boss", "boss@grandhotel.example", PASSWORD))
    response = admin.post("/admin/auth/user/add/", {"username": "newclerk", "usable_password": "true",
                                                    "password1": "a", "password2": "a"})
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in response.text
    assert not User.objects.filter(username="newclerk").exists()

    for weak, message in [("password1234", "This password is too common."),
                          ("739201846571", "This password is entirely numeric."),
                          ("newclerk2026", "The password is too similar to the username.")]:
        response = admin.post("/admin/auth/user/add/", {"username": "newclerk", "usable_password": "true",
                                                        "password1": weak, "password2": weak})
        assert message in response.text, weak
    assert not User.objects.filter(username="newclerk").exists()

    response = admin.post("/admin/auth/user/add/", {"username": "newclerk", "usable_password": "true",
                                                    "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and User.objects.get(username="newclerk").check_password(PASSWORD)


class _Terminal(StringIO):
    def isatty(self):
        return True


def test_createsuperuser_refuses_the_password_a(monkeypatch):
    typed = iter(["a", "a", PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    monkeypatch.setattr("builtins.input", lambda prompt="": "N")  # "Bypass password validation?" No.
    err = StringIO()
    call_command("createsuperuser", interactive=True, username="boss", email="boss@grandhotel.example",
                 stdin=_Terminal(), stdout=StringIO(), stderr=err)
    assert "This password is too short. It must contain at least 12 characters." in err.getvalue()
    assert User.objects.get(username="boss").check_password(PASSWORD)


def test_changepassword_refuses_the_password_a(clerk, monkeypatch):
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "a")
    with pytest.raises(CommandError, match="Aborting password change"):
        call_command("changepassword", "clerk", stdout=StringIO(), stderr=StringIO())
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) and not clerk.check_password("a")


def test_the_demo_logins_still_work_after_seed_demo(nyc):
    """seed_demo sets admin/admin, frontdesk/frontdesk and manager/manager with set_password, which skips the
    validators: a demo convenience (README), never for a real site."""
    from django.contrib.auth import get_user_model

    manager = get_user_model().objects.get(username="manager")
    assert list(manager.groups.values_list("name", flat=True)) == ["Front office manager"]
    assert list(manager.hotels.values_list("code", flat=True)) == ["NYC"]
    assert manager.has_perm("frontdesk.waive_penalty") and manager.has_perm("frontdesk.override_rate")
    for username in ("admin", "frontdesk", "manager"):
        client = Client()
        response = client.post("/admin/login/?next=/admin/", {"username": username, "password": username,
                                                               "next": "/admin/"})
        assert response.status_code == 302 and response["Location"] == "/admin/", username


def test_the_login_lock_records_an_address_only_when_the_request_has_one():
    """axes keeps the address in an inet column: PostgreSQL refuses anything but an address (a login made in
    code, e.g. force_login, has none)."""
    from django.test import RequestFactory

    from hotelbooking.logins import client_ip

    assert client_ip(RequestFactory().get("/admin/login/", REMOTE_ADDR="203.0.113.7")) == "203.0.113.7"
    request = RequestFactory().get("/admin/login/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None
