"""Signed but malformed events of handled types are 400 invalid_event (were 500s) and record nothing;
signatures timestamped further ahead than the tolerance are refused like stale ones."""
import json
import time

import pytest
from django.test import override_settings

from billing.models import BillingAccount, Invoice, WebhookEvent
from tests.api_fuzz.helpers import assert_envelope
from tests.stripe_server import WEBHOOK_SECRET, sign_webhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhook_secret")]
URL = "/api/v1/billing/webhooks/stripe"


@pytest.fixture
def webhook_secret():
    with override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
        yield


def _post(client, doc, timestamp=None):
    payload = json.dumps(doc).encode()
    return client.post(URL, payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=sign_webhook(payload, WEBHOOK_SECRET, timestamp=timestamp))


def _event(event_type, obj, event_id="evt_h1"):
    return {"id": event_id, "type": event_type, "created": int(time.time()), "data": {"object": obj}}


@pytest.mark.parametrize("event_type", ["customer.subscription.updated", "invoice.paid", "payment_intent.succeeded"])
def test_handled_event_without_an_object_id(client, event_type):
    error = assert_envelope(_post(client, _event(event_type, {"customer": "cus_x"})), 400, "invalid_event")
    assert error["details"] == {"field": "data.object.id"}
    assert not WebhookEvent.objects.exists()


def test_invoice_line_amount_that_is_not_a_number(client, resident):
    BillingAccount.objects.create(user=resident.user, stripe_customer_id="cus_hostile")
    invoice = {"id": "in_hostile", "customer": "cus_hostile", "status": "paid", "total": 100,
               "lines": {"data": [{"description": "x", "amount": "x"}]}}
    error = assert_envelope(_post(client, _event("invoice.paid", invoice)), 400, "invalid_event")
    assert error["details"] == {"field": "data.object"}
    assert not WebhookEvent.objects.exists() and not Invoice.objects.exists()


@pytest.mark.parametrize("ahead_s, status", [(3600, 400), (301 + 5, 400), (10, 200)])
def test_signature_timestamps_in_the_future(client, ahead_s, status):
    response = _post(client, _event("customer.created", {"id": "cus_1"}, event_id=f"evt_f{ahead_s}"),
                     timestamp=int(time.time()) + ahead_s)
    assert response.status_code == status, response.content
    if status == 400:
        assert response.json()["error"]["code"] == "invalid_signature"
        assert not WebhookEvent.objects.exists()
