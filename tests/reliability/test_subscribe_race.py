"""Ten parallel subscribes of one resident: one Stripe subscription, one charge, nine 409s."""
import pytest
from rest_framework.test import APIClient

from billing.models import BillingAccount, Subscription
from billing.stripe_api import client
from tests.support.threads import run_concurrently

PARALLEL = 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_keys", [True, False], ids=["own-idempotency-keys", "no-keys"])
def test_parallel_subscribes_charge_once(carded_client, with_keys):
    user = carded_client.resident.user
    auth = carded_client._credentials["HTTP_AUTHORIZATION"]

    def subscribe(n):  # built here, run in its own thread
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=auth)
        headers = {"HTTP_IDEMPOTENCY_KEY": f"race-{with_keys}-{n}"} if with_keys else {}
        return lambda: api.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json", **headers)

    responses = run_concurrently([subscribe(n) for n in range(PARALLEL)])
    assert not [r for r in responses if isinstance(r, Exception)], responses
    answers = [(response.status_code, response.json()) for response in responses]

    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [409] * (PARALLEL - 1), answers
    assert {body["error"]["code"] for status, body in answers if status == 409} == {"already_subscribed"}
    customer = BillingAccount.objects.get(user=user).stripe_customer_id
    stripe = client()
    subscriptions = stripe.v1.subscriptions.list(params={"customer": customer}).data
    assert len(subscriptions) == 1
    paid = [i for i in stripe.v1.invoices.list(params={"customer": customer}).data if i.status == "paid"]
    assert [i.amount_paid for i in paid] == [6990]
    assert Subscription.objects.filter(user=user).count() == 1
