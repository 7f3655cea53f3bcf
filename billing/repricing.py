"""Plan fees follow discount grants: a daily pass moves each live subscription to the Stripe price its
resident's discount gives today (a new grant lowers the fee, a lapsed one restores it; Stripe prorates)."""
from django.utils import timezone

from billing import discounts, stripe_api
from billing.models import Subscription
from billing.subscriptions import sync_stripe_plan


def reprice_subscriptions(now=None):
    """Returns the ids of the subscriptions moved to another price."""
    now = now or timezone.now()
    moved = []
    live = (Subscription.objects.select_related("plan", "user")
            .filter(status__in=Subscription.LIVE_STATUSES, current_period_end__gt=now))
    stripe = stripe_api.client()
    for subscription in live:
        wanted = sync_stripe_plan(subscription.plan, discounts.fee_cents(subscription.user, subscription.plan, now))
        with stripe_api.stripe_errors():
            current = stripe_api.subscription_plan_id(stripe.v1.subscriptions.retrieve(
                subscription.stripe_subscription_id))
            if current == wanted or not subscription.stripe_item_id:
                continue
            stripe.v1.subscriptions.update(
                subscription.stripe_subscription_id,
                params={"items": [{"id": subscription.stripe_item_id, "plan": wanted}]},
                options=stripe_api.idem(f"reprice:{subscription.stripe_subscription_id}:{wanted}:{now.date()}"),
            )
        moved.append(subscription.pk)
    return moved
