"""Real HTTP exchanges checked against the OpenAPI schema the server serves, strictly, with openapi-core.

Strictly: the request must be one the schema describes (path, parameters, body, credentials), and the answer's
status, content type, declared headers and body must be the ones declared for the operation; an object may not
carry a field its schema does not list (every object schema that lists its properties is closed here, unless it
says itself what else it allows).
"""

import copy

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.exceptions import OpenAPIError
from werkzeug.datastructures import Headers, ImmutableMultiDict


def closed(spec: dict) -> dict:
    """A copy of the schema where an object schema listing its properties allows no others (additionalProperties:
    false), unless it declares additionalProperties itself or is one part of an allOf (the parts' properties add
    up, so no part alone may close the object)."""
    spec = copy.deepcopy(spec)

    def walk(node, *, part_of_all_of=False):
        if isinstance(node, list):
            for item in node:
                walk(item, part_of_all_of=part_of_all_of)
            return
        if not isinstance(node, dict):
            return
        if (isinstance(node.get("properties"), dict) and not part_of_all_of
                and "additionalProperties" not in node and "unevaluatedProperties" not in node):
            node["additionalProperties"] = False
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for prop in value.values():
                    walk(prop)
            elif key == "allOf" and isinstance(value, list):
                walk(value, part_of_all_of=len(value) > 1)
            elif key not in ("example", "examples", "default", "enum"):
                walk(value)

    walk(spec)
    return spec


class _Request:
    """An httpx request as openapi-core reads one."""

    def __init__(self, request: httpx.Request):
        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return f"{self._request.url.scheme}://{self._request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "")


class _Response:
    def __init__(self, response: httpx.Response):
        self._response = response

    @property
    def data(self) -> bytes:
        return self._response.read()

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "").lower()

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._response.headers))


def _why(exc: Exception) -> str:
    """openapi-core's finding in a few lines: each schema error where it is, else the error itself."""
    causes = [e for e in (exc, exc.__cause__) if e is not None]
    errors = [error for e in causes for error in getattr(e, "schema_errors", ()) or ()]
    if not errors:
        return "; ".join(f"{type(e).__name__}: {str(e)[:300]}" for e in causes)
    return "".join(f"\n  at {'/'.join(str(p) for p in error.absolute_path) or '(body)'}: {error.message[:300]}"
                   for error in errors)


class Conformance:
    """Checks exchanges against one served schema, closed (see `closed`)."""

    def __init__(self, spec: dict):
        self.openapi = OpenAPI.from_dict(closed(spec))

    def problems(self, response: httpx.Response, *, check_request: bool = True) -> list[str]:
        """What in this exchange the schema does not allow, each said in a line or a few; [] when it conforms."""
        request = _Request(response.request)
        seen = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
        found = []
        if check_request:
            try:
                self.openapi.validate_request(request)
            except OpenAPIError as exc:
                found.append(f"{seen}: the request: {_why(exc)}")
        try:
            self.openapi.validate_response(request, _Response(response))
        except OpenAPIError as exc:
            found.append(f"{seen}: the answer: {_why(exc)}")
        return found
