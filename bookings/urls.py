from .views import urlpatterns as booking_pages
from .views_manage import urlpatterns as manage_pages
from .views_pay import urlpatterns as payment_pages

urlpatterns = booking_pages + payment_pages + manage_pages
