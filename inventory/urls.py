from django.urls import path

from . import views

app_name = "inventory"

urlpatterns = [
    path("hotels/<str:code>/", views.hotel_page, name="hotel"),
    path("hotels/<str:code>/brand.css", views.hotel_brand_css, name="hotel-brand-css"),
]
