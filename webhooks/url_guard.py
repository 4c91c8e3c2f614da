"""Where deliveries may go (SSRF guard): https to a public address only, unless WEBHOOK_ALLOW_PRIVATE_URLS.

Checked when an endpoint is registered or changed, and again before every attempt (a name may since resolve
elsewhere). Redirects are never followed, so an answer cannot send us on to an internal address.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from hotelbooking.errors import WebhookUrlNotAllowed


def private_urls_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_URLS", False))


def url_check(url: str) -> None:
    """WEBHOOK_URL_NOT_ALLOWED unless `url` may receive deliveries."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise WebhookUrlNotAllowed("The URL is not valid.", field="url") from None
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookUrlNotAllowed("The URL must start with https://.", field="url")
    if parts.username or parts.password:
        raise WebhookUrlNotAllowed("The URL must not carry a user name or password.", field="url")
    if private_urls_allowed():
        return
    if parts.scheme != "https":
        raise WebhookUrlNotAllowed("The URL must start with https://.", field="url")
    for address in _addresses(host, port or 443):
        if not address.is_global or address.is_multicast:
            raise WebhookUrlNotAllowed(
                "The URL must reach a public address: private, loopback and link-local hosts are refused.",
                field="url")


def _addresses(host: str, port: int) -> list:
    try:
        return [_judged(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise WebhookUrlNotAllowed(f"The host {host} cannot be resolved.", field="url") from None
    return [_judged(ipaddress.ip_address(info[4][0].split("%")[0])) for info in infos]


def _judged(address):
    """An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is."""
    return (address.ipv4_mapped or address) if address.version == 6 else address
