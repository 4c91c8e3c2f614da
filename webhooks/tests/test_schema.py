"""The webhooks are in the OpenAPI schema (3.1 `webhooks`): one per event type, with its body and headers."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from webhooks.catalog import EVENT_TYPES


def test_every_event_type_is_documented_with_its_body_and_signature_header():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert schema["openapi"].startswith("3.1")
    assert set(schema["webhooks"]) == set(EVENT_TYPES)
    refund = schema["webhooks"]["payment.refunded"]["post"]
    assert {p["name"] for p in refund["parameters"]} == {"Hotel-Signature", "Hotel-Event-Id", "Hotel-Event-Type"}
    body = refund["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = schema["components"]["schemas"]
    assert set(components[body]["properties"]) == {"id", "type", "created", "api_version", "data"}
    assert components[body]["properties"]["type"]["const"] == "payment.refunded"
    data = components[body]["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[data]["properties"]) == {"booking", "payment"}
    assert {"/api/v1/webhooks/endpoints", "/api/v1/webhooks/endpoints/{endpoint_id}/replay",
            "/api/v1/webhooks/deliveries/{delivery_id}/replay"} <= set(schema["paths"])


@pytest.mark.django_db
def test_the_served_schema_has_the_webhooks(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "reservation.created" in response.json()["webhooks"]
