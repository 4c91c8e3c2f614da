from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("inventory.api_urls")),
    path("api/v1/", include("pricing.api_urls")),
    path("api/v1/", include("bookings.api_urls")),
    path("api/v1/", include("frontdesk.api_urls")),
    path("api/v1/", include("channelmanager.api_urls")),
    path("channels/", include("channelmanager.urls")),
    path("payments/", include("bookings.payments.urls")),
    path("", include("bookings.urls")),
    path("", include("inventory.urls")),
    path("", include("pricing.urls")),
]
