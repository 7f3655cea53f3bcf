"""GET /billing/invoices reads VAT rates in one query, however many invoices there are (was one per invoice)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.models import Invoice, Subscription


@pytest.mark.django_db
def test_invoice_list_query_count_does_not_grow_with_invoices(resident_client, billing_plans):
    user = resident_client.resident.user
    now = timezone.now()
    subscription = Subscription.objects.create(
        user=user, plan=billing_plans["urban"], stripe_subscription_id="sub_n1", status="active",
        current_period_start=now, current_period_end=now)

    def counted():
        with CaptureQueriesContext(connection) as queries:
            response = resident_client.get("/api/v1/billing/invoices")
        assert response.status_code == 200
        return len(queries), response.json()

    def add(n):
        for i in range(n):
            Invoice.objects.create(user=user, stripe_invoice_id=f"in_{Invoice.objects.count()}_{i}",
                                   stripe_subscription_id=subscription.stripe_subscription_id, status="paid",
                                   total_cents=6990, amount_paid_cents=6990, lines=[])

    add(1)
    one, body = counted()
    add(9)
    ten, body = counted()
    assert ten == one and len(body) == 10
    assert {row["vat_rate_percent"] for row in body} == {"13.5"}  # fixtures/billing/plans.json: urban 1350 bp
