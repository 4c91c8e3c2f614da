from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.search, name="home"),
    path("search/", views.search, name="search"),
]
