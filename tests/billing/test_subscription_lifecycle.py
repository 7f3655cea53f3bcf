"""Full subscription lifecycle through the resident API against localstripe."""
from billing.models import Invoice, Subscription
from billing.stripe_api import client
from tests.billing.conftest import add_card


def test_plans_are_public_with_vat(billing_plans, api_client):
    response = api_client.get("/api/v1/billing/plans")
    assert response.status_code == 200
    plans = {p["code"]: p for p in response.json()}
    assert list(plans) == ["payg", "urban", "unlimited"]
    assert (plans["urban"]["price_cents"], plans["urban"]["vat_cents"], plans["urban"]["vat_rate_percent"]) == \
        (6990, 831, "13.5")
    assert plans["unlimited"]["price_cents"] == 29900
    bike = next(e for e in plans["urban"]["entitlements"] if e["category"] == "city_bike")
    assert (bike["rides_per_period"], bike["max_ride_minutes"]) == (20, 30)


def test_subscribe_needs_a_card(localstripe, billing_plans, resident_client):
    response = resident_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "payment_method_required"
    assert not Subscription.objects.exists()


def test_unknown_plan_is_404(carded_client):
    response = carded_client.post("/api/v1/billing/subscription", {"plan": "gold"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_plan"


def test_full_lifecycle(carded_client):
    stripe = client()
    user = carded_client.resident.user

    # subscribe: Stripe subscription active, first invoice paid (69.90 EUR)
    response = carded_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()["subscription"]
    assert (body["plan"]["code"], body["status"], body["cancel_at_period_end"]) == ("urban", "active", False)
    local = Subscription.objects.get(user=user)
    remote = stripe.v1.subscriptions.retrieve(local.stripe_subscription_id)
    assert remote.status == "active"
    assert remote["items"].data[0].plan.id == "maas-urban-6990-month"
    assert remote["items"].data[0].plan.amount == 6990
    invoices = carded_client.get("/api/v1/billing/invoices").json()
    assert [(i["status"], i["total_cents"], i["amount_paid_cents"]) for i in invoices] == [("paid", 6990, 6990)]
    assert (invoices[0]["vat_cents"], invoices[0]["vat_rate_percent"]) == (831, "13.5")   # 69.90 incl. 13.5 %

    # a second subscribe is refused
    again = carded_client.post("/api/v1/billing/subscription", {"plan": "unlimited"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_subscribed"

    # a pricing call now sees the plan
    quote = carded_client.post("/api/v1/billing/quote", {"itinerary": {"legs": [
        {"mode": "metro", "start_time": "2026-11-25T08:00:00+02:00", "duration_s": 480, "zones": ["A"]}]}},
        format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (quote["charge_cents"], quote["covered_cents"], quote["label"]) == (0, 295, "Covered by your Urban plan")

    # upgrade with proration: the difference is invoiced and paid at once
    response = carded_client.post("/api/v1/billing/subscription/change", {"plan": "unlimited"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["subscription"]["plan"]["code"] == "unlimited"
    remote = stripe.v1.subscriptions.retrieve(local.stripe_subscription_id)
    assert remote["items"].data[0].plan.id == "maas-unlimited-29900-month"
    proration = Invoice.objects.filter(user=user).order_by("-total_cents").first()
    # localstripe credits the whole unused 69.90 (it does not prorate by time); real Stripe prorates by seconds
    assert proration.total_cents == 29900 - 6990
    assert proration.status == "paid"
    assert {line["amount_cents"] for line in proration.lines} == {29900, -6990}

    # downgrade back: no immediate charge (the credit waits for the next invoice)
    count = Invoice.objects.filter(user=user).count()
    response = carded_client.post("/api/v1/billing/subscription/change", {"plan": "urban"}, format="json")
    assert response.status_code == 200
    assert Subscription.objects.get(pk=local.pk).plan.code == "urban"
    assert Invoice.objects.filter(user=user).count() == count

    # cancel at period end, then resume
    response = carded_client.post("/api/v1/billing/subscription/cancel")
    assert response.json()["subscription"]["cancel_at_period_end"] is True
    assert stripe.v1.subscriptions.retrieve(local.stripe_subscription_id).cancel_at_period_end is True
    assert carded_client.get("/api/v1/billing/subscription").json()["subscription"]["status"] == "active"
    response = carded_client.post("/api/v1/billing/subscription/resume")
    assert response.json()["subscription"]["cancel_at_period_end"] is False
    assert stripe.v1.subscriptions.retrieve(local.stripe_subscription_id).cancel_at_period_end is False

    # usage for the period is reported against the current plan
    usage = carded_client.get("/api/v1/billing/usage").json()
    assert usage["plan"] == "urban"


def test_change_without_plan_is_404(carded_client):
    response = carded_client.post("/api/v1/billing/subscription/change", {"plan": "urban"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "no_subscription"


def test_setup_intent_of_someone_else_is_refused(localstripe, billing_plans, make_resident, resident_client):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(make_resident().user).access_token}")
    intent = other.post("/api/v1/billing/payment-methods/setup-intent").json()["id"]
    client().v1.setup_intents.confirm(intent, params={"payment_method": "pm_card_visa"})
    response = resident_client.post("/api/v1/billing/payment-methods", {"setup_intent": intent}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_setup_intent"
    assert add_card(resident_client).startswith("pm_")


def test_declined_first_payment_gives_no_plan(localstripe, billing_plans, resident_client):
    add_card(resident_client, "pm_card_chargeCustomerFail")
    response = resident_client.post("/api/v1/billing/subscription", {"plan": "urban"}, format="json")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "subscription_payment_failed"
    user = resident_client.resident.user
    assert Subscription.objects.get(user=user).status == "incomplete"
    from billing import selectors

    assert selectors.live_subscription(user) is None
    assert resident_client.get("/api/v1/billing/usage").json()["plan"] is None


def test_payg_is_not_a_subscription_and_quote_validates(carded_client):
    response = carded_client.post("/api/v1/billing/subscription", {"plan": "payg"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "plan_is_payg")
    response = carded_client.post("/api/v1/billing/quote", {"itinerary": {"legs": "metro"}}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (400, "validation_error")
    for path in ("subscription/cancel", "subscription/resume"):
        response = carded_client.post(f"/api/v1/billing/{path}")
        assert (response.status_code, response.json()["error"]["code"]) == (404, "no_subscription")
    assert carded_client.get("/api/v1/billing/subscription").json() == {"subscription": None}


def test_resident_endpoints_need_login(billing_plans, api_client):
    for path in ("subscription", "usage", "invoices"):
        assert api_client.get(f"/api/v1/billing/{path}").status_code == 401


def test_admin_lists_billing_models(billing_plans, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456-xyz")
    client.force_login(admin)
    for model in ("plan", "tariff", "subscription", "usagerecord", "payment", "invoice", "webhookevent"):
        assert client.get(f"/admin/billing/{model}/").status_code == 200, model
    urban = billing_plans["urban"]
    page = client.get(f"/admin/billing/plan/{urban.pk}/change/")
    assert page.status_code == 200 and b"city_bike" in page.content
