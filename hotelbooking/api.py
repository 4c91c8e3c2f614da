"""API plumbing shared by every app: API-key authentication, permissions, the one error handler."""

import logging
import math

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from hotelbooking import permissions
from hotelbooking.errors import DomainError

logger = logging.getLogger("hotelbooking.api")

PARTNER = permissions.PARTNER
FRONTDESK = permissions.FRONTDESK
CHANNEL = permissions.CHANNEL


class ApiKeyAuthentication(BaseAuthentication):
    """`X-Api-Key: <key>` or `Authorization: Api-Key <key>` -> request.auth is the HotelAPIKey (request.user
    stays anonymous). X-Api-Key is the form OpenAPI client generators can express; both are counted alike."""

    keyword = "Api-Key"
    header = "X-Api-Key"

    def _sent_key(self, request) -> str | None:
        """The key as sent, X-Api-Key first; None when the request carries neither form."""
        if "HTTP_X_API_KEY" in request.META:
            return request.META["HTTP_X_API_KEY"].strip()
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        if authorization.startswith(self.keyword + " "):
            return authorization[len(self.keyword) + 1:].strip()
        return None

    # Wrong keys are counted per client address; past the limit the address is told to wait (429), so keys
    # cannot be guessed at speed. The limit is API_KEY_FAILURE_LIMIT failures per API_KEY_FAILURE_WINDOW s.
    def authenticate(self, request):
        key = self._sent_key(request)
        if key is None:
            return None
        from inventory.models import HotelAPIKey

        counter = _failure_counter(request)
        limit, window = _failure_limits()
        if cache.get(counter, 0) >= limit:
            raise exceptions.Throttled(wait=window, detail="Too many wrong API keys from this address.")
        api_key = None
        # Keys are "<prefix>.<secret>" in URL-safe ASCII; anything else cannot match (and a NUL byte would
        # upset PostgreSQL), so it is refused before any query.
        if key and len(key) <= 200 and all(c.isascii() and (c.isalnum() or c in "._-") for c in key):
            try:
                api_key = HotelAPIKey.objects.get_from_key(key)
            except HotelAPIKey.DoesNotExist:
                api_key = None
        if api_key is None or api_key.has_expired or not api_key.is_valid(key):
            if cache.add(counter, 1, timeout=window) is False:
                try:
                    cache.incr(counter)
                except ValueError:  # expired between add and incr
                    cache.set(counter, 1, timeout=window)
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired API key.")
        from django.contrib.auth.models import AnonymousUser

        return AnonymousUser(), api_key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "hotelbooking.api.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": ApiKeyAuthentication.header,
                "description": "The API key, as the X-Api-Key header. The same key may instead be sent as "
                               '"Authorization: Api-Key <key>". A missing, wrong, revoked or expired key '
                               "answers 401 AUTHENTICATION_REQUIRED."}


def _failure_limits() -> tuple[int, int]:
    return (getattr(settings, "API_KEY_FAILURE_LIMIT", 20), getattr(settings, "API_KEY_FAILURE_WINDOW", 600))


def _failure_counter(request) -> str:
    from hotelbooking.throttling import client_address

    return f"api-key-failures:{client_address(request)}"


def _is_staff(request) -> bool:
    return permissions.is_staff(getattr(request, "user", None))


def api_key_of(request):
    from inventory.models import HotelAPIKey

    return request.auth if isinstance(request.auth, HotelAPIKey) else None


def caller_of(request):
    """Who is calling: the API key, or the staff user of the session."""
    return api_key_of(request) or request.user


class HotelWork(BasePermission):
    """The caller may do the view's `hotel_work` (a name from hotelbooking.permissions.WORK, or a dict of
    them by HTTP method). A key by its scope, a staff session by the Django permission of that work
    (403 without it). Front-desk work is not shown to other keys (404). Which hotels and bookings the
    caller reaches: `reach_of(request)`."""

    message = "An API key is required: send 'X-Api-Key: <key>' (or 'Authorization: Api-Key <key>')."

    def has_permission(self, request, view):
        work = view.hotel_work
        if isinstance(work, dict):
            work = work.get("GET" if request.method == "HEAD" else request.method)
        key = api_key_of(request)
        if key is not None:
            if work is None or permissions.key_may(key, work):
                return True
            if work in permissions.DESK_WORK:
                raise exceptions.NotFound()
            raise exceptions.PermissionDenied()
        if _is_staff(request):
            # An unlisted method goes on to its 405; channel messages come only with a channel's key.
            if work is None or permissions.staff_may(request.user, work):
                return True
            raise exceptions.PermissionDenied()
        raise exceptions.NotAuthenticated(self.message)


