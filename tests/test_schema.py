"""The OpenAPI schema describes every endpoint and generates without a single warning or error."""

from io import StringIO

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def _generate() -> tuple[dict, dict, dict]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema, dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)


def test_the_whole_schema_generates_without_warnings_or_errors():
    schema, warnings, errors = _generate()
    assert not errors, "\n".join(errors)
    assert not warnings, "\n".join(warnings)
    validate_schema(schema)


def test_spectacular_command_validates_and_fails_on_warnings(tmp_path):
    GENERATOR_STATS.reset()
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO(),
                 stderr=StringIO())
    assert out.read_text().startswith("openapi: 3")


def test_the_search_endpoints_are_documented_with_their_errors():
    schema, _, _ = _generate()
    availability = schema["paths"]["/api/v1/hotels/{code}/availability"]["get"]
    assert {p["name"] for p in availability["parameters"]} == {
        "code", "check_in", "check_out", "adults", "children", "child_ages", "rate_plan", "promo_code",
        "plans", "access_code", "calendar"}  # issue 13: every plan side by side, code-only plans, other dates
    assert set(availability["responses"]) >= {"200", "400", "404", "429"}
    assert availability["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "INVALID_DATES" in availability["responses"]["400"]["description"]
    assert "HOTEL_NOT_FOUND" in availability["responses"]["404"]["description"]
    assert "/api/v1/hotels" in schema["paths"]
    pricing = schema["components"]["schemas"]["PricingOutput"]["properties"]
    assert set(pricing) >= {"currency", "nightly_rates", "subtotal", "discount", "taxes", "fees", "total"}
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    r = client.get("/api/schema/")
    assert r.status_code == 200
    assert b"/api/v1/hotels/{code}/availability" in r.content
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    assert client.get("/api/docs/").status_code == 200


# --- a contract clients can be generated from ------------------------------------------------------------

def _served(client, url: str) -> dict:
    import json

    import yaml

    r = client.get(url)
    assert r.status_code == 200
    return json.loads(r.content) if "format=json" in url else yaml.safe_load(r.content)


def _operations(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/schema/?format=json"])
def test_the_served_schema_is_valid_openapi_3_1_for_a_strict_validator(client, url):
    from openapi_spec_validator import OpenAPIV31SpecValidator, validate

    schema = _served(client, url)
    assert schema["openapi"] == "3.1.0"
    validate(schema, cls=OpenAPIV31SpecValidator)


def test_request_bodies_are_json_only_and_the_channel_endpoint_xml():
    schema, _, _ = _generate()
    bodies = {(path, method): set(op["requestBody"]["content"]) for path, method, op in _operations(schema)
              if "requestBody" in op}
    assert len(bodies) >= 10
    channel = bodies.pop(("/api/v1/channels/{code}/reservations", "post"))
    assert channel == {"application/xml", "text/xml"}
    assert all(types == {"application/json"} for types in bodies.values()), bodies


def test_partners_authenticate_with_an_x_api_key_header_and_no_cookie_is_advertised():
    schema, _, _ = _generate()
    assert schema["components"]["securitySchemes"] == {"ApiKeyAuth": {
        "type": "apiKey", "in": "header", "name": "X-Api-Key",
        "description": schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"]}}
    assert "Authorization: Api-Key" in schema["components"]["securitySchemes"]["ApiKeyAuth"]["description"]
    public = {"hotels_list", "hotel_availability", "hotel_content"}
    for _, _, op in _operations(schema):
        if op["operationId"] in public:
            assert not op.get("security"), op["operationId"]
        else:
            assert op["security"] == [{"ApiKeyAuth": []}], op["operationId"]


def _book_body(next_friday) -> dict:
    from datetime import timedelta

    return {"hotel": "NYC", "room_type": "DELUXE-KING", "check_in": str(next_friday),
            "check_out": str(next_friday + timedelta(days=3)), "adults": 2,
            "guest": {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com"},
            "payment": {"card_number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}


@pytest.mark.django_db
def test_a_partner_books_and_reads_back_with_the_x_api_key_header(nyc, next_friday):
    from rest_framework.test import APIClient

    from tests.factories import api_key_for

    _, key = api_key_for(nyc, scope="partner")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)
    made = client.post("/api/v1/bookings", _book_body(next_friday), format="json")
    assert made.status_code == 201, made.content
    number = made.json()["confirmation_number"]
    read = client.get(f"/api/v1/bookings/{number}")
    assert read.status_code == 200
    assert read.json()["pricing"]["grand_total"] == made.json()["pricing"]["grand_total"]


@pytest.mark.django_db
@pytest.mark.parametrize("header", [{"HTTP_X_API_KEY": "nope.wrong"}, {"HTTP_AUTHORIZATION": "Api-Key nope.wrong"},
                                    {"HTTP_X_API_KEY": ""}])
def test_a_wrong_api_key_in_either_header_is_401_even_on_public_endpoints(nyc, next_friday, header):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(**header)
    for r in (client.get("/api/v1/hotels"), client.post("/api/v1/bookings", _book_body(next_friday), format="json")):
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "AUTHENTICATION_REQUIRED"
        assert r["WWW-Authenticate"] == "Api-Key"


@pytest.mark.django_db
def test_wrong_x_api_keys_count_toward_the_same_lock_out_as_authorization_ones(nyc, settings):
    from rest_framework.test import APIClient

    settings.API_KEY_FAILURE_LIMIT = 2
    client = APIClient()
    assert client.get("/api/v1/hotels", HTTP_X_API_KEY="nope.one").status_code == 401
    assert client.get("/api/v1/hotels", HTTP_AUTHORIZATION="Api-Key nope.two").status_code == 401
    r = client.get("/api/v1/hotels", HTTP_X_API_KEY="nope.three")
    assert r.status_code == 429
    assert int(r["Retry-After"]) >= 1
    assert r.json()["error"]["code"] == "RATE_LIMITED"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["multipart", None])
def test_a_form_post_to_the_api_is_415_and_books_nothing(partner_client, next_friday, fmt):
    from bookings.models import Reservation

    body = {"hotel": "NYC", "room_type": "DELUXE-KING", "check_in": str(next_friday)}
    if fmt:
        r = partner_client.post("/api/v1/bookings", body, format=fmt)
    else:
        r = partner_client.post("/api/v1/bookings", "hotel=NYC&room_type=DELUXE-KING",
                                content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert r.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert not Reservation.objects.exists()


def test_every_operation_declares_its_errors_with_the_error_schema():
    from hotelbooking.openapi import error_codes

    schema, _, _ = _generate()
    codes = error_codes()
    for path, _, op in _operations(schema):
        responses, name = op["responses"], op["operationId"]
        assert "401" in responses, name
        assert "429" in responses and "Retry-After" in responses["429"]["headers"], name
        assert responses["429"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
        if op.get("security"):
            assert "403" in responses, name
        if "{" in path:
            assert "404" in responses, name
        json_body = "application/json" in op.get("requestBody", {}).get("content", {})
        if json_body:
            assert {"400", "415"} <= set(responses), name
        for status, response in responses.items():
            if int(status) < 400 or "application/json" not in response.get("content", {}):
                continue
            assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            declared = response["x-error-codes"]
            assert declared, (name, status)
            assert all(codes[code] == int(status) for code in declared), (name, status, declared)
        if json_body:
            assert {"VALIDATION_ERROR", "MALFORMED_REQUEST"} <= set(responses["400"]["x-error-codes"]), name


def test_the_operations_list_the_codes_their_services_raise():
    schema, _, _ = _generate()
    ops = {op["operationId"]: op["responses"] for _, _, op in _operations(schema)}
    assert {"SOLD_OUT", "PRICE_CHANGED", "RESTRICTED"} <= set(ops["booking_create"]["409"]["x-error-codes"])
    assert ops["booking_create"]["402"]["x-error-codes"] == ["PAYMENT_FAILED"]
    assert ops["booking_create"]["422"]["x-error-codes"] == ["IDEMPOTENCY_KEY_REUSED"]
    assert "CANCELLATION_NOT_ALLOWED" in ops["booking_cancel"]["409"]["x-error-codes"]
    assert "OUTSTANDING_BALANCE" in ops["reservation_check_out"]["402"]["x-error-codes"]
    assert ops["hotels_list"]["401"]["x-error-codes"] == ["AUTHENTICATION_REQUIRED"]


def test_the_error_code_enum_holds_every_domain_error_code():
    from bookings.idempotency import IdempotencyInProgress
    from hotelbooking import errors

    schema, _, _ = _generate()
    enum = set(schema["components"]["schemas"]["ErrorCode"]["enum"])
    domain = {cls.code for cls in vars(errors).values()
              if isinstance(cls, type) and issubclass(cls, errors.DomainError)}
    assert domain | {IdempotencyInProgress.code} <= enum
    assert {"AUTHENTICATION_REQUIRED", "FORBIDDEN", "RATE_LIMITED", "UNSUPPORTED_MEDIA_TYPE"} <= enum
    detail = schema["components"]["schemas"]["ErrorDetail"]
    assert set(detail["discriminator"]["mapping"]) == enum
    family_codes = [c for ref in detail["oneOf"]
                    for c in schema["components"]["schemas"][ref["$ref"].split("/")[-1]]["properties"]["code"]["enum"]]
    assert sorted(family_codes) == sorted(enum)  # each code in exactly one shape


def _error_validator(schema: dict):
    from jsonschema import Draft202012Validator

    return Draft202012Validator({"$ref": "#/components/schemas/Error", "components": schema["components"]})


@pytest.mark.parametrize("body", [
    {"code": "PRICE_CHANGED", "message": "m", "retryable": True, "retry_action": "CONFIRM_NEW_PRICE",
     "expected_total": "600.00", "new_total": "664.14", "quote": {"currency": "USD", "total": "664.14"}},
    {"code": "SOLD_OUT", "message": "m", "retryable": False, "date": "2027-03-16", "available": 0},
    {"code": "PAYMENT_FAILED", "message": "m", "retryable": True, "retry_action": "UPDATE_PAYMENT",
     "decline_code": "insufficient_funds"},
    {"code": "VALIDATION_ERROR", "message": "m", "retryable": False, "fields": {"guest": {"email": ["bad"]}}},
    {"code": "INVALID_DATES", "message": "m", "retryable": False, "field": "check_out"},
    {"code": "CANCELLATION_NOT_ALLOWED", "message": "m", "retryable": False, "state": "CHECKED_IN"},
    {"code": "ROOM_NOT_AVAILABLE", "message": "m", "retryable": False, "room": "1204", "room_status": "DIRTY"},
    {"code": "RATE_LIMITED", "message": "m", "retryable": True},
])
def test_each_error_shape_accepts_what_the_api_answers(body):
    schema, _, _ = _generate()
    _error_validator(schema).validate({"error": body})


@pytest.mark.parametrize("body", [
    {"code": "SOLD_OUT", "message": "m", "retryable": False, "available": "none"},
    {"code": "PAYMENT_FAILED", "message": "m", "retryable": True, "decline_code": 51},
    {"code": "NO_SUCH_CODE", "message": "m", "retryable": False},
    {"code": "CANCELLATION_NOT_ALLOWED", "retryable": False},
])
def test_the_error_shapes_are_typed(body):
    from jsonschema import ValidationError

    schema, _, _ = _generate()
    with pytest.raises(ValidationError):
        _error_validator(schema).validate({"error": body})


def _texts(node, where=""):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield f"{where}.{key}", value
            else:
                yield from _texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _texts(value, f"{where}[{i}]")


def test_no_description_carries_internal_notes():
    import re

    schema, _, _ = _generate()
    internal = re.compile(r"\.py\b|\bapi_\w+|hotelbooking\.|\bservices?\.|\bselectors?\b|(?<![\w/])bookings/|"
                          r"(?<![\w/])frontdesk/|"
                          r"\bserializer|\bAPIView\b|\bmixin\b", re.IGNORECASE)
    found = [(where, text) for where, text in _texts(schema) if internal.search(text)]
    assert not found, found


def test_request_fields_with_defaults_are_optional_without_a_default_keyword():
    schema, _, _ = _generate()
    components = schema["components"]["schemas"]
    booking = components["BookingCreateInputRequest"]
    assert set(booking["required"]) == {"hotel", "check_in", "check_out", "guest", "payment"}
    for name in ("adults", "children", "child_ages", "room_count", "special_requests", "channel", "source"):
        assert "optional" in booking["properties"][name]["description"].lower(), name
    for name, component in components.items():
        if name.endswith("Request"):
            assert not any("default" in prop for prop in component.get("properties", {}).values()), name


def test_money_is_a_decimal_string_with_its_currency_beside_it_and_statuses_are_enums():
    schema, _, _ = _generate()
    c = schema["components"]["schemas"]
    for component, names in {"BookingPricingOutput": ("room_total", "taxes", "fees", "grand_total"),
                             "PricingOutput": ("subtotal", "discount", "room_total", "taxes", "fees", "total"),
                             "PaymentTermsOutput": ("due_now", "due_later"),
                             "FolioTotalsOutput": ("charges", "paid", "balance"),
                             "CancellationFinancialOutput": ("penalty_amount", "refund_amount")}.items():
        beside = "FolioOutput" if component == "FolioTotalsOutput" else component  # the folio's totals
        assert "currency" in c[beside]["properties"], component
        for name in names:
            assert c[component]["properties"][name]["type"] == "string", (component, name)
            assert c[component]["properties"][name]["format"] == "decimal", (component, name)

    def enum(schema):
        return c[schema["$ref"].split("/")[-1]]["enum"]

    assert "CHECKED_IN" in enum(c["BookingRoomOutput"]["properties"]["status"])
    assert enum(c["BookingPaymentOutput"]["properties"]["status"]) == [
        "COMPLETED", "PARTIALLY_REFUNDED", "REFUNDED", "NOT_COLLECTED"]
    assert c["StatusChangeOutput"]["properties"]["from"]["oneOf"][1] == {"type": "null"}
    assert enum(c["HousekeepingTaskOutput"]["properties"]["kind"]) == ["DEPARTURE", "REQUEST"]
    assert "DATE_EXTENSION" in enum(c["BookingModificationOutput"]["properties"]["changes"]["items"])


def test_every_extra_a_service_puts_on_an_error_is_declared_in_its_code_family():
    """Read every `raise SomeDomainError(..., extra=...)` of the apps: each extra is a property of the shape the
    schema gives that error's code, so a client generated from the schema sees it typed."""
    import ast
    from pathlib import Path

    from django.conf import settings

    from bookings.idempotency import IdempotencyInProgress
    from hotelbooking import errors

    classes = {name: cls for name, cls in vars(errors).items()
               if isinstance(cls, type) and issubclass(cls, errors.DomainError)}
    classes[IdempotencyInProgress.__name__] = IdempotencyInProgress
    schema, _, _ = _generate()
    components = schema["components"]["schemas"]
    mapping = components["ErrorDetail"]["discriminator"]["mapping"]
    undeclared, seen = [], 0
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            func = getattr(node, "func", None)
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if not isinstance(node, ast.Call) or name not in classes:
                continue
            seen += 1
            family = components[mapping[classes[name].code].split("/")[-1]]["properties"]
            undeclared += [(str(path), name, kw.arg) for kw in node.keywords
                           if kw.arg not in (None, "retryable", "retry_action") and kw.arg not in family]
    assert seen > 100
    assert not undeclared, undeclared
