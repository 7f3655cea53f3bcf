"""Billing writes for customers: the Stripe customer and the default payment method."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from billing import stripe_api
from billing.models import BillingAccount
from billing.stripe_api import client, idem, stripe_errors
from maas.api.errors import ApiError, Conflict


def lock_user(user):
    """Serialize billing writes of one user (row lock on the user)."""
    get_user_model().objects.select_for_update().get(pk=user.pk)


def ensure_customer(user):
    """The user's BillingAccount, creating the Stripe customer on first use."""
    account = BillingAccount.objects.filter(user=user).first()
    if account:
        return account
    with transaction.atomic():
        lock_user(user)
        account = BillingAccount.objects.filter(user=user).first()
        if account:
            return account
        with stripe_errors():
            customer = client().v1.customers.create(
                params={"email": user.email or user.get_username(), "metadata": {"user_id": str(user.pk)}},
                options=idem(f"customer:{user.pk}"),
            )
        return BillingAccount.objects.create(user=user, stripe_customer_id=customer.id)


def create_setup_intent(user, *, idempotency_key):
    """A SetupIntent for saving a card off-session; the app confirms it with Stripe.js."""
    account = ensure_customer(user)
    with stripe_errors():
        intent = client().v1.setup_intents.create(
            params={"customer": account.stripe_customer_id, "usage": "off_session",
                    "metadata": {"user_id": str(user.pk)}},
            options=idem(f"setup-intent:{user.pk}:{idempotency_key}"),
        )
    return {"id": intent.id, "client_secret": intent.client_secret, "status": intent.status}


def _setup_intent_or_none(stripe, setup_intent_id):
    """The SetupIntent, or None when Stripe has none of that id (a well-formed id names no intent: 404)."""
    try:
        return stripe.v1.setup_intents.retrieve(setup_intent_id)
    except Exception as exc:
        if stripe_api.is_not_found(exc):
            return None
        raise


def save_payment_method(user, setup_intent_id):
    """Make the payment method of a succeeded SetupIntent the user's default."""
    account = ensure_customer(user)
    stripe = client()
    with stripe_errors():
        intent = _setup_intent_or_none(stripe, setup_intent_id)
    if intent is None or intent.customer != account.stripe_customer_id:
        raise ApiError(_("Unknown setup intent."), code="unknown_setup_intent", status_code=404)
    if intent.status != "succeeded" or not intent.payment_method:
        raise Conflict(_("The payment method is not confirmed yet."), code="setup_intent_not_succeeded",
                       details={"status": intent.status})
    pm_id = stripe_api.get(intent.payment_method, "id") or intent.payment_method
    with stripe_errors():
        method = stripe.v1.payment_methods.retrieve(pm_id)
        if not method.customer:
            stripe.v1.payment_methods.attach(pm_id, params={"customer": account.stripe_customer_id},
                                             options=idem(f"attach:{pm_id}"))
        stripe.v1.customers.update(
            account.stripe_customer_id, params={"invoice_settings": {"default_payment_method": pm_id}},
            options=idem(f"default-pm:{account.stripe_customer_id}:{pm_id}"),
        )
    account.default_payment_method = pm_id
    account.save(update_fields=["default_payment_method"])
    return account


def account_with_card(user):
    """The user's BillingAccount; 402 when no default payment method is saved."""
    account = ensure_customer(user)
    if not account.default_payment_method:
        raise ApiError(_("Add a payment method first."), code="payment_method_required", status_code=402)
    return account
