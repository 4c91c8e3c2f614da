"""The guest's pages for their own data. Thin: the forms collect, privacy.guest_requests decides.

/privacy/                  an email address -> the same answer for every address (a link is emailed if known)
/privacy/link/<token>/     the emailed link: download the data (ZIP) or erase it; works once, until it expires
"""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language, ngettext
from django.views.decorators.cache import never_cache

from hotelbooking.errors import DomainError

from .export import export_filename, guest_export_zip
from .forms import DataRequestForm, ErasureConfirmForm
from .guest_requests import (
    DataRequestThrottle,
    RequestLinkExpired,
    RequestLinkInvalid,
    RequestLinkUsed,
    data_request_ask,
    data_request_erase,
    data_request_export,
    data_request_open,
)
from .models import DataRequest

SENT = "privacy_request_sent"


def data_request(request):
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = DataRequestThrottle(request=request, email=form.cleaned_data["email"]).attempt()
        if wait:
            minutes = max(1, round(wait / 60))
            form.add_error(None, ngettext("Too many requests from here: please try again in %(n)d minute.",
                                          "Too many requests from here: please try again in %(n)d minutes.",
                                          minutes) % {"n": minutes})
            return render(request, "privacy/request.html", {"form": form}, status=429)
        data_request_ask(email=form.cleaned_data["email"], language=get_language())
        request.session[SENT] = True
        return redirect("privacy-request")  # PRG: the same page for every address
    sent = request.session.pop(SENT, False)
    hours = int(DataRequest.lifetime().total_seconds() // 3600)
    return render(request, "privacy/request.html", {"form": DataRequestForm() if sent else form, "sent": sent,
                                                    "hours": hours})


def _refused(request, refused: RequestLinkInvalid):
    return render(request, "privacy/link_refused.html",
                  {"expired": isinstance(refused, RequestLinkExpired), "used": isinstance(refused, RequestLinkUsed)},
                  status=410 if isinstance(refused, (RequestLinkExpired, RequestLinkUsed)) else 404)


@never_cache
def data_request_link(request, token: str):
    try:
        data = data_request_open(token)
    except RequestLinkInvalid as refused:
        return _refused(request, refused)
    erase_form = ErasureConfirmForm(request.POST if request.POST.get("action") == "erase" else None)
    blocked = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "download":
                guest = data_request_export(token)
                response = HttpResponse(guest_export_zip(guest), content_type="application/zip")
                response["Content-Disposition"] = f'attachment; filename="{export_filename(guest)}"'
                return response
            if request.POST.get("action") == "erase" and erase_form.is_valid():
                data_request_erase(token)
                return render(request, "privacy/erased.html")
        except RequestLinkInvalid as refused:  # used or expired in the meantime
            return _refused(request, refused)
        except DomainError as error:  # ERASURE_BLOCKED: an upcoming or in-house stay
            blocked = error.message
    return render(request, "privacy/link.html", {"data_request": data, "erase_form": erase_form,
                                                 "blocked": blocked}, status=409 if blocked else 200)


urlpatterns = [
    path("privacy/", data_request, name="privacy-request"),
    path("privacy/link/<str:token>/", data_request_link, name="privacy-link"),
]
