from .api.booking import urlpatterns as booking_patterns
from .api.manage import urlpatterns as manage_patterns

urlpatterns = booking_patterns + manage_patterns
