"""A channel signing in as itself without an API key: HTTP Basic, or a WS-Security UsernameToken in the SOAP
header, checked against its profile's inbound credentials (the password stored hashed).

Wrong credentials count towards the same per-address failure limit as wrong API keys.
"""

import base64
import binascii
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from hotelbooking.api import _failure_counter, _failure_limits

from ..models import Channel
from .envelope import PASSWORD_TEXT, envelope_open
from .profiles import channel_for_credentials


@dataclass(frozen=True)
class ChannelCredentials:
    """request.auth of a channel that signed in with its profile's username and password."""

    channel: Channel
    how: str  # "basic" or "wsse"


def _code(request) -> str:
    return str((request.parser_context or {}).get("kwargs", {}).get("code", ""))


def _check(request, username: str, password: str, how: str):
    counter = _failure_counter(request)
    limit, window = _failure_limits()
    if cache.get(counter, 0) >= limit:
        raise exceptions.Throttled(wait=window, detail="Too many wrong credentials from this address.")
    channel = channel_for_credentials(code=_code(request), username=username, password=password)
    if channel is None:
        if cache.add(counter, 1, timeout=window) is False:
            try:
                cache.incr(counter)
            except ValueError:
                cache.set(counter, 1, timeout=window)
        raise exceptions.AuthenticationFailed("Invalid channel username or password.")
    return AnonymousUser(), ChannelCredentials(channel=channel, how=how)


class ChannelBasicAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise exceptions.AuthenticationFailed("The Basic credentials are not base64 of user:password.") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise exceptions.AuthenticationFailed("The Basic credentials are not base64 of user:password.")
        return _check(request, username, password, "basic")


class ChannelWsseAuthentication(BaseAuthentication):
    """Reads the SOAP header, so it parses the body (defused, size-capped) before the key check fails it."""

    def authenticate(self, request):
        if request.META.get("HTTP_AUTHORIZATION") or request.META.get("HTTP_X_API_KEY"):
            return None
        if request.content_type.split(";")[0].strip().lower() not in ("application/xml", "text/xml"):
            return None
        root = request.data
        if not hasattr(root, "tag"):
            return None
        opened = envelope_open(root)
        request.ota_opened = opened
        token = opened.token
        if token is None:
            return None
        if token.password_type != PASSWORD_TEXT:
            raise exceptions.AuthenticationFailed("Only the PasswordText UsernameToken is supported (over HTTPS).")
        return _check(request, token.username, token.password, "wsse")

