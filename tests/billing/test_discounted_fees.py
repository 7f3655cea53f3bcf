"""Plan fees with a discount group: the subscription is charged the discounted fee; a lapsed grant restores it."""
from datetime import timedelta

from django.utils import timezone

from billing.models import Invoice
from billing.repricing import reprice_subscriptions
from billing.stripe_api import client, subscription_plan_id
from maas.accounts.models import DiscountGrant, DiscountGroup


def test_student_subscribes_at_half_fee_and_a_lapsed_grant_restores_it(carded_client):
    today = timezone.localdate()
    student = DiscountGroup.objects.get(code="student")
    grant = DiscountGrant.objects.create(resident=carded_client.resident, group=student, valid_from=today,
                                         valid_until=today + timedelta(days=30), proof_note="card")
    response = carded_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
    assert response.status_code == 201, response.content
    subscription = carded_client.resident.user.subscriptions.get()
    stripe_sub = client().v1.subscriptions.retrieve(subscription.stripe_subscription_id)
    assert subscription_plan_id(stripe_sub) == "maas-urban-3495-month"
    assert Invoice.objects.get(user=carded_client.resident.user).total_cents == 3495
    assert reprice_subscriptions() == []  # nothing to move while the grant holds

    DiscountGrant.objects.filter(pk=grant.pk).update(valid_until=today - timedelta(days=1))
    assert reprice_subscriptions() == [subscription.pk]
    stripe_sub = client().v1.subscriptions.retrieve(subscription.stripe_subscription_id)
    assert subscription_plan_id(stripe_sub) == "maas-urban-6990-month"
    assert reprice_subscriptions() == []
