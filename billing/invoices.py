"""Billing writes for invoices: the local mirror of Stripe invoices."""
from django.db import transaction

from billing import stripe_api
from billing.customers import ensure_customer
from billing.models import BillingAccount, Invoice
from billing.stripe_api import CURRENCY, client, stripe_errors

INVOICE_STATUS_RANK = {"draft": 0, "open": 1, "paid": 2, "void": 2, "uncollectible": 2}


def apply_invoice(obj):
    """Upsert the local mirror of a Stripe invoice; None when the customer is unknown."""
    with transaction.atomic():
        account = BillingAccount.objects.select_for_update().filter(
            stripe_customer_id=stripe_api.get(obj, "customer")).first()
        if account is None or not str(obj["id"]).startswith("in_"):
            return None
        return _upsert_invoice(account, obj)


def _upsert_invoice(account, obj):
    existing = Invoice.objects.filter(stripe_invoice_id=obj["id"]).first()
    status = stripe_api.get(obj, "status", "")
    if existing and INVOICE_STATUS_RANK.get(status, 0) < INVOICE_STATUS_RANK.get(existing.status, 0):
        return None  # an older event (e.g. invoice.created after invoice.paid) never rolls back the status
    lines = [{"description": stripe_api.get(line, "description", ""), "amount_cents": int(line["amount"])}
             for line in stripe_api.get(stripe_api.get(obj, "lines", {}), "data", [])]
    invoice, _created = Invoice.objects.update_or_create(
        stripe_invoice_id=obj["id"],
        defaults=dict(
            user=account.user, stripe_subscription_id=stripe_api.invoice_subscription_id(obj) or "",
            status=status, currency=stripe_api.get(obj, "currency", CURRENCY),
            total_cents=int(stripe_api.get(obj, "total", 0)),
            amount_paid_cents=int(stripe_api.get(obj, "amount_paid", 0)),
            tax_cents=stripe_api.invoice_tax(obj), period_start=stripe_api.ts(stripe_api.get(obj, "period_start")),
            period_end=stripe_api.ts(stripe_api.get(obj, "period_end")), lines=lines,
            stripe_created=stripe_api.ts(stripe_api.get(obj, "created")),
        ),
    )
    return invoice


def sync_invoices(user):
    """Refresh the user's invoice mirrors from Stripe."""
    account = ensure_customer(user)
    with stripe_errors():
        invoices = client().v1.invoices.list(params={"customer": account.stripe_customer_id, "limit": 100})
    return [apply_invoice(obj) for obj in invoices.data]
