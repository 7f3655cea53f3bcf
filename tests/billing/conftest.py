"""Billing fixtures: the plans fixture loaded, residents with a saved card on localstripe."""
from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Subscription
from billing.stripe_api import client


def add_card(api_client, payment_method="pm_card_visa"):
    """The app's card flow: SetupIntent from our API, confirmed as Stripe.js would, then saved."""
    response = api_client.post("/api/v1/billing/payment-methods/setup-intent")
    assert response.status_code == 201, response.content
    intent_id = response.json()["id"]
    client().v1.setup_intents.confirm(intent_id, params={"payment_method": payment_method})
    response = api_client.post("/api/v1/billing/payment-methods", {"setup_intent": intent_id}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["default_payment_method"]


@pytest.fixture
def carded_client(localstripe, billing_plans, resident_client):
    """An authenticated resident with a default card on localstripe."""
    resident_client.payment_method = add_card(resident_client)
    return resident_client


@pytest.fixture
def subscribe_locally(billing_plans):
    """Give a user a live subscription row without Stripe (for pricing-only tests)."""
    counter = {"n": 0}

    def make(user, code):
        counter["n"] += 1
        now = timezone.now()
        return Subscription.objects.create(
            user=user, plan=billing_plans[code], stripe_subscription_id=f"sub_local_{user.pk}_{counter['n']}",
            status="active", current_period_start=now - timedelta(days=3),
            current_period_end=now + timedelta(days=27),
        )

    return make
