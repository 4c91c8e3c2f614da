from django.urls import path

from .api.content import HotelContentApi
from .api.hotels import HotelListApi

urlpatterns = [
    path("hotels", HotelListApi.as_view(), name="api-hotels"),
    path("hotels/<str:code>/content", HotelContentApi.as_view(), name="api-hotel-content"),
]
