"""Billing writes for plans and subscriptions: Stripe plans, the subscription mirror, and plan changes."""
import time

from django.db import transaction
from django.utils.translation import gettext as _

from billing import discounts, selectors, stripe_api
from billing.customers import account_with_card, lock_user
from billing.invoices import sync_invoices
from billing.models import BillingAccount, Plan, Subscription
from billing.stripe_api import CURRENCY, client, idem, stripe_errors
from maas.api.errors import ApiError, Conflict


def sync_stripe_plan(plan, amount_cents=None):
    """The Stripe plan id for `plan` (product + recurring price), created on first use; `amount_cents` other
    than the plan's price gives a discounted price of the same product (billing.discounts)."""
    amount = plan.price_cents if amount_cents is None else int(amount_cents)
    plan_id = f"maas-{plan.code}-{amount}-{plan.interval}"
    if plan.stripe_plan_id == plan_id:
        return plan_id
    with transaction.atomic():  # one creator at a time (Stripe answers 409 to concurrent same-key creates)
        if Plan.objects.select_for_update().get(pk=plan.pk).stripe_plan_id == plan_id:
            plan.stripe_plan_id = plan_id
            return plan_id
        _create_stripe_plan(plan, plan_id, amount)
        if amount == plan.price_cents:  # a discounted price is never the plan's own
            Plan.objects.filter(pk=plan.pk).update(stripe_plan_id=plan_id)
            plan.stripe_plan_id = plan_id
    return plan_id


def _create_stripe_plan(plan, plan_id, amount):
    stripe = client()
    with stripe_errors():
        try:
            stripe.v1.plans.retrieve(plan_id)
        except Exception as exc:  # noqa: BLE001 - only 404 means "create it"
            if not stripe_api.is_not_found(exc):
                raise
            product_id = f"maas-{plan.code}"
            try:
                stripe.v1.products.retrieve(product_id)
            except Exception as exc2:  # noqa: BLE001
                if not stripe_api.is_not_found(exc2):
                    raise
                stripe.v1.products.create(params={"id": product_id, "name": plan.name},
                                          options=idem(f"product:{product_id}"))
            stripe.v1.plans.create(
                params={"id": plan_id, "product": product_id, "amount": amount, "currency": CURRENCY,
                        "interval": plan.interval, "nickname": plan.name},
                options=idem(f"plan:{plan_id}"),
            )


def _plan_for_stripe(subscription_obj):
    """Our plan for the Stripe plan on the subscription item (metadata "plan" as fallback)."""
    stripe_plan = stripe_api.subscription_plan_id(subscription_obj)
    plan = Plan.objects.filter(stripe_plan_id=stripe_plan).first() if stripe_plan else None
    if plan is None and stripe_plan and stripe_plan.startswith("maas-") and stripe_plan.count("-") >= 3:
        plan = Plan.objects.filter(code=stripe_plan[len("maas-"):].rsplit("-", 2)[0]).first()  # repriced since
    if plan is None:
        code = stripe_api.get(stripe_api.get(subscription_obj, "metadata", {}), "plan")
        plan = Plan.objects.filter(code=code).first() if code else None
    return plan


def apply_subscription_state(obj, version, *, user=None):
    """Upsert the local mirror from a Stripe subscription unless a newer state is stored.

    Returns the Subscription, or None when `obj` is older than the stored state or unknown.
    """
    with transaction.atomic():
        # the account row lock serializes concurrent deliveries for one customer (also before the row exists)
        account = BillingAccount.objects.select_for_update().filter(
            stripe_customer_id=stripe_api.get(obj, "customer")).first()
        local = Subscription.objects.select_for_update().filter(stripe_subscription_id=obj["id"]).first()
        if local is not None and local.state_version > version:
            return None
        plan = _plan_for_stripe(obj) or (local.plan if local else None)
        if user is None:
            user = local.user if local else getattr(account, "user", None)
        if plan is None or user is None:
            return None
        start, end = stripe_api.subscription_period(obj)
        item = stripe_api.first_item(obj)
        fields = dict(
            user=user, plan=plan, status=stripe_api.get(obj, "status", "incomplete"),
            stripe_item_id=stripe_api.get(item, "id", ""),
            current_period_start=stripe_api.ts(start), current_period_end=stripe_api.ts(end),
            cancel_at_period_end=bool(stripe_api.get(obj, "cancel_at_period_end", False)),
            state_version=version,
        )
        if local is None:
            return Subscription.objects.create(stripe_subscription_id=obj["id"], **fields)
        for name, value in fields.items():
            setattr(local, name, value)
        local.save()
        return local


