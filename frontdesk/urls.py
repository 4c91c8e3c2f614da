from .views import urlpatterns  # noqa: F401  (the guest's /pay/ pages)
