"""GDPR part of billing: what is held about a resident, money owed, and erasure.

Bookkeeping records (invoices, payments, the usage ledger) are kept 6 years (Finnish Accounting Act);
erasure keeps their amounts and dates and drops what identifies the person beyond the (anonymised) user id.
"""
import stripe
from django.db import transaction
from django.db.models import F

from billing import stripe_api
from billing.models import BillingAccount, Invoice, Payment, Subscription, UsageRecord
from maas.accounts.privacy.rows import rows

OWED_INVOICE_STATUSES = ("open", "uncollectible")


def export_for(user):
    return {
        "billing.BillingAccount": rows(BillingAccount.objects.filter(user=user)),
        "billing.Subscription": rows(Subscription.objects.filter(user=user)),
        "billing.Invoice": rows(Invoice.objects.filter(user=user)),
        "billing.Payment": rows(Payment.objects.filter(user=user), exclude=("idempotency_key",)),
        "billing.UsageRecord": rows(UsageRecord.objects.filter(user=user)),
    }


def money_owed(user):
    """Open amounts: unpaid invoices and past-due subscriptions, as [{"kind", "id", "amount_cents"}]."""
    owed = [{"kind": "invoice", "id": inv.stripe_invoice_id, "amount_cents": inv.total_cents - inv.amount_paid_cents}
            for inv in Invoice.objects.filter(user=user, status__in=OWED_INVOICE_STATUSES,
                                              total_cents__gt=F("amount_paid_cents"))]
    owed += [{"kind": "subscription", "id": sub.stripe_subscription_id, "amount_cents": None}
             for sub in Subscription.objects.filter(user=user, status="past_due")]
    return owed


def erase_for(user):
    """Delete the Stripe customer (which ends its subscriptions there), end local subscriptions, keep the ledger."""
    account = BillingAccount.objects.filter(user=user).first()
    if account is not None:
        with stripe_api.stripe_errors():
            try:
                stripe_api.client().v1.customers.delete(account.stripe_customer_id)
            except stripe.InvalidRequestError as exc:  # already gone at Stripe: nothing left to delete
                if not stripe_api.is_not_found(exc):
                    raise
    with transaction.atomic():
        Subscription.objects.filter(user=user).exclude(status="canceled").update(
            status="canceled", cancel_at_period_end=False)
        BillingAccount.objects.filter(user=user).delete()
