"""Signed but malformed Stripe webhook payloads are 400 invalid_event naming the field (they were 500s:
KeyError 'id'/'type'/'data', list payloads, a 500-character id overflowing WebhookEvent.event_id)."""
import json

import pytest
from django.test import override_settings

from billing.models import WebhookEvent
from tests.api_fuzz.helpers import assert_envelope
from tests.stripe_server import WEBHOOK_SECRET, sign_webhook

pytestmark = pytest.mark.django_db


def _post(client, doc):
    payload = json.dumps(doc).encode()
    return client.post("/api/v1/billing/webhooks/stripe", payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign_webhook(payload, WEBHOOK_SECRET))


@override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
@pytest.mark.parametrize("doc, field", [
    ({}, "id"), ([], "body"), ("x", "body"), ({"id": 5}, "id"), ({"id": "evt_f1"}, "type"),
    ({"id": "evt_f2", "type": 5}, "type"), ({"id": "evt_f3", "type": "invoice.paid"}, "data.object"),
    ({"id": "evt_f4", "type": "invoice.paid", "data": []}, "data.object"),
    ({"id": "evt_f5", "type": "invoice.paid", "data": {"object": "x"}}, "data.object"),
    ({"id": ["x"], "type": "invoice.paid", "data": {"object": {}}}, "id"),
    ({"id": "e" * 101, "type": "invoice.paid", "data": {"object": {}}}, "id"),
    ({"id": "evt_f6", "type": "invoice.paid", "created": "yesterday", "data": {"object": {}}}, "created"),
])
def test_signed_malformed_event_is_invalid_event(client, doc, field):
    error = assert_envelope(_post(client, doc), 400, "invalid_event")
    assert error["details"] == {"field": field}
    assert WebhookEvent.objects.count() == 0


@override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
def test_well_formed_unknown_event_is_still_acknowledged(client):
    response = _post(client, {"id": "evt_ok", "type": "customer.created", "created": 1, "data": {"object": {}}})
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "event": "evt_ok", "outcome": "ignored"}
    assert WebhookEvent.objects.filter(event_id="evt_ok", applied=False).count() == 1


@override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
@pytest.mark.parametrize("language, message", [
    ("fi", "Webhookin sisältö ei ole Stripe-tapahtuma."),
    ("sv", "Webhookens innehåll är inte en Stripe-händelse."),
])
def test_invalid_event_message_is_translated(client, language, message):
    payload = json.dumps({}).encode()
    response = client.post("/api/v1/billing/webhooks/stripe", payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=sign_webhook(payload, WEBHOOK_SECRET),
                           HTTP_ACCEPT_LANGUAGE=language)
    assert assert_envelope(response, 400, "invalid_event")["message"] == message
