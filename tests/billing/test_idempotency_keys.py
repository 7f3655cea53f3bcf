"""Every Stripe write made by billing carries our own, deterministic idempotency key."""
import re

import stripe
import stripe._stripe_client as stripe_client_module

from billing import services

OUR_KEYS = re.compile(r"^(customer|setup-intent|attach|default-pm|product|plan|subscribe|change|cancel-at-end|"
                      r"authorize|capture|cancel|refund):")


class RecordingClient(stripe.RequestsClient):
    calls = []

    def request(self, method, url, headers, post_data=None):
        RecordingClient.calls.append((method.upper(), url, (headers or {}).get("Idempotency-Key")))
        return super().request(method, url, headers, post_data)


def test_every_write_has_an_idempotency_key(localstripe, billing_plans, resident_client, monkeypatch):
    from tests.billing.conftest import add_card

    RecordingClient.calls = []
    monkeypatch.setattr(stripe_client_module, "new_default_http_client", lambda **kw: RecordingClient(**kw))
    add_card(resident_client)
    user = resident_client.resident.user
    services.subscribe(user, "urban")
    services.change_plan(user, "unlimited")
    services.cancel_subscription(user)
    services.resume_subscription(user)
    payment = services.authorize_payment(user, amount_cents=295, idempotency_key="k-1", description="Ticket")
    payment = services.capture_payment(payment, 295)
    services.refund_payment(payment, 95)
    writes = [(url, key) for method, url, key in RecordingClient.calls
              if method == "POST" and not url.endswith("/confirm")]   # /confirm is Stripe.js's call in the app
    assert len(writes) >= 14
    assert [w for w in writes if not (w[1] and OUR_KEYS.match(w[1]))] == []
    assert ("authorize:k-1" in {key for _url, key in writes})
