from django.urls import path

from .views import ical_feed

urlpatterns = [
    path("ical/<str:token>.ics", ical_feed, name="channel-ical-feed"),
]
