"""Which language a request is answered in.

Guest pages (and the admin) follow Django's LocaleMiddleware: the language the guest chose with the switcher
(the set_language cookie), else the browser's Accept-Language, else LANGUAGE_CODE (English). The partner API is
a contract and answers in English whatever the client's Accept-Language, so that DRF's and the domain errors'
messages read the same for every partner; the stable `code` is what clients should match anyway.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"


class GuestLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if request.path_info.startswith(API_PREFIX):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)

    def process_response(self, request, response):
        if request.path_info.startswith(API_PREFIX):
            return response  # one language: nothing varies with Accept-Language
        return super().process_response(request, response)


def guest_language(code: str | None) -> str:
    """The supported language for `code` ("es-mx" gives "es"), or "" for none or one we do not write."""
    if not code:
        return ""
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return ""


def email_language(code: str | None) -> str:
    """The language to write a guest's email in: theirs when we write it, else LANGUAGE_CODE."""
    return guest_language(code) or settings.LANGUAGE_CODE