def hotels_for(request):
    """The hotels the caller may reach: a key's hotels, or the hotels a staff member belongs to."""
    from inventory.models import Hotel

    key = api_key_of(request)
    if key is not None:
        return key.hotels.all()
    if _is_staff(request):
        return permissions.staff_hotels(request.user)
    return Hotel.objects.none()


def reach_of(request) -> permissions.Reach:
    """The bookings the caller may reach: of its hotels, and for a partner key only those it made (unless the
    key is hotel-wide)."""
    key = api_key_of(request)
    if key is not None:
        return permissions.key_reach(key)
    return permissions.Reach(hotels=hotels_for(request))


def can_reach_hotel(request, hotel) -> bool:
    return hotels_for(request).filter(pk=hotel.pk).exists()


@extend_schema_field({"type": "string", "format": "decimal", "example": "664.14"})
class AmountField(serializers.CharField):
    """Money in an answer: a decimal string with the currency's minor unit, the currency named beside it."""


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    retryable = serializers.BooleanField()
    retry_action = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    """Every error answer: {"error": {"code", "message", "retryable", "retry_action"?, ...}}. Views name it in
    their responses; the schema's Error and ErrorDetail (one typed shape per code family) come from
    hotelbooking.openapi."""

    error = ErrorDetailSerializer()


def error_response(code: str, message: str, status: int, *, retryable: bool = False, **extra) -> Response:
    body = {"code": code, "message": message, "retryable": retryable}
    body.update(extra)
    return Response({"error": body}, status=status)


def _flatten(detail):
    if isinstance(detail, dict):
        return {k: _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        return [_flatten(v) for v in detail]
    return str(detail)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for field, value in detail.items():
            msg = _first_message(value)
            return msg if field == "non_field_errors" else f"{field}: {msg}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def exception_handler(exc, context):
    """The one place domain errors and framework errors become HTTP answers."""
    if isinstance(exc, DomainError):
        response = Response({"error": exc.as_dict()}, status=exc.http_status)
        return response
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        code = "VALIDATION_ERROR"
        # Serializers may tag a field error with a domain code, e.g. INVALID_DATES.
        if isinstance(detail, dict):
            for value in detail.values():
                items = value if isinstance(value, list) else [value]
                for item in items:
                    item_code = getattr(item, "code", None)
                    if item_code and item_code.isupper():
                        code = item_code
                        break
                if code != "VALIDATION_ERROR":
                    break
        return error_response(code, _first_message(detail), 400, fields=_flatten(detail))
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        response = error_response("RATE_LIMITED", f"Too many requests. Retry in {wait} seconds.", 429,
                                  retryable=True)
        response["Retry-After"] = str(wait)
        return response
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        response = error_response("AUTHENTICATION_REQUIRED", str(exc.detail), 401)
        response["WWW-Authenticate"] = "Api-Key"
        return response
    if isinstance(exc, (exceptions.PermissionDenied, DjangoPermissionDenied)):
        return error_response("FORBIDDEN", "You may not do this.", 403)
    if isinstance(exc, (exceptions.NotFound, Http404)):
        return error_response("NOT_FOUND", "Not found.", 404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return error_response("METHOD_NOT_ALLOWED", str(exc.detail), 405)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_response("UNSUPPORTED_MEDIA_TYPE", str(exc.detail), 415)
    if isinstance(exc, exceptions.NotAcceptable):
        return error_response("NOT_ACCEPTABLE", str(exc.detail), 406)
    if isinstance(exc, exceptions.ParseError):
        return error_response("MALFORMED_REQUEST", str(exc.detail), 400)
    if isinstance(exc, exceptions.APIException):
        return error_response(str(exc.default_code).upper(), str(exc.detail), exc.status_code)
    request = context.get("request")
    logger.exception(
        "Unexpected error in %s", context.get("view").__class__.__name__ if context.get("view") else "?",
        extra={"path": getattr(request, "path", None),
               "query": dict(getattr(request, "query_params", {}) or {}),
               "body": _safe_body(request)},
    )
    return error_response("SYSTEM_ERROR", "An unexpected error occurred. Please try again.", 500,
                          retryable=True)


_SECRET_FIELDS = {"card_number", "cvc", "cvv", "number", "password"}


def _safe_body(request):
    try:
        data = dict(request.data)
    except Exception:  # the body itself may be what failed to parse
        return None
    return {k: ("***" if k in _SECRET_FIELDS else v) for k, v in data.items() if k != "payment"}