def subscribe(user, plan_code, *, idempotency_key=None):
    """Start a monthly plan for `user` (Stripe subscription charged to the default card).

    The user's row lock is held from the "already subscribed" check until the new subscription is
    stored, so concurrent calls make one Stripe subscription and one charge; the others get 409.
    """
    plan = selectors.plan_by_code(plan_code)
    if plan is None:
        raise ApiError(_("Unknown plan."), code="unknown_plan", details={"plan": plan_code}, status_code=404)
    if plan.is_payg:
        raise ApiError(_("Pay-as-you-go needs no subscription; cancel your plan instead."), code="plan_is_payg")
    account = account_with_card(user)
    stripe_plan = sync_stripe_plan(plan, discounts.fee_cents(user, plan))  # the resident's discount group
    with transaction.atomic():
        lock_user(user)
        if selectors.live_subscription(user):
            raise Conflict(_("You already have a plan; change it instead."), code="already_subscribed")
        count = Subscription.objects.filter(user=user).count()
        key = idempotency_key or f"subscribe:{user.pk}:{plan.code}:{count}"
        with stripe_errors():
            obj = client().v1.subscriptions.create(
                params={"customer": account.stripe_customer_id, "items": [{"plan": stripe_plan}],
                        "metadata": {"user_id": str(user.pk), "plan": plan.code}},
                options=idem(key),
            )
        subscription = apply_subscription_state(obj, int(time.time()), user=user)
        if subscription is None:  # a webhook already stored a newer state
            subscription = Subscription.objects.get(stripe_subscription_id=obj.id)
    sync_invoices(user)
    if subscription.status not in Subscription.LIVE_STATUSES:
        raise ApiError(_("The first payment did not go through."), code="subscription_payment_failed",
                       details={"status": subscription.status}, status_code=402)
    return subscription


def _live_or_404(user):
    subscription = selectors.live_subscription(user)
    if subscription is None:
        raise ApiError(_("You have no active plan."), code="no_subscription", status_code=404)
    return subscription


def change_plan(user, plan_code):
    """Upgrade or downgrade with proration: upgrades are invoiced now, downgrade credit on the next invoice."""
    subscription = _live_or_404(user)
    plan = selectors.plan_by_code(plan_code)
    if plan is None or plan.is_payg:
        raise ApiError(_("Unknown plan."), code="unknown_plan", details={"plan": plan_code}, status_code=404)
    if plan.pk == subscription.plan_id:
        raise Conflict(_("You are already on this plan."), code="same_plan")
    account = account_with_card(user)
    stripe_plan = sync_stripe_plan(plan, discounts.fee_cents(user, plan))  # the resident's discount group
    upgrade = plan.price_cents > subscription.plan.price_cents
    stripe = client()
    base_key = f"change:{subscription.stripe_subscription_id}:{plan.code}:{subscription.state_version}"
    with stripe_errors():
        obj = stripe.v1.subscriptions.update(
            subscription.stripe_subscription_id,
            params={"items": [{"id": subscription.stripe_item_id, "plan": stripe_plan}],
                    "metadata": {"plan": plan.code}},
            options=idem(base_key),
        )
        if upgrade:
            invoice = stripe.v1.invoices.create(
                params={"customer": account.stripe_customer_id, "subscription": subscription.stripe_subscription_id,
                        "pending_invoice_items_behavior": "include"},  # the proration items
                options=idem(base_key + ":invoice"),
            )
            if invoice.status in ("draft", "open") and invoice.total > 0:
                stripe.v1.invoices.pay(invoice.id, options=idem(base_key + ":pay"))
    subscription = apply_subscription_state(obj, int(time.time()), user=user) or subscription
    sync_invoices(user)
    return subscription


def _set_cancel_at_period_end(user, value):
    subscription = _live_or_404(user)
    if subscription.cancel_at_period_end == value:
        return subscription
    with stripe_errors():
        obj = client().v1.subscriptions.update(
            subscription.stripe_subscription_id, params={"cancel_at_period_end": value},
            options=idem(f"cancel-at-end:{subscription.stripe_subscription_id}:{value}:{subscription.state_version}"),
        )
    return apply_subscription_state(obj, int(time.time()), user=user) or subscription


def cancel_subscription(user):
    """Cancel at the end of the paid period (entitlements stay until then)."""
    return _set_cancel_at_period_end(user, True)


def resume_subscription(user):
    """Undo a pending cancellation."""
    return _set_cancel_at_period_end(user, False)
