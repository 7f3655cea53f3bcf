"""Billing writes: Stripe customers, payment methods, subscriptions, payments, and the usage ledger.

Prices (reads) are billing.selectors.price_itinerary(ies).
"""
import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from billing import discounts, selectors, stripe_api
from billing.models import BillingAccount, Invoice, Payment, Plan, Subscription, UsageRecord
from billing.pricing import (
    DEFAULT_ZONES,
    Allowance,
    Ride,
    category_of,
)
from billing.stripe_api import client, idem, stripe_errors
from maas.api.errors import ApiError, Conflict

CURRENCY = "eur"
INVOICE_STATUS_RANK = {"draft": 0, "open": 1, "paid": 2, "void": 2, "uncollectible": 2}


def _lock_user(user):
    """Serialize billing writes of one user (row lock on the user)."""
    get_user_model().objects.select_for_update().get(pk=user.pk)


# --- customers and payment methods -------------------------------------------------------

def ensure_customer(user):
    """The user's BillingAccount, creating the Stripe customer on first use."""
    account = BillingAccount.objects.filter(user=user).first()
    if account:
        return account
    with transaction.atomic():
        _lock_user(user)
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


def save_payment_method(user, setup_intent_id):
    """Make the payment method of a succeeded SetupIntent the user's default."""
    account = ensure_customer(user)
    stripe = client()
    with stripe_errors():
        intent = stripe.v1.setup_intents.retrieve(setup_intent_id)
    if intent.customer != account.stripe_customer_id:
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


def _account_with_card(user):
    account = ensure_customer(user)
    if not account.default_payment_method:
        raise ApiError(_("Add a payment method first."), code="payment_method_required", status_code=402)
    return account


# --- plans and subscriptions ----------------------------------------------------------------

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
    account = _account_with_card(user)
    stripe_plan = sync_stripe_plan(plan, discounts.fee_cents(user, plan))  # the resident's discount group
    with transaction.atomic():
        _lock_user(user)
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
    account = _account_with_card(user)
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


# --- entitlement ledger -----------------------------------------------------------------------

