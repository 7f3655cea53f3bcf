"""The OpenAPI schema documents the error envelope for 4XX/5XX and the real success bodies."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ENVELOPE_REF = "#/components/schemas/ErrorEnvelope"


def _schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def _json_schema(response_object):
    return response_object["content"]["application/json"]["schema"]


def test_error_envelope_component(client):
    components = _schema(client)["components"]["schemas"]
    envelope = components["ErrorEnvelope"]
    assert envelope["required"] == ["error"]
    error = components[envelope["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(error["properties"]) == {"code", "message", "details"}
    assert set(error["required"]) == {"code", "message", "details"}
    assert error["properties"]["details"].get("nullable") is True


@pytest.mark.parametrize("method, path", [
    ("post", "/api/v1/auth/signup"), ("post", "/api/v1/auth/token"), ("post", "/api/v1/auth/token/refresh"),
    ("get", "/api/v1/me"), ("post", "/api/v1/billing/quote"), ("get", "/api/v1/billing/subscription"),
    ("post", "/api/v1/billing/webhooks/stripe"), ("post", "/api/v1/providers/{provider_id}/availability"),
    ("get", "/api/v1/stations"), ("get", "/api/v1/vehicles"),
])
def test_accounts_billing_providers_document_4xx_5xx_envelope(client, method, path):
    responses = _schema(client)["paths"][path][method]["responses"]
    assert _json_schema(responses["4XX"]) == {"$ref": ENVELOPE_REF}
    assert _json_schema(responses["5XX"]) == {"$ref": ENVELOPE_REF}


def test_success_bodies_are_the_real_shapes(client):
    schema = _schema(client)
    paths, components = schema["paths"], schema["components"]["schemas"]
    # {"subscription": Subscription | null}, not a bare Subscription (was documented as the latter).
    body = components["SubscriptionBody"]
    assert body["properties"]["subscription"]["nullable"] is True
    assert _json_schema(paths["/api/v1/billing/subscription"]["get"]["responses"]["200"])["$ref"].endswith(
        "/SubscriptionBody")
    assert "201" in paths["/api/v1/billing/payment-methods/setup-intent"]["post"]["responses"]
    signup = components["SignupResponse"]
    assert {"access", "refresh", "email", "household"} <= set(signup["properties"])
    assert signup["properties"]["household"]["nullable"] is True


def test_near_radius_kind_are_constrained(client):
    params = {p["name"]: p["schema"] for p in _schema(client)["paths"]["/api/v1/stations"]["get"]["parameters"]}
    assert params["radius"] == {"type": "integer", "minimum": 1, "maximum": 5000}
    assert "scooter" in params["kind"]["enum"]
    assert params["near"]["pattern"]


def test_as_the_default_schema_class_it_documents_every_operation(client):
    """REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] is maas.api.schema.ErrorEnvelopeAutoSchema: every API
    operation of every app documents the envelope."""
    assert settings.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] == "maas.api.schema.ErrorEnvelopeAutoSchema"
    paths = _schema(client)["paths"]
    operations = [(p, m, op) for p, item in paths.items() for m, op in item.items()]
    assert len(operations) > 30
    missing = [f"{m.upper()} {p}" for p, m, op in operations if op["responses"].get("4XX") is None]
    assert missing == []
    bookings = paths["/api/v1/bookings"]["post"]["responses"]
    assert _json_schema(bookings["4XX"]) == {"$ref": ENVELOPE_REF} and "201" in bookings
