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
        "code", "check_in", "check_out", "adults", "children", "rate_plan", "promo_code"}
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
