"""The site's URLs plus uploaded media, for browser tests: the test server runs without DEBUG, where
hotelbooking.urls leaves media to the web server."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from hotelbooking.urls import urlpatterns as site


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.+)$", media), *site]
