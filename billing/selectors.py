"""Reads: plans, tariffs, a resident's live subscription, period and usage."""
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone

from billing.models import Entitlement, Invoice, Payment, Plan, Subscription, Tariff, UsageRecord

HELSINKI = ZoneInfo("Europe/Helsinki")


def active_plans():
    """Plans residents can choose, with their entitlements."""
    return Plan.objects.filter(active=True).prefetch_related("entitlements")


def plan_by_code(code):
    return Plan.objects.filter(code=code, active=True).first()


def tariffs():
    """All pay-as-you-go tariffs."""
    return list(Tariff.objects.all())


def _is_user(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.pk is not None


def live_subscription(user, now=None):
    """The user's subscription that currently gives entitlements, or None."""
    if not _is_user(user):
        return None
    now = now or timezone.now()
    return (
        Subscription.objects.select_related("plan")
        .filter(user=user, status__in=Subscription.LIVE_STATUSES, current_period_end__gt=now)
        .order_by("-current_period_start", "-id")
        .first()
    )


def latest_subscription(user):
    """The user's most recent subscription in any state, or None."""
    return Subscription.objects.select_related("plan").filter(user=user).order_by("-created_at", "-id").first()


def calendar_month(now=None):
    """[start, end) of the Helsinki calendar month containing `now`."""
    local = (now or timezone.now()).astimezone(HELSINKI)
    start = datetime(local.year, local.month, 1, tzinfo=HELSINKI)
    end = datetime(local.year + (local.month == 12), local.month % 12 + 1, 1, tzinfo=HELSINKI)
    return start, end


def current_period(user, now=None):
    """(period_start, period_end, live subscription or None): the subscription period, else the month."""
    subscription = live_subscription(user, now)
    if subscription:
        return subscription.current_period_start, subscription.current_period_end, subscription
    start, end = calendar_month(now)
    return start, end, None


def entitlements_of(plan):
    """{category: Entitlement} of a plan (empty for None)."""
    if plan is None:
        return {}
    return {e.category: e for e in Entitlement.objects.filter(plan=plan)}


def used_in_period(user, period_start):
    """{category: {"rides": covered rides, "minutes": covered minutes}} since `period_start`."""
    if not _is_user(user):
        return {}
    rows = (
        UsageRecord.objects.filter(user=user, period_start=period_start)
        .values("category")
        .annotate(used_rides=Sum("covered_rides"), used_minutes=Sum("covered_minutes"),
                  charged=Sum("charge_cents"), count=Sum("rides"))
    )
    return {r["category"]: {"rides": r["used_rides"] or 0, "minutes": r["used_minutes"] or 0,
                            "charged_cents": r["charged"] or 0, "total_rides": r["count"] or 0} for r in rows}


def invoices_of(user):
    return Invoice.objects.filter(user=user)


def usage_summary(user, now=None):
    """This period's use per mode category against the plan's entitlements (integer cents)."""
    start, end, subscription = current_period(user, now)
    plan = subscription.plan if subscription else None
    entitlements = entitlements_of(plan)
    used = used_in_period(user, start)
    categories = []
    for category in sorted(set(entitlements) | set(used)):
        ent, spent = entitlements.get(category), used.get(category, {})
        row = {"category": category, "rides": spent.get("total_rides", 0),
               "covered_rides": spent.get("rides", 0), "covered_minutes": spent.get("minutes", 0),
               "charged_cents": spent.get("charged_cents", 0),
               "rides_included": ent.rides_per_period if ent else 0,
               "minutes_included": ent.minutes_per_period if ent else 0,
               "rides_left": None, "minutes_left": None}
        if ent and ent.rides_per_period is not None:
            row["rides_left"] = max(0, ent.rides_per_period - row["covered_rides"])
        if ent and ent.minutes_per_period is not None:
            row["minutes_left"] = max(0, ent.minutes_per_period - row["covered_minutes"])
        if ent is None:
            row["rides_left"] = row["minutes_left"] = 0
        categories.append(row)
    return {"period_start": start, "period_end": end, "plan": plan.code if plan else None,
            "charged_cents": sum(row["charged_cents"] for row in categories), "categories": categories}


def payment_by_id(payment_id):
    """The Payment with this id (raises Payment.DoesNotExist)."""
    return Payment.objects.get(pk=payment_id)


def price_itinerary(user, itinerary, *, now=None):
    """The price of an itinerary for `user` (docs/interfaces.md shape); read-only, never consumes entitlements."""
    from billing import pricing  # pricing reads plans and usage through this module

    return pricing.price_itinerary(user, itinerary, now=now)


def price_itineraries(user, itineraries, *, now=None):
    """price_itinerary for several itineraries of one resident (plan, usage and tariffs loaded once)."""
    from billing import pricing

    return pricing.price_itineraries(user, itineraries, now=now)


def vat_rates_of_invoices(invoices):
    """{stripe_subscription_id: the plan's VAT rate (basis points)} for these invoices, in one query."""
    ids = {invoice.stripe_subscription_id for invoice in invoices if invoice.stripe_subscription_id}
    return dict(Subscription.objects.filter(stripe_subscription_id__in=ids)
                .values_list("stripe_subscription_id", "plan__vat_rate_bp"))
