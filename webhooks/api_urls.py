from .api import urlpatterns  # noqa: F401
