from csp.decorators import csp_update
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def _swagger_ui_allowed(view):
    """The API docs page loads Swagger UI from its CDN, and serves its own init script (no inline code)."""
    cdn = "/".join(spectacular_settings.SWAGGER_UI_DIST.split("/")[:3])
    sources = {"script-src": [cdn], "style-src": [cdn], "img-src": [cdn]}
    return csp_update(sources)(csp_update(sources, REPORT_ONLY=True)(view))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the guest pages' language switcher
    path("currency/", include("currency.urls")),  # the display-currency switcher
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", _swagger_ui_allowed(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
         name="api-docs"),
    path("api/v1/", include("inventory.api_urls")),
    path("api/v1/", include("pricing.api_urls")),
    path("api/v1/", include("bookings.api_urls")),
    path("api/v1/", include("frontdesk.api_urls")),
    path("api/v1/", include("invoicing.api_urls")),
    path("api/v1/", include("channelmanager.api_urls")),
    path("api/v1/", include("webhooks.api_urls")),
    path("channels/", include("channelmanager.urls")),
    path("payments/", include("bookings.payments.urls")),
    path("pay/", include("frontdesk.urls")),
    path("", include("invoicing.urls")),
    path("", include("privacy.urls")),
    path("", include("bookings.urls")),
    path("", include("inventory.urls")),
    path("", include("pricing.urls")),
]
# Uploaded photos and logos under DEBUG (static() adds nothing otherwise: the web server serves them).
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
