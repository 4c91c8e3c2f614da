"""The page a locked-out staff login sees (django-axes calls it: settings.AXES_LOCKOUT_CALLABLE)."""

from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.shortcuts import render


def lockout_response(request, original_response, credentials):
    cool_off = get_cool_off(request)
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "admin/lockout.html", context, status=429)
