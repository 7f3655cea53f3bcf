"""End to end: localstripe itself delivers signed webhooks to a live server running this app."""
import time

from billing.models import Invoice, Subscription, WebhookEvent


def test_localstripe_delivers_events_once(transactional_db, live_server, localstripe, carded_client):
    hook = "billing-live-test"
    localstripe.register_webhook(hook, live_server.url + "/api/v1/billing/webhooks/stripe")
    try:
        response = carded_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
        assert response.status_code == 201
        subscription = Subscription.objects.get(user=carded_client.resident.user)
        Invoice.objects.all().delete()       # must come back through the delivered invoice events
        applied = WebhookEvent.objects.filter(applied=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if (Invoice.objects.filter(user=subscription.user, status="paid").exists()
                    and applied.filter(type="customer.subscription.created").exists()):
                break
            time.sleep(0.3)
    finally:
        localstripe.register_webhook(hook, live_server.url + "/api/v1/billing/webhooks/stripe",
                                     events=["none.disabled"])
    assert {"customer.subscription.created", "invoice.payment_succeeded"} <= set(
        applied.values_list("type", flat=True))
    assert [(i.status, i.total_cents) for i in Invoice.objects.filter(user=subscription.user)] == [("paid", 6990)]
    subscription.refresh_from_db()
    assert subscription.status == "active"
