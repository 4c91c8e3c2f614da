"""DRF throttles: per API key, and per client address for anonymous callers. Rates in settings.

Both read their rate when a request comes (not when the class is defined), so settings overrides apply and a
rate of None switches a throttle off. The API-key throttle counts only requests that carry a key; the
anonymous one only requests with neither a key nor a logged-in user. The client address is REMOTE_ADDR:
X-Forwarded-For is trusted only when REST_FRAMEWORK["NUM_PROXIES"] says how many proxies put it there, so an
anonymous caller cannot dodge the limit by inventing a new address per request. A throttled request answers
429 with Retry-After (hotelbooking.api.exception_handler).
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


def client_address(request) -> str:
    """The client's address by the rule above: REMOTE_ADDR, or the address REST_FRAMEWORK["NUM_PROXIES"]
    trusted proxies put in X-Forwarded-For. For DRF requests and plain Django ones alike: the guest pages'
    look-up throttle and the admin's login throttle (django-axes) count by it too."""
    if api_settings.NUM_PROXIES is None:
        return request.META.get("REMOTE_ADDR") or "unknown"
    return BaseThrottle().get_ident(request) or "unknown"


class _RuntimeRateThrottle(SimpleRateThrottle):
    def __init__(self):
        # SimpleRateThrottle reads the rate here from a class attribute frozen at import; read it per request.
        pass

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_address(request)


class ApiKeyRateThrottle(_RuntimeRateThrottle):
    """Requests carrying an API key, counted per key."""

    scope = "api_key"

    def get_cache_key(self, request, view):
        from hotelbooking.api import api_key_of

        key = api_key_of(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"key-{key.pk}"}


class AnonymousSearchRateThrottle(_RuntimeRateThrottle):
    """Requests with no key and no logged-in user, counted per client address."""

    scope = "anon_search"

    def get_cache_key(self, request, view):
        from hotelbooking.api import api_key_of

        user = getattr(request, "user", None)
        if api_key_of(request) is not None or (user is not None and user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
