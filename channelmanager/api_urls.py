from django.urls import path

from .api import ChannelReservationNotifyApi

urlpatterns = [
    path("channels/<str:code>/reservations", ChannelReservationNotifyApi.as_view(),
         name="api-channel-reservations"),
]
