"""DRF throttles: per API key, and per client address for anonymous callers. Rates in settings."""

from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view):
        from hotelbooking.api import api_key_of

        key = api_key_of(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.pk}


class AnonymousSearchRateThrottle(SimpleRateThrottle):
    scope = "anon_search"

    def get_cache_key(self, request, view):
        from hotelbooking.api import api_key_of

        if api_key_of(request) is not None or (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
