"""The console is the clerk's home: desk staff opening the admin index (after logging in, or from any "Home"
link) land on today's desk. Superusers and everyone else keep the generic index, which stays one link away
("All admin": the index with ?all=1)."""

from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse

from .permissions import FRONT_DESK_GROUP, FRONT_OFFICE_MANAGER_GROUP

DESK_GROUPS = (FRONT_DESK_GROUP, FRONT_OFFICE_MANAGER_GROUP)
ALL_ADMIN = "all"


def lands_on_desk(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff and not user.is_superuser
                and user.groups.filter(name__in=DESK_GROUPS).exists())


def desk_home(get_response):
    """Middleware limited to GET of the admin index; every other request passes untouched."""

    def middleware(request):
        if request.method == "GET" and ALL_ADMIN not in request.GET and request.path == _admin_index() \
                and lands_on_desk(request.user):
            return redirect("admin:frontdesk_desk")
        return get_response(request)

    return middleware


def _admin_index() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:  # a URLconf without the admin (some tests, an API-only deployment)
        return None
