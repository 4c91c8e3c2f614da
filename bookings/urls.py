from .views import urlpatterns as booking_pages
from .views_manage import urlpatterns as manage_pages

urlpatterns = booking_pages + manage_pages
