from django.urls import path

from . import views

urlpatterns = [path("", views.set_display_currency, name="set-display-currency")]
