"""One log line per request, on the `hotelbooking.requests` logger (INFO), written when the response is ready.

    GET /api/v1/hotels/NYC/availability 200 41.3ms 5120B 203.0.113.7

With LOG_FORMAT=json every log record is one JSON object (python-json-logger), and a request's line carries
its fields: method, path, status, duration_ms, bytes, client_ip. The query string is left out (it may carry a
guest's email or a token). Placed first in MIDDLEWARE, so the time covers every other middleware, the health
checks included.
"""

import logging
import time

from hotelbooking.logins import client_ip

logger = logging.getLogger("hotelbooking.requests")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        size = None if response.streaming else len(response.content)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "bytes": size,
            "client_ip": client_ip(request),
        }
        logger.info(
            "%s %s %s %sms %s %s", request.method, request.path, response.status_code, duration_ms,
            "-" if size is None else f"{size}B", fields["client_ip"], extra=fields,
        )
        return response
