"""The Stripe client (settings STRIPE_API_KEY / STRIPE_API_BASE) and Stripe errors as API errors.

Every write passes an idempotency key. Works against real Stripe (test keys, empty
STRIPE_API_BASE) and localstripe; field differences between API versions are read
defensively by the helpers at the bottom.
"""
from contextlib import contextmanager
from datetime import datetime
from datetime import timezone as dt_timezone

import stripe
from django.conf import settings
from django.utils.translation import gettext as _

from maas.api.errors import ApiError, ServiceUnavailable

CURRENCY = "eur"  # the currency of every amount sent to Stripe


def client():
    """A StripeClient configured from settings."""
    base = getattr(settings, "STRIPE_API_BASE", "") or ""
    options = {"base_addresses": {"api": base.rstrip("/")}} if base else {}
    return stripe.StripeClient(getattr(settings, "STRIPE_API_KEY", ""), max_network_retries=2, **options)


def idem(key):
    """Request options carrying an idempotency key."""
    return {"idempotency_key": str(key)[:255]}


@contextmanager
def stripe_errors():
    """Turn Stripe failures into the project's API errors."""
    try:
        yield
    except stripe.CardError as exc:
        raise ApiError(_("The card was declined."), code="card_declined",
                       details={"stripe_code": exc.code}, status_code=402) from exc
    except stripe.InvalidRequestError as exc:
        raise ApiError(_("The payment provider rejected the request."), code="payment_provider_rejected",
                       details={"message": exc.user_message or str(exc)}, status_code=400) from exc
    except stripe.StripeError as exc:
        raise ServiceUnavailable(_("The payment provider is unavailable."), code="payment_provider_unavailable") \
            from exc


def is_not_found(exc):
    return isinstance(exc, stripe.InvalidRequestError) and getattr(exc, "http_status", None) == 404


def ts(value):
    """A Stripe unix timestamp as an aware datetime (None stays None)."""
    return datetime.fromtimestamp(int(value), tz=dt_timezone.utc) if value else None


def _get(obj, key, default=None):
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def first_item(subscription):
    items = _get(_get(subscription, "items", {}), "data", [])
    return items[0] if items else None


def subscription_period(subscription):
    """(start, end) unix times; newer API versions keep the period on the item."""
    item = first_item(subscription) or {}
    start = _get(subscription, "current_period_start") or _get(item, "current_period_start")
    end = _get(subscription, "current_period_end") or _get(item, "current_period_end")
    return start, end


def subscription_plan_id(subscription):
    item = first_item(subscription) or {}
    plan = _get(item, "plan") or _get(item, "price") or _get(subscription, "plan") or {}
    return plan if isinstance(plan, str) else _get(plan, "id")


def invoice_subscription_id(invoice):
    sub = _get(invoice, "subscription")
    if sub is None:
        details = _get(_get(invoice, "parent", {}), "subscription_details", {})
        sub = _get(details, "subscription")
    return sub if isinstance(sub, str) or sub is None else _get(sub, "id")


def invoice_tax(invoice):
    tax = _get(invoice, "tax")
    if tax is None:
        tax = sum(int(_get(t, "amount", 0)) for t in _get(invoice, "total_taxes", []))
    return int(tax)


def get(obj, key, default=None):
    """obj[key] for Stripe objects and plain dicts alike, `default` when absent or null."""
    return _get(obj, key, default)
