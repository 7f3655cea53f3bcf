"""POST /api/v1/billing/webhooks/stripe: signatures, exactly-once, out-of-order, unknown types.

Events are real localstripe objects (subscriptions, invoices, events), signed the way Stripe signs.
"""
import json
import time

import pytest

from billing.models import Invoice, Subscription, WebhookEvent
from billing.stripe_api import client
from tests.stripe_server import WEBHOOK_SECRET, sign_webhook

URL = "/api/v1/billing/webhooks/stripe"


def deliver(api_client, event, secret=WEBHOOK_SECRET, signature=None):
    payload = json.dumps(event).encode()
    return api_client.post(URL, data=payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=signature or sign_webhook(payload, secret))


def event_for(obj, event_type, created, event_id):
    return {"id": event_id, "object": "event", "type": event_type, "created": created, "api_version": "2017-08-15",
            "livemode": False, "data": {"object": obj}}


@pytest.fixture
def subscribed(carded_client):
    response = carded_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
    assert response.status_code == 201
    subscription = Subscription.objects.get(user=carded_client.resident.user)
    carded_client.subscription = subscription
    return carded_client


def remote_subscription(subscription, **changes):
    obj = client().v1.subscriptions.retrieve(subscription.stripe_subscription_id).to_dict()
    obj.update(changes)
    return obj


def test_same_event_ten_times_has_one_effect(subscribed, api_client):
    user = subscribed.resident.user
    events = client().v1.events.list(params={"type": "invoice.payment_succeeded", "limit": 100}).data
    customer = user.billing_account.stripe_customer_id
    event = next(e for e in events if e.data.object.customer == customer).to_dict()
    Invoice.objects.filter(user=user).delete()          # the webhook alone must bring it back

    outcomes = [deliver(api_client, event) for _ in range(10)]
    assert [r.status_code for r in outcomes] == [200] * 10
    assert [r.json()["outcome"] for r in outcomes] == ["applied"] + ["duplicate"] * 9
    assert WebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    invoices = Invoice.objects.filter(user=user)
    assert [(i.status, i.total_cents) for i in invoices] == [("paid", 6990)]


def test_state_change_event_ten_times(subscribed, api_client):
    sub = subscribed.subscription
    event = event_for(remote_subscription(sub, cancel_at_period_end=True), "customer.subscription.updated",
                      int(time.time()) + 60, "evt_cancel_once")
    for _ in range(10):
        assert deliver(api_client, event).status_code == 200
    assert WebhookEvent.objects.filter(event_id="evt_cancel_once", applied=True).count() == 1
    sub.refresh_from_db()
    assert sub.cancel_at_period_end is True
    assert sub.state_version == event["created"]


def test_bad_signature_is_400_and_changes_nothing(subscribed, api_client):
    sub = subscribed.subscription
    event = event_for(remote_subscription(sub, status="canceled"), "customer.subscription.deleted",
                      int(time.time()) + 60, "evt_forged")
    before = (sub.status, sub.state_version, Invoice.objects.count())
    for response in (deliver(api_client, event, secret="whsec_wrong"),
                     deliver(api_client, event, signature="t=1,v1=deadbeef"),
                     api_client.post(URL, data=json.dumps(event), content_type="application/json")):
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_signature"
    sub.refresh_from_db()
    assert (sub.status, sub.state_version, Invoice.objects.count()) == before
    assert not WebhookEvent.objects.exists()

    # a correctly signed but old (replayed) delivery is refused too: 300 s tolerance
    payload = json.dumps(event).encode()
    stale = sign_webhook(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)
    assert deliver(api_client, event, signature=stale).status_code == 400
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize("order", ["newer_first", "in_order"])
def test_out_of_order_updates_end_in_newer_state(subscribed, api_client, order):
    sub = subscribed.subscription
    base = int(time.time()) + 100
    older = event_for(remote_subscription(sub, cancel_at_period_end=False, status="past_due"),
                      "customer.subscription.updated", base, f"evt_old_{order}")
    newer = event_for(remote_subscription(sub, cancel_at_period_end=True, status="active"),
                      "customer.subscription.updated", base + 5, f"evt_new_{order}")
    sequence = [newer, older] if order == "newer_first" else [older, newer]
    outcomes = [deliver(api_client, e).json()["outcome"] for e in sequence]
    assert outcomes == (["applied", "ignored"] if order == "newer_first" else ["applied", "applied"])
    sub.refresh_from_db()
    assert (sub.status, sub.cancel_at_period_end, sub.state_version) == ("active", True, base + 5)
    assert WebhookEvent.objects.get(event_id=f"evt_old_{order}").applied is (order == "in_order")


def test_deleted_event_ends_entitlements(subscribed, api_client):
    from billing import selectors

    sub = subscribed.subscription
    event = event_for(remote_subscription(sub, status="canceled"), "customer.subscription.deleted",
                      int(time.time()) + 60, "evt_deleted")
    assert deliver(api_client, event).json()["outcome"] == "applied"
    sub.refresh_from_db()
    assert sub.status == "canceled"
    price = selectors.price_itinerary(subscribed.resident.user, {"legs": [
        {"mode": "tram", "start_time": "2026-11-25T08:00:00+02:00", "duration_s": 600, "zones": ["A"]}]})
    assert (price["plan"], price["charge_cents"]) == (None, 295)


def test_unknown_type_is_acknowledged(db, api_client):
    event = event_for({"id": "cus_x", "object": "customer"}, "customer.tax_id.created", int(time.time()), "evt_u")
    response = deliver(api_client, event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert WebhookEvent.objects.get(event_id="evt_u").applied is False


def test_payment_intent_events_update_payments(carded_client, api_client):
    from billing import services

    payment = services.authorize_payment(carded_client.resident.user, amount_cents=450, idempotency_key="wh-1",
                                         description="Scooter")
    intent = client().v1.payment_intents.capture(payment.stripe_payment_intent_id).to_dict()
    event = event_for(intent, "payment_intent.succeeded", int(time.time()), "evt_pi_ok")
    assert deliver(api_client, event).json()["outcome"] == "applied"
    payment.refresh_from_db()
    assert (payment.status, payment.captured_cents) == ("succeeded", 450)
    late = event_for({**intent, "status": "canceled"}, "payment_intent.canceled", int(time.time()), "evt_pi_x")
    assert deliver(api_client, late).json()["outcome"] == "ignored"      # succeeded is final
    payment.refresh_from_db()
    assert payment.status == "succeeded"
