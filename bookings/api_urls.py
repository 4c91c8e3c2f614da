from .api import urlpatterns as booking_patterns
from .api_manage import urlpatterns as manage_patterns

urlpatterns = booking_patterns + manage_patterns
