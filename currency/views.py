"""The display-currency switcher: a POST form in the guest base template, like Django's set_language."""

from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .choice import COOKIE
from .rates import display_currencies


@require_POST
def set_display_currency(request):
    """Remember the chosen currency (or none: the hotel's own) and go back to the page the guest was on."""
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    code = (request.POST.get("currency") or "").strip().upper()
    if code and code in display_currencies():
        response.set_cookie(COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
