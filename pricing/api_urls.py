from django.urls import path

from .api import AvailabilityApi

urlpatterns = [
    path("hotels/<str:code>/availability", AvailabilityApi.as_view(), name="api-hotel-availability"),
]
