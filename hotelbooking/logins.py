"""Staff login throttling (django-axes): the backend that refuses a locked-out login, and the page it shows."""

import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses a login while its username and address are locked out; first in AUTHENTICATION_BACKENDS.

    Every login over HTTP (the admin's form) brings its request. One without a request (Django's test
    `Client.login`, a script) has no client address to count by: axes would raise, so it passes unchecked to
    the password backend, and axes records nothing for it either.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_ip(request) -> str | None:
    """settings.AXES_CLIENT_IP_CALLABLE: the client address by the throttles' rule, or None when the request has
    none (e.g. a login made in code): axes stores it in an inet column, which PostgreSQL checks."""
    from hotelbooking.throttling import client_address

    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def lockout_response(request, original_response, credentials):
    """settings.AXES_LOCKOUT_CALLABLE: a page that says why the right password was refused, and for how long."""
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "admin/lockout.html", context, status=429)
