from django.urls import path

from .api import HotelListApi
from .api_content import HotelContentApi

urlpatterns = [
    path("hotels", HotelListApi.as_view(), name="api-hotels"),
    path("hotels/<str:code>/content", HotelContentApi.as_view(), name="api-hotel-content"),
]
