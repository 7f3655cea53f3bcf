"""Billing writes, the public write API other apps import.

Each write lives in a module named for what it holds: customers (Stripe customer, payment method),
invoices, subscriptions (plans, subscriptions), usage (entitlement ledger) and payments (manual capture).
Prices (reads) are billing.selectors.price_itinerary(ies).
"""
from billing.customers import create_setup_intent, ensure_customer, save_payment_method
from billing.invoices import apply_invoice, sync_invoices
from billing.payments import authorize_payment, cancel_payment, capture_payment, refund_payment
from billing.subscriptions import (
    apply_subscription_state,
    cancel_subscription,
    change_plan,
    resume_subscription,
    subscribe,
    sync_stripe_plan,
)
from billing.usage import record_usage

__all__ = [
    "apply_invoice", "apply_subscription_state", "authorize_payment", "cancel_payment", "cancel_subscription",
    "capture_payment", "change_plan", "create_setup_intent", "ensure_customer", "record_usage", "refund_payment",
    "resume_subscription", "save_payment_method", "subscribe", "sync_invoices", "sync_stripe_plan",
]