def record_usage(user, *, mode, leg_ref, minutes=0, rides=1, zones=None, distance_m=0):
    """Consume entitlements for a used leg and record what is charged; idempotent on `leg_ref`."""
    category = category_of(mode)
    if category is None:
        raise ApiError(_("This mode is not billed."), code="mode_not_billed", details={"mode": mode})
    if int(rides) < 1 or int(minutes) < 0:
        raise ApiError(_("Invalid usage."), code="invalid_usage", details={"rides": rides, "minutes": minutes})
    with transaction.atomic():
        _lock_user(user)
        existing = UsageRecord.objects.filter(user=user, leg_ref=leg_ref).first()
        if existing:
            return existing
        start, end, subscription = selectors.current_period(user)
        plan = subscription.plan if subscription else None
        allowance = Allowance(selectors.entitlements_of(plan), selectors.used_in_period(user, start),
                              selectors.tariffs(), discounts.discount_for(user))
        rides, minutes = int(rides), int(minutes)
        totals = {"price": 0, "charge": 0, "rides": 0, "minutes": 0}
        for n in range(rides):
            share = minutes // rides + (1 if n < minutes % rides else 0)
            price = allowance.price(Ride(category, share, int(distance_m) // rides, tuple(zones or DEFAULT_ZONES)))
            totals["price"] += price.price_cents
            totals["charge"] += price.charge_cents
            totals["rides"] += price.covered_rides
            totals["minutes"] += price.covered_minutes
        return UsageRecord.objects.create(
            user=user, subscription=subscription, leg_ref=leg_ref, mode=mode, category=category,
            period_start=start, period_end=end, rides=rides, minutes=minutes,
            covered_rides=totals["rides"], covered_minutes=totals["minutes"],
            price_cents=totals["price"], charge_cents=totals["charge"],
        )


# --- one-off payments (manual capture) --------------------------------------------------------

def _check_amount(amount_cents):
    if type(amount_cents) is not int or amount_cents <= 0:
        raise ApiError(_("The amount must be a positive number of cents."), code="invalid_amount",
                       details={"amount_cents": amount_cents})


def authorize_payment(user, *, amount_cents, idempotency_key, description):
    """Authorize (hold) `amount_cents` on the user's default card: a manual-capture PaymentIntent."""
    _check_amount(amount_cents)
    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing:
        if existing.user_id != user.pk or existing.amount_cents != amount_cents:
            raise Conflict(_("This idempotency key was used for another payment."), code="idempotency_key_reused")
        return existing
    account = _account_with_card(user)
    with transaction.atomic():
        _lock_user(user)  # concurrent calls with one key: one PaymentIntent (localstripe ignores Idempotency-Key)
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing:
            return existing
        return _create_payment(user, account, amount_cents, idempotency_key, description)


def _create_payment(user, account, amount_cents, idempotency_key, description):
    with stripe_errors():
        intent = client().v1.payment_intents.create(
            params={"amount": amount_cents, "currency": CURRENCY, "customer": account.stripe_customer_id,
                    "payment_method": account.default_payment_method, "capture_method": "manual",
                    "confirm": True, "off_session": True,
                    "metadata": {"user_id": str(user.pk), "description": description[:450]}},
            options=idem(f"authorize:{idempotency_key}"),
        )
    status = intent.status if intent.status in dict(Payment.STATUSES) else "failed"
    return Payment.objects.create(
        user=user, idempotency_key=idempotency_key, stripe_payment_intent_id=intent.id,
        description=description[:200], amount_cents=amount_cents, status=status,
    )


def capture_payment(payment, amount_cents):
    """Capture up to the authorized amount; the rest of the hold is released."""
    _check_amount(amount_cents)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == "succeeded" and payment.captured_cents == amount_cents:
            return payment
        if payment.status != "requires_capture":
            raise Conflict(_("The payment cannot be captured."), code="payment_not_capturable",
                           details={"status": payment.status})
        if amount_cents > payment.amount_cents:
            raise ApiError(_("Cannot capture more than was authorized."), code="capture_exceeds_authorization",
                           details={"authorized_cents": payment.amount_cents})
        with stripe_errors():
            intent = client().v1.payment_intents.capture(
                payment.stripe_payment_intent_id, params={"amount_to_capture": amount_cents},
                options=idem(f"capture:{payment.stripe_payment_intent_id}"),
            )
        payment.status = intent.status if intent.status in dict(Payment.STATUSES) else payment.status
        payment.captured_cents = amount_cents
        payment.save(update_fields=["status", "captured_cents", "updated_at"])
        return payment


def cancel_payment(payment):
    """Release an uncaptured authorization (idempotent)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status == "canceled":
            return payment
        if payment.status != "requires_capture":
            raise Conflict(_("Only an uncaptured payment can be canceled."), code="payment_not_cancelable",
                           details={"status": payment.status})
        with stripe_errors():
            client().v1.payment_intents.cancel(payment.stripe_payment_intent_id,
                                               options=idem(f"cancel:{payment.stripe_payment_intent_id}"))
        payment.status = "canceled"
        payment.save(update_fields=["status", "updated_at"])
        return payment


def refund_payment(payment, amount_cents=None):
    """Refund `amount_cents` (default: all not yet refunded) of a captured payment."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        refundable = payment.captured_cents - payment.refunded_cents
        if payment.status != "succeeded" or refundable <= 0:
            raise Conflict(_("Nothing to refund."), code="payment_not_refundable",
                           details={"status": payment.status, "refundable_cents": max(refundable, 0)})
        amount_cents = refundable if amount_cents is None else amount_cents
        _check_amount(amount_cents)
        if amount_cents > refundable:
            raise ApiError(_("Cannot refund more than was captured."), code="refund_exceeds_capture",
                           details={"refundable_cents": refundable})
        with stripe_errors():
            client().v1.refunds.create(
                params={"payment_intent": payment.stripe_payment_intent_id, "amount": amount_cents},
                options=idem(f"refund:{payment.stripe_payment_intent_id}:{payment.refunded_cents}:{amount_cents}"),
            )
        payment.refunded_cents += amount_cents
        payment.save(update_fields=["refunded_cents", "updated_at"])
        return payment
