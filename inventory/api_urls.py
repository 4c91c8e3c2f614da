from django.urls import path

from .api import HotelListApi

urlpatterns = [
    path("hotels", HotelListApi.as_view(), name="api-hotels"),
]
