from .api.views import urlpatterns  # noqa: F401
